#!/usr/bin/env bash
# The change feed through a mount: `reel events` tells what happened to the drive, in order and
# with paths (only under the PATH given), and --follow tells new changes as they happen.
source "$(dirname "$0")/lib.sh" "$1"
init_drive
mount_drive
cd "$MNT"
# "kind path" of each JSON line of the feed (" <- old_path" for a rename).
described() {
  python3 -c '
import json, sys
for line in sys.stdin:
    e = json.loads(line)
    print(e["kind"], e["path"] + (" <- " + e["old_path"] if e["kind"] == "renamed" else ""))'
}

mkdir shots other
echo one > shots/a.txt
"$REEL" sync .
mv shots/a.txt shots/b.txt
ln shots/b.txt shots/c.txt
rm shots/c.txt
rm shots/b.txt
ln -s b.txt shots/link
chmod 700 shots
echo x > other/x.txt
"$REEL" sync .
"$REEL" events --json --after 0 > "$WORK/all"
described < "$WORK/all" > "$WORK/got"
cat > "$WORK/want" <<'WANT'
created shots
created other
created shots/a.txt
version shots/a.txt
renamed shots/b.txt <- shots/a.txt
linked shots/c.txt
removed shots/c.txt
trashed shots/b.txt
created shots/link
changed shots
created other/x.txt
version other/x.txt
WANT
check "every change, in order, with its path" diff "$WORK/want" "$WORK/got"
check "seqs increase by one" python3 -c '
import json, sys
seqs = [json.loads(l)["seq"] for l in open(sys.argv[1])]
sys.exit(0 if seqs == list(range(seqs[0], seqs[0] + len(seqs))) else 1)' "$WORK/all"

"$REEL" events shots --json --after 0 | described > "$WORK/shots"
check "PATH keeps what happened under it" [ "$(grep -c other "$WORK/shots")" = 0 ]
check "PATH keeps all of it" [ "$(wc -l < "$WORK/shots")" = 9 ]
"$REEL" events --last 3 | tee "$WORK/last3" > /dev/null
check "--last N shows the last N" [ "$(wc -l < "$WORK/last3")" = 3 ]
"$REEL" events --after 0 > "$WORK/human"
check "a rename says where from" grep -q 'renamed .*shots/b.txt  (from shots/a.txt)' "$WORK/human"
check "a version says which and how big" grep -q 'version .*other/x.txt  (v1, autosave, 2 B)' "$WORK/human"
check "a bad --after is refused" bash -c "! '$REEL' events --after nope 2>/dev/null"

log "--follow tells a change as it happens"
head=$(tail -1 "$WORK/all" | python3 -c 'import json,sys; print(json.load(sys.stdin)["seq"])')
mkfifo "$WORK/feed"
"$REEL" events --follow --json --after "$head" > "$WORK/feed" &
follower=$!
exec 3< "$WORK/feed"
touch shots/new.txt
line=""
read -r -t 30 -u 3 line || true
check "the new file's create comes through" grep -q '"path":"shots/new.txt"' <<< "$line"
check "right after the last seen" grep -q "\"seq\":$((head + 1))," <<< "$line"
kill "$follower"
wait "$follower" 2>/dev/null || true
exec 3<&-

cd /
unmount_drive
finish
