#!/usr/bin/env bash
# A real full disk: the drive's staging and catalog on a 64 MiB ext4 filesystem made by the test
# (a loop-mounted image). Writes that do not fit fail with ENOSPC ("No space left on device"), not
# EIO; nothing acknowledged before is lost; the drive works again once space is freed.
# Needs root (mount -o loop).
source "$(dirname "$0")/lib.sh" "$1"
SMALL=$WORK/small
MiB=$((1024 * 1024))
[[ $(id -u) -eq 0 ]] || { echo "FAIL: the full-disk test mounts a loop image: run it as root" >&2; exit 1; }

unmount_small() { mountpoint -q "$SMALL" && umount "$SMALL"; }
CLEANUP_HOOKS+=(unmount_small)
truncate -s 64M "$WORK/small.img"
mkfs.ext4 -q -F -m 0 "$WORK/small.img"
mkdir -p "$SMALL"
mount -o loop "$WORK/small.img" "$SMALL"

init_drive
relocate_catalog_and_staging "$SMALL"
mount_drive
for name in a b c; do head -c $((8 * MiB)) /dev/urandom > "$WORK/$name"; done

log "versions made before the disk fills"
cp "$WORK/a" "$MNT/a"
"$REEL" sync "$MNT"
cp "$WORK/b" "$MNT/a"  # a second version of a
"$REEL" sync "$MNT"
a_versions=$(ls "$MNT/.reel/versions/a" | wc -l)

log "a write that does not fit fails with ENOSPC"
rc=0
dd if=/dev/urandom of="$MNT/huge" bs=1M count=100 conv=fsync 2>"$WORK/dd.err" || rc=$?
check "dd past the free space fails" [ "$rc" -ne 0 ]
log "dd said: $(tr '\n' ' ' < "$WORK/dd.err")"
check "dd reports ENOSPC ($(tr '\n' ' ' < "$WORK/dd.err"))" grep -q "No space left on device" "$WORK/dd.err"
rc=0
cp "$WORK/c" "$MNT/c" 2>"$WORK/cp.err" || rc=$?
if ((rc != 0)); then  # the staging disk may still be full: then cp must say so too
  check "cp reports ENOSPC ($(tr '\n' ' ' < "$WORK/cp.err"))" grep -q "No space left on device" "$WORK/cp.err"
fi

log "nothing acknowledged before is lost"
check "a intact while the disk is full" same_file "$WORK/b" "$MNT/a"
check "a's first version intact" same_file "$WORK/a" "$MNT/.reel/versions/a/1"
check "a's versions all there" [ "$(ls "$MNT/.reel/versions/a" | wc -l)" -eq "$a_versions" ]

log "the drive works again once space is freed"
check "files can be deleted while the disk is full" rm -f "$MNT/huge" "$MNT/c"
check "pending commits go through once space is freed" "$REEL" sync "$MNT"
check "write after space is freed" cp "$WORK/c" "$MNT/c"
check "sync after space is freed" "$REEL" sync "$MNT"
check "new file intact" same_file "$WORK/c" "$MNT/c"
check "new file has a version" [ -n "$(ls "$MNT/.reel/versions/c")" ]
check "fsck after the full disk" "$REEL" fsck "$MNT"
unmount_drive

log "after a remount everything is there"
mount_drive
check "a intact after remount" same_file "$WORK/b" "$MNT/a"
check "c intact after remount" same_file "$WORK/c" "$MNT/c"
unmount_drive
((FAILS == 0)) || grep -iE "error|warn" "$DRIVE/mount.log" | tail -20 >&2
finish
