#!/usr/bin/env bash
# A machine crash, not only a process crash: the drive's staging and catalog live on reel-crashfs,
# which at a power cut puts every file back to its last fsync. The drive is killed with -9 (a
# crash kills every process), the power is cut, and the drive mounts again on what the disk holds:
# every fsynced byte is there, every version completed before the crash is there, fsck passes.
# The chunk store stays on the real disk: it is made durable with syncfs(2), which does not reach
# a FUSE filesystem (tests/tools/crashfs/crashfs_main.cc).
# Usage: machine_crash_test.sh PATH_TO_REEL PATH_TO_REEL_CRASHFS
source "$(dirname "$0")/lib.sh" "$1"
source "$(dirname "$0")/crashfs_lib.sh" "$2"
BACK=$WORK/backing
CFS=$WORK/crashfs
MiB=$((1024 * 1024))
for name in a b c1 c2 d e1 e2 big; do head -c $((8 * MiB)) /dev/urandom > "$WORK/$name"; done

crashfs_mount "$BACK" "$CFS"
init_drive
log "catalog and staging on the crash filesystem, chunk store on the real disk"
relocate_catalog_and_staging "$CFS"
mount_drive

# SHA-256 of every version of FILE...: "file/N hash" lines.
version_hashes() {
  local f v
  for f in "$@"; do
    for v in "$MNT/.reel/versions/$f"/*; do echo "$f/$(basename "$v") $(sha256sum < "$v")"; done
  done
}

log "completed versions: a (one version), e (two versions)"
cp "$WORK/a" "$MNT/a"
cp "$WORK/e1" "$MNT/e" && "$REEL" sync "$MNT" && cp "$WORK/e2" "$MNT/e"
"$REEL" sync "$MNT"
version_hashes a e > "$WORK/versions.before"
check "versions listed before the crash" [ "$(wc -l < "$WORK/versions.before")" -eq 3 ]
log "power cut with nothing but completed versions (no fsync since the commits)"
kill_drive
crashfs_power_cut
crashfs_mount "$BACK" "$CFS"
mount_drive
version_hashes a e > "$WORK/versions.after"
check "every completed version survives the power cut" \
  bash -c "! grep -vxFf '$WORK/versions.after' '$WORK/versions.before'"
check "completed file intact" same_file "$WORK/a" "$MNT/a"

log "at the crash: b fsynced and closed, c fsynced then written on, d never synced, e overwritten"
coproc WRITER {
  python3 - "$MNT" "$WORK" <<'PY'
import os, sys
mnt, work = sys.argv[1:]
data = lambda name: open(os.path.join(work, name), "rb").read()
def write(name, content, offset=0, flags=os.O_CREAT | os.O_WRONLY):
    fd = os.open(os.path.join(mnt, name), flags, 0o644)
    os.pwrite(fd, content, offset)
    return fd
fd = write("b", data("b")); os.fsync(fd); os.close(fd)
c = write("c", data("c1")); os.fsync(c)
os.pwrite(c, data("c2"), len(data("c1")))          # acknowledged by write(), not by fsync
d = write("d", data("d"))                             # never synced
e = write("e", data("b")[:4096], 4096, os.O_WRONLY)   # an unsynced overwrite of a committed file
print("ready", flush=True)
sys.stdin.read()  # hold the files open until the machine dies
PY
}
writer_pid=$WRITER_PID  # bash unsets WRITER_PID when the coprocess ends
read -r -t 120 ready <&"${WRITER[0]}" || ready=""
check "writer reached the crash point" [ "$ready" = ready ]
kill_drive
crashfs_power_cut
kill -9 "$writer_pid" 2>/dev/null || true
wait "$writer_pid" 2>/dev/null || true

log "after the power cut: the drive mounts on what the disk holds"
crashfs_mount "$BACK" "$CFS"
mount_drive
check "fsynced and closed file intact" same_file "$WORK/b" "$MNT/b"
check "fsynced bytes of a file being written intact" cmp -n $((8 * MiB)) "$WORK/c1" "$MNT/c"
check "completed version intact" same_file "$WORK/a" "$MNT/a"
version_hashes a e > "$WORK/versions.after"
check "every completed version is still intact" \
  bash -c "! grep -vxFf '$WORK/versions.after' '$WORK/versions.before'"
cp "$WORK/e2" "$WORK/e2.over"
dd if="$WORK/b" of="$WORK/e2.over" bs=4096 count=1 seek=1 conv=notrunc status=none
check "unsynced overwrite either kept whole or dropped" \
  bash -c "cmp -s '$WORK/e2' '$MNT/e' || cmp -s '$WORK/e2.over' '$MNT/e'"
check "fsck after the power cut" "$REEL" fsck "$MNT"
check "staged writes commit after the power cut" "$REEL" sync "$MNT"
check "fsynced bytes intact after the commit" cmp -n $((8 * MiB)) "$WORK/c1" "$MNT/c"

log "power cut while a closed, fsynced file is being committed"
python3 - "$MNT/big" "$WORK/big" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY, 0o644)
os.write(fd, open(sys.argv[2], "rb").read())
os.fsync(fd)
os.close(fd)
PY
kill_drive
crashfs_power_cut
crashfs_mount "$BACK" "$CFS"
mount_drive
check "file being committed at the power cut intact" same_file "$WORK/big" "$MNT/big"
"$REEL" sync "$MNT"
check "fsck after the second power cut" "$REEL" fsck "$MNT"
check "gc after the power cuts" "$REEL" gc "$MNT"
for f in a b big; do check "$f intact after gc" same_file "$WORK/$f" "$MNT/$f"; done

log "power cut after fsync then close, with the version not made yet (policy manual)"
unmount_drive
sed -i 's/^policy = "on-close"/policy = "manual"/' "$DRIVE/reel.toml"
grep -q '^policy = "manual"' "$DRIVE/reel.toml" || { echo "cannot set the manual policy" >&2; exit 1; }
mount_drive
python3 - "$MNT/m" "$WORK/c1" "$WORK/c2" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY, 0o644)
first = open(sys.argv[2], "rb").read()
os.write(fd, first)
os.fsync(fd)
os.pwrite(fd, open(sys.argv[3], "rb").read(), len(first))  # not synced
os.close(fd)  # the staging record is written again here
PY
kill_drive
crashfs_power_cut
crashfs_mount "$BACK" "$CFS"
mount_drive
check "fsynced bytes of a closed, uncommitted file survive" cmp -n $((8 * MiB)) "$WORK/c1" "$MNT/m"
check "fsck after the third power cut" "$REEL" fsck "$MNT"
unmount_drive
crashfs_unmount
finish
