#!/usr/bin/env bash
# reel-crashfs itself: after a power cut every file holds what it held at its last fsync
# (synced writes survive, unsynced writes, truncates and appends are undone), namespace changes
# are kept, and a clean unmount keeps everything.
# Usage: crashfs_test.sh PATH_TO_REEL PATH_TO_REEL_CRASHFS
source "$(dirname "$0")/lib.sh" "$1"
source "$(dirname "$0")/crashfs_lib.sh" "$2"
BACK=$WORK/backing
CFS=$WORK/crashfs
fsync_file() { sync "$@"; }          # coreutils sync FILE: fsync(2) of FILE
fdatasync_file() { sync -d "$@"; }   # fdatasync(2)
random() { head -c "$1" /dev/urandom; }
# punch_hole FILE OFFSET LENGTH, without the fsync that util-linux fallocate(1) adds.
punch_hole() {
  python3 - "$@" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open(sys.argv[1], os.O_RDWR)
FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE = 1, 2
if libc.fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE,
                  ctypes.c_long(int(sys.argv[2])), ctypes.c_long(int(sys.argv[3]))) != 0:
    sys.exit(os.strerror(ctypes.get_errno()))
PY
}

crashfs_mount "$BACK" "$CFS"
random $((1024 * 1024)) > "$WORK/one"
random $((1024 * 1024)) > "$WORK/two"

log "files in every state at the power cut"
cp "$WORK/one" "$CFS/synced" && fsync_file "$CFS/synced"
cp "$WORK/one" "$CFS/datasynced" && fdatasync_file "$CFS/datasynced"
cp "$WORK/one" "$CFS/unsynced"
cp "$WORK/one" "$CFS/overwritten" && fsync_file "$CFS/overwritten"
dd if="$WORK/two" of="$CFS/overwritten" bs=4096 seek=10 count=20 conv=notrunc status=none
cp "$WORK/one" "$CFS/truncated" && fsync_file "$CFS/truncated"
truncate -s 1000 "$CFS/truncated"
truncate -s 5000 "$CFS/truncated"
cp "$WORK/one" "$CFS/appended" && fsync_file "$CFS/appended"
cat "$WORK/two" >> "$CFS/appended"
cp "$WORK/one" "$CFS/renamed" && fsync_file "$CFS/renamed"
dd if="$WORK/two" of="$CFS/renamed" bs=4096 count=1 conv=notrunc status=none
mv "$CFS/renamed" "$CFS/renamed-to"
cp "$WORK/one" "$CFS/resynced" && fsync_file "$CFS/resynced"
truncate -s 0 "$CFS/resynced" && cat "$WORK/two" > "$CFS/resynced" && fsync_file "$CFS/resynced"
cp "$WORK/one" "$CFS/punched" && fsync_file "$CFS/punched"
punch_hole "$CFS/punched" 8192 65536
mkdir "$CFS/dir" && cp "$WORK/one" "$CFS/dir/nested" && fsync_file "$CFS/dir/nested"
check "unsynced writes are visible before the power cut" \
  same_file "$WORK/two" <(tail -c $((1024 * 1024)) "$CFS/appended")
crashfs_power_cut

log "after the power cut: the backing directory holds the last-synced state"
check "synced write survives" same_file "$WORK/one" "$BACK/synced"
check "fdatasynced write survives" same_file "$WORK/one" "$BACK/datasynced"
check "unsynced new file comes back empty" [ -f "$BACK/unsynced" -a ! -s "$BACK/unsynced" ]
check "unsynced overwrite is undone" same_file "$WORK/one" "$BACK/overwritten"
check "truncate is undone" same_file "$WORK/one" "$BACK/truncated"
check "unsynced append is undone" same_file "$WORK/one" "$BACK/appended"
check "rename is kept, its unsynced write undone" same_file "$WORK/one" "$BACK/renamed-to"
check "rename source is gone" [ ! -e "$BACK/renamed" ]
check "writes before the last fsync are kept" same_file "$WORK/two" "$BACK/resynced"
check "unsynced hole punch is undone" same_file "$WORK/one" "$BACK/punched"
check "file in a new directory survives" same_file "$WORK/one" "$BACK/dir/nested"

log "a clean unmount keeps unsynced writes"
crashfs_mount "$BACK" "$CFS"
check "remount shows the restored state" same_file "$WORK/one" "$CFS/overwritten"
cp "$WORK/two" "$CFS/clean"
crashfs_unmount
check "clean unmount keeps unsynced data" same_file "$WORK/two" "$BACK/clean"
finish
