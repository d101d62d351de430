#!/usr/bin/env bash
# The same file saved on two mounts of one team workspace (alice's and bob's, on a real
# PostgreSQL and the Ceph S3 gateway), under each conflict policy of the workspace: bob keeps the
# file open on the version he opened while alice saves a new one, then writes and closes, so his
# commit is made on a version that is no longer current. No bytes are lost under any policy; the
# right version is current on both mounts; `reel conflicts`, `reel versions` and `reel status`
# tell what happened.
source "$(dirname "$0")/lib.sh" "$1"
source "$(dirname "$0")/team_lib.sh" conflicts alice bob
as alice "$REEL" workspace create show >/dev/null
as alice "$REEL" workspace grant show bob writer >/dev/null
as alice "$REEL" mount "$WORK/alice/mnt" --workspace show --background >/dev/null 2>&1
as bob "$REEL" mount "$WORK/bob/mnt" --workspace show --background >/dev/null 2>&1
A=$WORK/alice/mnt
B=$WORK/bob/mnt
mountpoint -q "$A" && mountpoint -q "$B" || { fail "the mounts are not up"; exit 1; }


# race FILE: alice saves "base"; bob opens FILE for writing; alice saves "alice"; bob writes
# "bobby" over it and closes, and waits for his commit. Alice publishes each save, so that its
# bytes are on the shared tier for bob.
race() {
  local f=$1
  printf 'base' >"$A/$f"
  as alice "$REEL" publish "$A/$f" >/dev/null
  within "bob sees $f" holds "$B/$f" base
  exec 3<>"$B/$f"
  printf 'alice' >"$A/$f"
  as alice "$REEL" publish "$A/$f" >/dev/null
  printf 'bobby' >&3
  exec 3>&-
  as bob "$REEL" sync "$B/$f" >/dev/null
}
# conflicts_of USER MOUNT FILE: the outcome of each conflict `reel conflicts` lists for FILE.
conflicts_of() {
  as "$1" "$REEL" conflicts "$2" --json |
    python3 -c 'import json,sys
for l in sys.stdin:
    e = json.loads(l)
    if e["path"] == sys.argv[1]: print(e["conflict"])' "$3"
}
versions_of() {  # versions_of USER PATH: "number kind" per version
  as "$1" "$REEL" versions "$2" --json |
    python3 -c 'import json,sys
for v in json.load(sys.stdin)["versions"]: print(v["number"], v["kind"])'
}

log "last-writer-wins (the default): bob's later save is current, alice's stays a version"
check "the policy is the default" \
  [ "$(as alice "$REEL" workspace list --json | python3 -c 'import json,sys
print([w["conflict"] for w in json.load(sys.stdin)["workspaces"] if w["name"] == "show"][0])')" \
    == last-writer-wins ]
race lww.exr
check "bob reads his save" holds "$B/lww.exr" bobby
as bob "$REEL" publish "$B/lww.exr" >/dev/null
within "alice reads bob's save" holds "$A/lww.exr" bobby
check "three versions, alice's among them" \
  [ "$(versions_of alice "$A/lww.exr" | tr '\n' ' ')" == "1 autosave 2 autosave 3 autosave " ]
check "alice's version keeps her bytes" holds "$A/.reel/versions/lww.exr/2" alice
check "reel conflicts tells alice" [ "$(conflicts_of alice "$A" lww.exr)" == last-writer-wins ]
check "and bob" [ "$(conflicts_of bob "$B" lww.exr)" == last-writer-wins ]

log "keep-both: bob's save becomes a conflict copy next to the file"
fails() { ! "$@" >/dev/null 2>&1; }
check "a writer may not change the policy" fails as bob "$REEL" workspace set show conflict=keep-both
check "a bad policy is refused" fails as alice "$REEL" workspace set show conflict=merge
check "so is an unknown setting" fails as alice "$REEL" workspace set show colour=blue
as alice "$REEL" workspace set show conflict=keep-both >/dev/null
race keep.exr
copy_of() { ls "$1" | grep -E '^keep \(conflict bob [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{4}\)\.exr$'; }
within "alice keeps her save" holds "$A/keep.exr" alice
within "bob reads alice's save once his file is closed" holds "$B/keep.exr" alice
within "bob sees the conflict copy" copy_of "$B"
copy=$(copy_of "$B")
as bob "$REEL" publish "$B/$copy" >/dev/null
within "alice sees the conflict copy" copy_of "$A"
check "the copy holds bob's bytes on alice's mount" holds "$A/$copy" bobby
check "and on bob's" holds "$B/$copy" bobby
check "the file itself has two versions" \
  [ "$(versions_of alice "$A/keep.exr" | tr '\n' ' ')" == "1 autosave 2 autosave " ]
check "reel conflicts tells" [ "$(conflicts_of bob "$B" keep.exr)" == keep-both ]

log "reject: alice's save stays current; bob's is kept as a rejected version"
as alice "$REEL" workspace set show conflict=reject >/dev/null
race rej.exr
within "alice keeps her save" holds "$A/rej.exr" alice
within "bob reads alice's save once his file is closed" holds "$B/rej.exr" alice
check "bob's save is a rejected version" \
  [ "$(versions_of bob "$B/rej.exr" | tr '\n' ' ')" == "1 autosave 2 autosave 3 rejected " ]
as bob "$REEL" status "$B/rej.exr" >"$WORK/status.txt"
check "reel status shows the rejected version" grep -q '^rejected: *3 ' "$WORK/status.txt"
check "reel conflicts tells" [ "$(conflicts_of alice "$A" rej.exr)" == reject ]
as bob "$REEL" restore "$B/rej.exr" --version 3 >/dev/null
as bob "$REEL" publish "$B/rej.exr" >/dev/null
within "restoring it makes bob's bytes current for alice" holds "$A/rej.exr" bobby
as bob "$REEL" status "$B/rej.exr" >"$WORK/status.txt"
check "and nothing is left rejected" fails grep -q '^rejected' "$WORK/status.txt"

as bob "$REEL" umount "$B" >/dev/null
as alice "$REEL" umount "$A" >/dev/null
check_team_mount_logs
finish
