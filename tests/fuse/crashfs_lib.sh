# Helpers for tests that run on reel-crashfs (tests/tools/crashfs): a FUSE passthrough whose
# SIGUSR1 is a power cut (every file goes back to its last fsync). Source after lib.sh:
#   source crashfs_lib.sh PATH_TO_REEL_CRASHFS
CRASHFS=$(readlink -f "${1:?usage: source crashfs_lib.sh PATH_TO_REEL_CRASHFS}")
CRASHFS_PID=""
CRASHFS_MNT=""

# crashfs_mount BACKING MOUNTPOINT: serves BACKING at MOUNTPOINT in the background.
crashfs_mount() {
  CRASHFS_MNT=$2
  mkdir -p "$1" "$2"
  "$CRASHFS" "$1" "$2" 2>>"$WORK/crashfs.log" &
  CRASHFS_PID=$!
  for _ in $(seq 1 100); do
    mountpoint -q "$2" && return 0
    kill -0 "$CRASHFS_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "reel-crashfs did not mount $2:" >&2
  cat "$WORK/crashfs.log" >&2
  exit 1
}

# The power cut: every file on the crash filesystem goes back to its last fsync, the filesystem
# goes away. Fails the test when the tool could not restore every file.
crashfs_power_cut() {
  kill -USR1 "$CRASHFS_PID"
  local rc=0
  wait "$CRASHFS_PID" || rc=$?
  CRASHFS_PID=""
  if [ "$rc" -ne 0 ]; then
    echo "reel-crashfs exited with $rc; its log:" >&2
    cat "$WORK/crashfs.log" >&2
  fi
  check "crash filesystem restored every file at the power cut" [ "$rc" -eq 0 ]
  ! mountpoint -q "$CRASHFS_MNT"
}

# A clean unmount: everything written is kept.
crashfs_unmount() {
  fusermount3 -u "$CRASHFS_MNT"
  wait "$CRASHFS_PID"
  CRASHFS_PID=""
}

crashfs_cleanup() {
  [[ -n "$CRASHFS_PID" ]] || return 0
  fusermount3 -uz "$CRASHFS_MNT" 2>/dev/null || true
  kill "$CRASHFS_PID" 2>/dev/null || true
  wait "$CRASHFS_PID" 2>/dev/null || true
}
CLEANUP_HOOKS+=(crashfs_cleanup)
