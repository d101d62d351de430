#!/usr/bin/env bash
# Runs the pjdfstest POSIX conformance suite (built separately: it is not part of this project)
# as root against a directory on the local disk and against a fresh mount, and prints the share
# of subtests passed on each.
#   bench/pjdfstest.sh PJDFSTEST_DIR [REEL_BIN] [-- extra reel mount flags]
# PJDFSTEST_DIR holds the built `pjdfstest` binary and its `tests/` (autoreconf -ifs &&
# ./configure && make pjdfstest). Needs root (the suite switches users and makes devices).
# PJD_SKIP_LOCAL=1 skips the local-disk run (ext4 passes every subtest; it takes minutes).
# On a mount pjdfstest plans fewer subtests than on ext4: its rename-updates-ctime checks run only
# on the filesystems it knows do so (ext4, UFS, ZFS).
set -euo pipefail
PJD=$(readlink -f "${1:?usage: bench/pjdfstest.sh PJDFSTEST_DIR [REEL_BIN] [-- mount flags]}")
shift
REEL=$(readlink -f "${1:-build/src/cli/reel}")
[[ $# -gt 0 ]] && shift
[[ "${1:-}" == "--" ]] && shift
MOUNT_FLAGS=("$@")
[[ -x "$PJD/pjdfstest" && -d "$PJD/tests" ]] || { echo "no built pjdfstest in $PJD" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "pjdfstest needs root" >&2; exit 1; }

WORK=$(mktemp -d /tmp/reel-pjdfstest-XXXXXX)
chmod 755 "$WORK"
export XDG_RUNTIME_DIR=$WORK/run
mkdir -p "$WORK/local" "$WORK/mnt" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
cleanup() {
  if mountpoint -q "$WORK/mnt"; then
    "$REEL" umount "$WORK/mnt" >/dev/null || fusermount3 -uz "$WORK/mnt"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# prints "passed total" of one prove run in directory $1 (output kept in $2)
run_suite() {
  (cd "$1" && prove -r "$PJD/tests" > "$2" 2>&1) || true
  local total failed
  total=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$2")
  failed=$(sed -n 's/.*Failed \([0-9]*\)\/[0-9]* subtests.*/\1/p' "$2" | awk '{s += $1} END {print s + 0}')
  echo "$((total - failed)) $total"
}

report() {  # report NAME "passed total"
  read -r passed total <<<"$2"
  awk -v n="$1" -v p="$passed" -v t="$total" \
    'BEGIN {printf "%-28s %6d / %6d subtests passed (%.1f%%)\n", n, p, t, t ? 100 * p / t : 0}'
}

if [[ "${PJD_SKIP_LOCAL:-0}" != 1 ]]; then
  report "local disk ($(df -T "$WORK" | awk 'NR == 2 {print $2}'))" \
    "$(run_suite "$WORK/local" "$WORK/local.out")"
fi
"$REEL" init "$WORK/drive" >/dev/null
"$REEL" mount "$WORK/mnt" --drive "$WORK/drive" --background "${MOUNT_FLAGS[@]}" >/dev/null
report "reel mount ${MOUNT_FLAGS[*]}" "$(run_suite "$WORK/mnt" "$WORK/mount.out")"
grep -E '^[^ ]+\.t .*(Failed|Wstat)|^  Failed tests:' "$WORK/mount.out" | head -40 || true
