# Shared helpers for FUSE integration tests. Usage: source lib.sh "$REEL_BIN"
set -euo pipefail
REEL=${1:?usage: script.sh PATH_TO_REEL}
# Every test here mounts a drive. Without FUSE it is skipped (exit 77, the tests' ctest
# SKIP_RETURN_CODE), unless REEL_REQUIRE_FUSE=1 (scripts/test.sh) makes that a failure.
if [[ ! -r /dev/fuse || ! -w /dev/fuse ]] || ! command -v fusermount3 >/dev/null; then
  if [[ "${REEL_REQUIRE_FUSE:-0}" == 1 ]]; then
    echo "FAIL: REEL_REQUIRE_FUSE=1 but FUSE is not usable here (/dev/fuse, fusermount3)" >&2
    exit 1
  fi
  echo "SKIP: FUSE is not usable here (/dev/fuse, fusermount3); REEL_REQUIRE_FUSE=1 fails instead"
  exit 77
fi
REEL=$(readlink -f "$REEL")
WORK=$(mktemp -d /tmp/reel-fuse-test-XXXXXX)
DRIVE=$WORK/drive
MNT=$WORK/mnt
export XDG_RUNTIME_DIR=$WORK/run  # a private registry and socket dir for this test
mkdir -p "$MNT" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
FAILS=0
PASSES=0
# Commands the exit trap runs after the drive is unmounted and before $WORK is removed (e.g. to
# unmount a filesystem the test made for its staging).
CLEANUP_HOOKS=()

log() { echo "[$(date +%T)] $*"; }
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
pass() { PASSES=$((PASSES + 1)); }
check() {  # check "description" command...
  local what=$1; shift
  if "$@"; then pass; else fail "$what"; fi
}
same_file() { [[ "$(sha256sum < "$1")" == "$(sha256sum < "$2")" ]]; }
# A TCP port on loopback nothing listens on, for a server the test starts (and may restart on
# it): chosen at random below the kernel's ephemeral range, so that no outgoing connection of a
# test running beside it takes the port as its source port before the server binds it.
free_port() {
  python3 - <<'PY'
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(1000 if low > 11000 else 0):
    port = random.randint(10000, low - 1)
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
    print(port)
    break
else:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])
PY
}

# Sanitizer builds: the background mount process writes its sanitizer reports to its stderr,
# which is DRIVE/mount.log (src/cli/cmd_drive.cc). Any report there fails the test; the report
# is copied to the test's output because the log is deleted with $WORK.
SANITIZER_REPORT='ERROR: (Address|Leak|Thread|UndefinedBehavior)Sanitizer|WARNING: ThreadSanitizer|FATAL: ThreadSanitizer|runtime error:'
MOUNT_LOG_CHECKED=0  # bytes of mount.log already checked
check_mount_log() {
  local log=$DRIVE/mount.log
  [[ -f "$log" ]] || return 0
  local size new
  size=$(stat -c %s "$log")
  ((size > MOUNT_LOG_CHECKED)) || return 0
  new=$(tail -c +$((MOUNT_LOG_CHECKED + 1)) "$log")
  MOUNT_LOG_CHECKED=$size
  if grep -Eq "$SANITIZER_REPORT" <<<"$new"; then
    echo "FAIL: sanitizer report from the mount process ($log):" >&2
    echo "$new" >&2
    FAILS=$((FAILS + 1))
    return 1
  fi
}

mount_drive() {
  "$REEL" mount "$MNT" --drive "$DRIVE" --background "$@" ||
    { check_mount_log || true; exit 1; }
  mountpoint -q "$MNT" || { echo "mount failed: $MNT is not a mountpoint" >&2; exit 1; }
}
# `reel umount` waits for the mount process to exit, so its log is complete when checked.
unmount_drive() {
  if mountpoint -q "$MNT"; then "$REEL" umount "$MNT"; fi
  check_mount_log || true
  ! mountpoint -q "$MNT"
}
# The PID of the mount process, from the record it registered.
mount_pid() { sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$XDG_RUNTIME_DIR"/reel/*.json | head -1; }
# kill -9 the mount process and wait until it is gone (a sanitizer build takes a while to die,
# and until then it still holds the drive's lock), then detach the dead mount.
# Whether process PID is gone: no longer there, or a zombie its reaper has not collected yet.
process_gone() { [[ ! -e /proc/$1 ]] || [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" == Z ]]; }
kill_drive() {
  local pid
  pid=$(mount_pid)
  kill -9 "$pid"
  for _ in $(seq 1 300); do
    process_gone "$pid" && break
    sleep 0.1
  done
  fusermount3 -uz "$MNT" 2>/dev/null || true
  rm -f "$XDG_RUNTIME_DIR"/reel/*.json
}
init_drive() { "$REEL" init "$DRIVE" "$@" >/dev/null; }
# Moves the catalog and the staging directory of a new drive (before its first mount) to DIR,
# e.g. a filesystem made by the test; the chunk store stays in the drive directory.
relocate_catalog_and_staging() {
  local dir=$1 f
  mkdir -p "$dir"
  for f in "$DRIVE"/catalog.db*; do
    [[ -e "$f" ]] || continue
    mv "$f" "$dir/"
    sync "$dir/$(basename "$f")"
  done
  sed -i -e "s|^uri = \"sqlite://catalog.db\"|uri = \"sqlite://$dir/catalog.db\"|" \
    -e "s|^staging_dir = \"staging\"|staging_dir = \"$dir/staging\"|" "$DRIVE/reel.toml"
  grep -q "^uri = \"sqlite://$dir/catalog.db\"" "$DRIVE/reel.toml" &&
    grep -q "^staging_dir = \"$dir/staging\"" "$DRIVE/reel.toml" ||
    { echo "unexpected manifest layout: cannot move catalog and staging" >&2; exit 1; }
}

cleanup() {
  local rc=$?
  # A mount whose process died (e.g. a sanitizer abort) is no mountpoint to `mountpoint`
  # (ENOTCONN) but still in /proc/mounts; `reel umount` detaches it.
  if mountpoint -q "$MNT" 2>/dev/null || grep -qs " $MNT fuse" /proc/mounts; then
    "$REEL" umount "$MNT" >/dev/null 2>&1 || fusermount3 -uz "$MNT" 2>/dev/null || true
  fi
  check_mount_log || rc=1
  # Kill any mount process of this test still around (by the PID it registered).
  for rec in "$XDG_RUNTIME_DIR"/reel/*.json; do
    [[ -f "$rec" ]] || continue
    pid=$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$rec")
    [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null || true
  done
  local hook
  for hook in ${CLEANUP_HOOKS[@]+"${CLEANUP_HOOKS[@]}"}; do $hook || true; done
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT

finish() {
  echo "$PASSES passed, $FAILS failed"
  ((FAILS == 0))
}
