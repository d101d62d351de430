#!/usr/bin/env bash
# Two processes with two handles each write the same files in a seeded interleaving of pwrite,
# pread, ftruncate, fsync, close, open (O_APPEND, O_TRUNC) and rename, with commits (`reel save`,
# `reel sync`) overlapping them (tests/fuse/two_writers.py). The same run on the local disk is the
# oracle: every step's result and the final files must match, and every version is readable.
source "$(dirname "$0")/lib.sh" "$1"
DRIVER=$(dirname "$0")/two_writers.py
STEPS=${REEL_TWO_WRITERS_STEPS:-500}
init_drive
mount_drive

for seed in 1 2 3 4 5 6; do
  log "seed $seed: $STEPS steps"
  mkdir -p "$MNT/s$seed" "$WORK/local/s$seed"
  python3 "$DRIVER" "$WORK/local/s$seed" "$seed" "$STEPS" > "$WORK/local.$seed"
  python3 "$DRIVER" "$MNT/s$seed" "$seed" "$STEPS" --reel "$REEL" > "$WORK/mount.$seed"
  check "seed $seed: every step and the final files match the local disk" \
    diff "$WORK/local.$seed" "$WORK/mount.$seed"
  "$REEL" sync "$MNT"
  for f in "$MNT/s$seed"/*; do
    name=$(basename "$f")
    versions=$MNT/.reel/versions/s$seed/$name
    if [ -z "$(ls "$versions")" ]; then
      # A new file closed without a write has nothing to keep: no version, and it reads empty.
      check "seed $seed: $name has no version, so it is empty" [ ! -s "$f" ]
      continue
    fi
    for v in "$versions"/*; do check "seed $seed: $name version $(basename "$v") readable" cat "$v" >/dev/null; done
    last=$(ls "$versions" | sort -n | tail -1)
    check "seed $seed: $name's last version is its content" same_file "$f" "$versions/$last"
  done
done
check "fsck" "$REEL" fsck "$MNT"
unmount_drive
finish
