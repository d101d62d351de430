#!/usr/bin/env bash
# What a teammate sees (a workspace's share setting), on two mounts of one team workspace
# (alice's and bob's, on a real PostgreSQL and the Ceph S3 gateway). In a project workspace
# (share = on-publish, the default) bob sees alice's new file at once but empty, her saves only
# once she publishes them, and `reel versions` lists only published versions and his own; alice
# always reads her newest save. With share = on-close every save is published as it is made
# (alice's mount uploads it to the cloud tier in the background): bob reads it without a publish.
source "$(dirname "$0")/lib.sh" "$1"
source "$(dirname "$0")/team_lib.sh" share alice bob
as alice "$REEL" workspace create show >/dev/null
as alice "$REEL" workspace grant show bob writer >/dev/null
A=$WORK/alice/mnt
B=$WORK/bob/mnt
as alice "$REEL" mount "$A" --workspace show --background >/dev/null 2>&1
as bob "$REEL" mount "$B" --workspace show --background >/dev/null 2>&1
mountpoint -q "$A" && mountpoint -q "$B" || { fail "the mounts are not up"; exit 1; }

fails() { ! "$@" >/dev/null 2>&1; }
size_is() { [ "$(stat -c %s "$2")" == "$1" ]; }
# seen_by_bob NAME: bob's mount has applied every change alice made before she made NAME (the
# feed delivers a workspace's changes in order, so what she saved before is known to bob).
seen_by_bob() {
  touch "$A/$1"
  within "bob sees $1" test -e "$B/$1"
}
versions_of() {  # versions_of USER PATH: "number author published" per version
  as "$1" "$REEL" versions "$2" --json |
    python3 -c 'import json,sys
for v in json.load(sys.stdin)["versions"]: print(v["number"], v.get("author", "-"), v["published"])'
}

check "a project workspace shares on publish" \
  [ "$(as alice "$REEL" workspace list --json | python3 -c 'import json,sys
print([w["share"] for w in json.load(sys.stdin)["workspaces"] if w["name"] == "show"][0])')" \
    == on-publish ]

log "alice saves a new file: bob sees its name at once, nothing of its content"
printf 'first take' >"$A/plate.exr"
as alice "$REEL" sync "$A/plate.exr" >/dev/null
seen_by_bob marker1
check "bob sees plate.exr" test -e "$B/plate.exr"
check "empty" size_is 0 "$B/plate.exr"
check "and reads nothing" holds "$B/plate.exr" ""
check "alice reads her save" holds "$A/plate.exr" "first take"
check "bob lists no version of it" [ -z "$(versions_of bob "$B/plate.exr")" ]

log "alice publishes: bob reads it"
as alice "$REEL" publish "$A/plate.exr" >/dev/null
within "bob reads alice's published save" holds "$B/plate.exr" "first take"
check "with its size" size_is 10 "$B/plate.exr"

log "alice saves again without publishing: bob keeps reading the published one"
printf 'second take, a draft' >"$A/plate.exr"
as alice "$REEL" sync "$A/plate.exr" >/dev/null
seen_by_bob marker2
check "bob still reads the published save" holds "$B/plate.exr" "first take"
check "and its size" size_is 10 "$B/plate.exr"
check "alice reads her draft" holds "$A/plate.exr" "second take, a draft"
check "bob lists the published version only" [ "$(versions_of bob "$B/plate.exr")" == "1 alice yes" ]
check "alice lists both, with their authors" \
  [ "$(versions_of alice "$A/plate.exr" | tr '\n' ' ')" == "1 alice yes 2 alice no " ]
as bob "$REEL" versions "$B/plate.exr" >"$WORK/versions.txt"
check "reel versions shows authors on a team drive" grep -Eq '^VERSION .*AUTHOR +PUBLISHED' "$WORK/versions.txt"

log "alice publishes the draft: bob reads it"
as alice "$REEL" publish "$A/plate.exr" >/dev/null
within "bob reads the second save once published" holds "$B/plate.exr" "second take, a draft"

log "share = on-close: every save is published as it is made; bob reads it once uploaded"
check "a writer may not change it" fails as bob "$REEL" workspace set show share=on-close
check "a bad value is refused" fails as alice "$REEL" workspace set show share=sometimes
as alice "$REEL" workspace set show share=on-close >/dev/null
head -c 3000000 /dev/urandom >"$WORK/take3.bin"
cp "$WORK/take3.bin" "$A/plate.exr"
within "bob reads alice's save without a publish" same_file "$WORK/take3.bin" "$B/plate.exr"
check "and lists it, published" [ "$(versions_of bob "$B/plate.exr" | tail -1)" == "3 alice yes" ]
printf 'notes' >"$A/notes.txt"
within "a new file too" holds "$B/notes.txt" notes

as bob "$REEL" umount "$B" >/dev/null
as alice "$REEL" umount "$A" >/dev/null
check_team_mount_logs
finish
