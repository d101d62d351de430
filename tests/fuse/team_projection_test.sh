#!/usr/bin/env bash
# A projected workspace on a render node: alice's show (a real PostgreSQL and the Ceph S3
# gateway) holds two shots; `reel project` puts shot 010's files into workspace shot010 without
# copying bytes; carol, who may read shot010 and nothing else, mounts it and reads exactly those
# files, byte for byte as the originals on the local disk (the oracle), and cannot mount the show.
source "$(dirname "$0")/lib.sh" "$1"
source "$(dirname "$0")/team_lib.sh" projection alice carol
as alice "$REEL" workspace create show >/dev/null
as alice "$REEL" workspace create shot010 >/dev/null
as alice "$REEL" workspace grant shot010 carol reader >/dev/null
A=$WORK/alice/mnt
R=$WORK/carol/mnt
as alice "$REEL" mount "$A" --workspace show --background >/dev/null 2>&1
mountpoint -q "$A" || { fail "alice's mount is not up"; exit 1; }

mkdir -p "$WORK/src/shots/010/plates" "$WORK/src/shots/020"
head -c 3000000 /dev/urandom >"$WORK/src/shots/010/plates/plate.0001.exr"
head -c 1500000 /dev/urandom >"$WORK/src/shots/010/plates/plate.0002.exr"
printf 'comp script\n' >"$WORK/src/shots/010/comp.nk.txt"
head -c 2000000 /dev/urandom >"$WORK/src/shots/020/plate.0001.exr"
cp -r "$WORK/src/shots" "$A/"
as alice "$REEL" publish "$A/shots" >/dev/null

out=$(as alice "$REEL" project show shot010 shots/010 --json)
check "two plates and a script projected" \
  [ "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["files"])' "$out")" == 3 ]
as carol "$REEL" mount "$R" --workspace shot010 --background >/dev/null 2>&1
mountpoint -q "$R" || { fail "carol's mount is not up"; exit 1; }
check "the render node sees the shot's files and nothing else" \
  [ "$(cd "$R" && find . -type f | sort | tr '\n' ' ')" == \
    "./shots/010/comp.nk.txt ./shots/010/plates/plate.0001.exr ./shots/010/plates/plate.0002.exr " ]
for f in shots/010/plates/plate.0001.exr shots/010/plates/plate.0002.exr shots/010/comp.nk.txt; do
  check "$f reads as the original" cmp -s "$WORK/src/$f" "$R/$f"
done
mkdir -p "$WORK/carol/show"
cannot_mount_show() { ! as carol "$REEL" mount "$WORK/carol/show" --workspace show --background >/dev/null 2>&1; }
check "carol cannot mount the show" cannot_mount_show
check "nor write the projection (a reader)" bash -c "! printf x >'$R/shots/010/comp.nk.txt' 2>/dev/null"
out=$(as alice "$REEL" project show shot010 'shots/*/plate.0001.exr' 'shots/*/*/plate.0001.exr' --dir dailies)
check "reel project tells what it did" grep -q "^projected 2 files" <<<"$out"
within "a second projection shows on the render node" \
  cmp -s "$WORK/src/shots/020/plate.0001.exr" "$R/dailies/shots/020/plate.0001.exr"

as carol "$REEL" umount "$R" >/dev/null
as alice "$REEL" umount "$A" >/dev/null
check_team_mount_logs
finish
