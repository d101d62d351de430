#!/usr/bin/env bash
# A lost catalog: the mount is refused with the way back, `reel catalog restore` brings every
# committed file back (on this machine, and on a "new machine" that has only the manifest and
# the shared edge tier), and backups land on the edge on schedule and at unmount.
source "$(dirname "$0")/lib.sh" "$1"
EDGE=$WORK/edge
init_drive --edge "file://$EDGE"
# Backups every second and 3 kept, so the schedule and the pruning are seen within the test.
sed -i -e 's/^backup_interval = .*/backup_interval = 1/' -e 's/^backup_keep = .*/backup_keep = 3/' \
  "$DRIVE/reel.toml"
mount_drive

log "write files and save them to the edge"
mkdir -p "$WORK/src/shots"
head -c 3000000 /dev/urandom > "$WORK/src/shots/a.mov"
head -c 700000 /dev/urandom > "$WORK/src/b.exr"
printf 'small\n' > "$WORK/src/notes.txt"
cp -r "$WORK/src/." "$MNT/"
"$REEL" sync "$MNT"
"$REEL" save "$MNT/shots/a.mov" >/dev/null
"$REEL" save "$MNT/b.exr" >/dev/null
"$REEL" save "$MNT/notes.txt" >/dev/null
# The scheduled backups run every second: wait (bounded) until the oldest backup seen now has
# been pruned, i.e. at least 3 newer ones were made.
backups() { find "$EDGE/objects/catalog-backups" -name '*.db.zst' -printf '%f\n' 2>/dev/null | sort; }
for _ in $(seq 1 100); do [[ -n "$(backups)" ]] && break; sleep 0.1; done
oldest=$(backups | head -1)
check "a scheduled backup is on the edge" [ -n "$oldest" ]
for _ in $(seq 1 100); do
  backups | grep -qx "$oldest" || break
  sleep 0.1
done
check "newer scheduled backups replaced the oldest" bash -c "! find '$EDGE/objects/catalog-backups' -name '$oldest' | grep -q ."
check "the newest 3 are kept" [ "$(backups | wc -l)" -eq 3 ]
check "backup on request through the mount" bash -c "'$REEL' catalog backup '$MNT' --json | grep -q '\"edge\"'"
check "no backup in the local store when there is an edge" \
  [ ! -d "$DRIVE/store/objects/catalog-backups" ]
unmount_drive
check "still 3 after the unmount's backup" [ "$(backups | wc -l)" -eq 3 ]
check "list shows them" bash -c "'$REEL' catalog list '$DRIVE' | grep -q edge"
newest=$(backups | tail -1)
check "backup of a drive that is not mounted" bash -c "'$REEL' catalog backup '$DRIVE' --json | grep -q '\"edge\"'"
check "it is the newest now" [ "$(backups | tail -1)" != "$newest" ]

log "delete the catalog: the mount is refused, naming the way back"
chunks() { find "$DRIVE/store/objects/chunks" -type f | wc -l; }
chunks_before=$(chunks)
rm -f "$DRIVE"/catalog.db "$DRIVE"/catalog.db-wal "$DRIVE"/catalog.db-shm
if "$REEL" mount "$MNT" --drive "$DRIVE" --background 2>"$WORK/err"; then
  fail "mount over a deleted catalog succeeded"
  unmount_drive
else
  check "the error names reel catalog restore" grep -q "reel catalog restore $DRIVE" "$WORK/err"
fi
check "no empty catalog was created" [ ! -e "$DRIVE/catalog.db" ]
# gc runs only through a mount, and there is none: nothing can take the chunks for garbage.
check "gc refused" bash -c "! '$REEL' gc '$MNT' 2>/dev/null"
check "every chunk still there" [ "$(chunks)" -eq "$chunks_before" ]
check "chunks were there to lose" [ "$chunks_before" -gt 0 ]

log "garbage in place of the catalog: refused too"
head -c 20000 /dev/urandom > "$DRIVE/catalog.db"
check "garbage catalog refused" bash -c "! '$REEL' mount '$MNT' --drive '$DRIVE' --background 2>'$WORK/err2'"
check "its error names the way back" grep -q "reel catalog restore" "$WORK/err2"

log "restore, mount, compare every file"
"$REEL" catalog restore "$DRIVE" > "$WORK/restore.out"
check "restore says what it kept" grep -q "previous catalog file was kept" "$WORK/restore.out"
mount_drive
for f in shots/a.mov b.exr notes.txt; do
  check "restored $f intact" same_file "$WORK/src/$f" "$MNT/$f"
done
check "fsck after restore" "$REEL" fsck "$MNT"
unmount_drive

log "a new machine with only the manifest and the edge"
NEW=$WORK/newdrive
mkdir -p "$NEW"
cp "$DRIVE/reel.toml" "$NEW/"
check "restore from the edge" bash -c "'$REEL' catalog restore '$NEW' --from edge >/dev/null"
DRIVE=$NEW MOUNT_LOG_CHECKED=0
mount_drive
for f in shots/a.mov b.exr notes.txt; do
  check "new machine: $f intact" same_file "$WORK/src/$f" "$MNT/$f"
done
unmount_drive

log "restore refuses a mounted drive"
mount_drive
check "restore of a mounted drive refused" bash -c "! '$REEL' catalog restore '$DRIVE' 2>/dev/null"
unmount_drive
finish
