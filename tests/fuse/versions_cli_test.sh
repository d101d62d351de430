#!/usr/bin/env bash
# The CLI against a live mount: save, versions, restore, status, trash, gc, fsck, errors, --json.
source "$(dirname "$0")/lib.sh" "$1"
init_drive
mount_drive
cd "$MNT"
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

head -c 3000000 /dev/urandom > "$WORK/v1"
head -c 2000000 /dev/urandom > "$WORK/v2"
mkdir -p shots
cp "$WORK/v1" shots/a.mov
"$REEL" sync shots/a.mov
cp "$WORK/v2" shots/a.mov
"$REEL" sync .
"$REEL" save shots/a.mov -m "picture lock" >/dev/null
check "three versions" [ "$("$REEL" versions shots/a.mov --json | json 'len(d["versions"]) if isinstance(d, dict) else len(d)')" = 3 ]
check "versions table" bash -c "'$REEL' versions shots/a.mov | grep -q 'picture lock'"
check "version 1 in place" same_file "$WORK/v1" .reel/versions/shots/a.mov/1
check "version 2 in place" same_file "$WORK/v2" .reel/versions/shots/a.mov/2
check "version files read-only" bash -c '! echo x > .reel/versions/shots/a.mov/1 2>/dev/null'

"$REEL" restore shots/a.mov --version 1 >/dev/null
check "restore content" same_file "$WORK/v1" shots/a.mov
check "restore is a new version" [ "$(ls .reel/versions/shots/a.mov | wc -l)" = 4 ]
check "status json size" [ "$("$REEL" status shots/a.mov --json | json 'd["attr"]["size"]')" = 3000000 ]

rm shots/a.mov
check "trash lists it" [ "$("$REEL" trash --json | json '[e["original_path"] for e in d["entries"]]')" = "['shots/a.mov']" ]
check "trash takes the drive's path like gc" [ "$(cd / && "$REEL" trash "$MNT" --json | json 'len(d["entries"])')" = 1 ]
check "trash list takes it too" bash -c "cd / && '$REEL' trash list '$MNT' | grep -q 'shots/a.mov'"
id=$("$REEL" trash --json | json 'd["entries"][0]["id"]')
(cd / && "$REEL" trash restore "$id" "$MNT" >/dev/null)
check "trash restore" same_file "$WORK/v1" shots/a.mov
check "history kept through trash" [ "$(ls .reel/versions/shots/a.mov | wc -l)" = 4 ]

check "gc runs" "$REEL" gc . 
check "fsck clean" "$REEL" fsck .
"$REEL" fsck . --json > "$WORK/fsck.json"
check "fsck json: ok" [ "$(json 'd["ok"]' < "$WORK/fsck.json")" = True ]
check "fsck json: chunks checked" [ "$(json 'd["chunks_checked"]' < "$WORK/fsck.json")" -gt 0 ]
check "fsck json: none missing or corrupt" [ "$(json 'len(d["missing"]) + len(d["corrupt"])' < "$WORK/fsck.json")" = 0 ]

log "errors are clear, name the path given, and lose nothing"
fails_saying() {  # fails_saying TEXT COMMAND...: the command fails and its error contains TEXT (any case)
  local text=$1; shift
  if "$@" >/dev/null 2>"$WORK/err"; then echo "succeeded: $*" >&2; return 1; fi
  grep -qiF -- "$text" "$WORK/err" || { echo "error of '$*' lacks '$text':" >&2; cat "$WORK/err" >&2; return 1; }
  ! grep -Eq 'inode|directory [0-9]' "$WORK/err" || { echo "error names an inode:" >&2; cat "$WORK/err" >&2; return 1; }
}
check "missing file: named, with what to do" \
  fails_saying "reel: shots/nope.mov: no such file or directory in the drive (check the name" \
  "$REEL" versions shots/nope.mov
check "missing directory: named" fails_saying "reel: nodir/x.mov: no such file or directory in the drive" \
  "$REEL" status nodir/x.mov
check "restore of a missing version lists the versions" \
  fails_saying "reel: shots/a.mov has no version 99; it has versions 1-4: pick one of those" \
  "$REEL" restore shots/a.mov --version 99
check "versions --version of a missing one lists them, under the path given" \
  fails_saying "reel: $MNT/shots/a.mov has no version 99; it has versions 1-4" \
  "$REEL" versions "$MNT/shots/a.mov" --version 99
check "versions --version N shows that one" \
  [ "$("$REEL" versions shots/a.mov --version 2 --json | json '[v["number"] for v in d["versions"]]')" = "[2]" ]
check "a directory has no versions: named" fails_saying "reel: shots: only regular files have versions" \
  "$REEL" restore shots --version 1
check "outside any mount: names the mounts" \
  fails_saying "/etc/hostname is not inside a mounted reel drive; give a path inside a mounted drive (mounted here: $MNT" \
  "$REEL" versions /etc/hostname
check "usage error exit 2" bash -c "'$REEL' restore shots/a.mov 2>/dev/null; [ \$? -eq 2 ]"
check "content intact after errors" same_file "$WORK/v1" shots/a.mov

log "fsck finds a corrupt chunk, and passes once it is repaired"
chunk=$(find "$DRIVE/store/objects/chunks" -type f -size +100k | head -1)
cp "$chunk" "$WORK/chunk.bak"
python3 - "$chunk" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:  # flip every bit of one byte in the middle
    f.seek(1000); b = f.read(1); f.seek(1000); f.write(bytes([b[0] ^ 0xFF]))
PY
check "fsck fails on a corrupt chunk" bash -c "! '$REEL' fsck . --json > '$WORK/fsck.json'"
check "fsck json: not ok" [ "$(json 'd["ok"]' < "$WORK/fsck.json")" = False ]
check "fsck json: one corrupt chunk" [ "$(json 'len(d["corrupt"])' < "$WORK/fsck.json")" = 1 ]
check "fsck text fails too, naming it" \
  bash -c "'$REEL' fsck . > '$WORK/fsck.txt' 2>/dev/null; [ \$? -eq 1 ] && grep -q '^corrupt: ' '$WORK/fsck.txt'"
cp "$WORK/chunk.bak" "$chunk"
check "fsck clean after the repair" "$REEL" fsck .
cd /
unmount_drive
finish
