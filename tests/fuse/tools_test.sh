#!/usr/bin/env bash
# Real tools in the mount: cp, dd, rsync, tar, sqlite3. Content checked by hash.
source "$(dirname "$0")/lib.sh" "$1"
init_drive
mount_drive
SRC=$WORK/src
mkdir -p "$SRC/tree/sub"
head -c $((48 * 1024 * 1024)) /dev/urandom > "$SRC/big.bin"
for i in $(seq 1 200); do head -c $((RANDOM * 3)) /dev/urandom > "$SRC/tree/sub/f$i"; done
ln -s sub/f1 "$SRC/tree/link"

log "cp"
cp "$SRC/big.bin" "$MNT/big.bin"
check "cp content" same_file "$SRC/big.bin" "$MNT/big.bin"
cp -a "$SRC/tree" "$MNT/tree"
check "cp -a tree" diff -r "$SRC/tree" "$MNT/tree"
check "cp -a keeps symlink" [ "$(readlink "$MNT/tree/link")" = sub/f1 ]

log "dd"
dd if="$SRC/big.bin" of="$MNT/dd.bin" bs=1M conv=fsync status=none
check "dd content" same_file "$SRC/big.bin" "$MNT/dd.bin"
dd if=/dev/zero of="$MNT/dd.bin" bs=4096 seek=1000 count=3 conv=notrunc status=none
dd if=/dev/zero of="$SRC/big.bin.expected" bs=1 count=0 status=none
cp "$SRC/big.bin" "$SRC/big.bin.expected"
dd if=/dev/zero of="$SRC/big.bin.expected" bs=4096 seek=1000 count=3 conv=notrunc status=none
check "dd in-place edit" same_file "$SRC/big.bin.expected" "$MNT/dd.bin"

log "rsync"
rsync -a --delete "$SRC/tree/" "$MNT/rsynced/"
check "rsync tree" diff -r "$SRC/tree" "$MNT/rsynced"
echo changed > "$SRC/tree/sub/f7"
rsync -a --inplace "$SRC/tree/" "$MNT/rsynced/"
check "rsync --inplace update" diff -r "$SRC/tree" "$MNT/rsynced"
rsync -a "$SRC/tree/" "$MNT/rsynced/"
check "rsync rerun no diff" diff -r "$SRC/tree" "$MNT/rsynced"
check "rsync mtimes kept" [ "$(stat -c %Y "$SRC/tree/sub/f3")" = "$(stat -c %Y "$MNT/rsynced/sub/f3")" ]

log "tar"
tar -C "$SRC" -cf "$MNT/tree.tar" tree
check "tar create" bash -c "tar -tf '$MNT/tree.tar' | grep -q sub/f200"
mkdir "$MNT/untar"
tar -C "$MNT/untar" -xf "$MNT/tree.tar"
check "tar extract" diff -r "$SRC/tree" "$MNT/untar/tree"
tar -C "$MNT" -cf "$WORK/back.tar" untar
mkdir "$WORK/back" && tar -C "$WORK/back" -xf "$WORK/back.tar"
check "tar from mount" diff -r "$SRC/tree" "$WORK/back/untar/tree"

log "sqlite3 database inside the mount"
DB=$MNT/studio.db
sqlite3 "$DB" "CREATE TABLE shots(id INTEGER PRIMARY KEY, name TEXT, frames INT);"
for i in $(seq 1 50); do
  sqlite3 "$DB" "BEGIN; INSERT INTO shots(name, frames) VALUES ('sh$i', $i); COMMIT;"
done
sqlite3 "$DB" "PRAGMA journal_mode=WAL;" >/dev/null
sqlite3 "$DB" "INSERT INTO shots(name, frames) SELECT name || '_b', frames * 2 FROM shots;"
check "sqlite rows" [ "$(sqlite3 "$DB" 'SELECT count(*), sum(frames) FROM shots;')" = "100|3825" ]
check "sqlite integrity" [ "$(sqlite3 "$DB" 'PRAGMA integrity_check;')" = ok ]

unmount_drive
mount_drive
log "after remount"
check "big after remount" same_file "$SRC/big.bin" "$MNT/big.bin"
check "tree after remount" diff -r "$SRC/tree" "$MNT/rsynced"
check "sqlite after remount" [ "$(sqlite3 "$DB" 'SELECT count(*) FROM shots;')" = 100 ]
check "sqlite integrity after remount" [ "$(sqlite3 "$DB" 'PRAGMA integrity_check;')" = ok ]
unmount_drive
finish
