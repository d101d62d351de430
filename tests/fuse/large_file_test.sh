#!/usr/bin/env bash
# A 100 GiB file: sparse creation, data far into it, and a one-byte edit that must neither copy
# nor re-read the file (bounded time and bounded new chunk bytes).
source "$(dirname "$0")/lib.sh" "$1"
init_drive
mount_drive
F=$MNT/huge.raw
truncate -s 100G "$F"
head -c $((8 * 1024 * 1024)) /dev/urandom > "$WORK/block"
dd if="$WORK/block" of="$F" bs=1M seek=$((60 * 1024)) conv=notrunc,fsync status=none
"$REEL" sync "$MNT"
check "size is 100 GiB" [ "$(stat -c %s "$F")" = $((100 * 1024 * 1024 * 1024)) ]
check "data at 60 GiB" cmp <(dd if="$F" bs=1M skip=$((60 * 1024)) count=8 status=none) "$WORK/block"
store_bytes() { du -sb "$DRIVE/store" | cut -f1; }
before=$(store_bytes)
start=$(date +%s%N)
printf 'X' | dd of="$F" bs=1 seek=$((60 * 1024 * 1024 * 1024 + 12345)) conv=notrunc status=none
"$REEL" sync "$MNT"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
added=$(( $(store_bytes) - before ))
log "one-byte edit of a 100 GiB file: ${elapsed_ms} ms, ${added} new bytes in the store"
check "edit is fast (no full re-read)" [ "$elapsed_ms" -lt 20000 ]
check "edit stores at most 8 MiB" [ "$added" -le $((8 * 1024 * 1024)) ]
check "edited byte" [ "$(dd if="$F" bs=1 skip=$((60 * 1024 * 1024 * 1024 + 12345)) count=1 status=none)" = X ]
check "hole still zero" [ "$(dd if="$F" bs=1M skip=$((90 * 1024)) count=1 status=none | tr -d '\0' | wc -c)" = 0 ]
check "three versions (truncate, write, edit)" [ "$(ls "$MNT/.reel/versions/huge.raw" | wc -l)" = 3 ]
unmount_drive
finish
