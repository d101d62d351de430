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
check "status json" bash -c "'$REEL' status shots/a.mov --json | grep -q '3000000'"

rm shots/a.mov
check "trash lists it" bash -c "'$REEL' trash --json | grep -q 'shots/a.mov'"
id=$("$REEL" trash --json | python3 -c "import json,sys; d=json.load(sys.stdin); e=d['entries'] if isinstance(d, dict) else d; print(e[0]['id'])")
"$REEL" trash restore "$id" >/dev/null
check "trash restore" same_file "$WORK/v1" shots/a.mov
check "history kept through trash" [ "$(ls .reel/versions/shots/a.mov | wc -l)" = 4 ]

check "gc runs" "$REEL" gc . 
check "fsck clean" "$REEL" fsck .
check "fsck json" bash -c "'$REEL' fsck . --json | grep -q chunks_checked"

log "errors are clear and lose nothing"
check "missing path exit 1" bash -c "! '$REEL' versions nope.mov 2>$WORK/err; grep -q 'reel:' $WORK/err"
check "bad version exit 1" bash -c "! '$REEL' restore shots/a.mov --version 99 2>/dev/null"
check "outside any mount" bash -c "! '$REEL' versions /etc/hostname 2>/dev/null"
check "usage error exit 2" bash -c "'$REEL' restore shots/a.mov 2>/dev/null; [ \$? -eq 2 ]"
check "content intact after errors" same_file "$WORK/v1" shots/a.mov
cd /
unmount_drive
finish
