# Shared helpers for FUSE integration tests. Usage: source lib.sh "$REEL_BIN"
set -euo pipefail
REEL=${1:?usage: script.sh PATH_TO_REEL}
REEL=$(readlink -f "$REEL")
WORK=$(mktemp -d /tmp/reel-fuse-test-XXXXXX)
DRIVE=$WORK/drive
MNT=$WORK/mnt
export XDG_RUNTIME_DIR=$WORK/run  # a private registry and socket dir for this test
mkdir -p "$MNT" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
FAILS=0
PASSES=0

log() { echo "[$(date +%T)] $*"; }
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
pass() { PASSES=$((PASSES + 1)); }
check() {  # check "description" command...
  local what=$1; shift
  if "$@"; then pass; else fail "$what"; fi
}
same_file() { [[ "$(sha256sum < "$1")" == "$(sha256sum < "$2")" ]]; }

mount_drive() {
  "$REEL" mount "$MNT" --drive "$DRIVE" --background "$@"
  mountpoint -q "$MNT" || { echo "mount failed: $MNT is not a mountpoint" >&2; exit 1; }
}
unmount_drive() {
  if mountpoint -q "$MNT"; then "$REEL" umount "$MNT"; fi
  ! mountpoint -q "$MNT"
}
init_drive() { "$REEL" init "$DRIVE" "$@" >/dev/null; }

cleanup() {
  local rc=$?
  if mountpoint -q "$MNT" 2>/dev/null; then
    "$REEL" umount "$MNT" 2>/dev/null || fusermount3 -uz "$MNT" 2>/dev/null || true
  fi
  # Kill any mount process of this test still around (by the PID it registered).
  for rec in "$XDG_RUNTIME_DIR"/reel/*.json; do
    [[ -f "$rec" ]] || continue
    pid=$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$rec")
    [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT

finish() {
  echo "$PASSES passed, $FAILS failed"
  ((FAILS == 0))
}
