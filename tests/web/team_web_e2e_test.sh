#!/usr/bin/env bash
# The web app in team mode end to end: a team server (`reel server`, on a real PostgreSQL and the
# Ceph S3 gateway) serving the app, alice's mount of project workspace `show` (her saves,
# published to the cloud tier so the server can read their bytes), and Debian's Chromium driven
# by Playwright (tests/web/team_e2e.mjs) through sign-in with an API token, browsing, a file's
# versions and previews with the controls to change files (alice is show's admin) and none for
# uploads or tiers, a video played and sought by range requests, live updates of changes made on
# the mount, a task sent to her mount from the file page, the admin page (settings, grants,
# instances), bob without a grant (then granted reader from the admin page: no controls to
# change anything), a cross-origin change refused, the Team page (users, group @artists, a
# workspace made from its form, a token made, used from Node and revoked, bob revoking his
# browser's own token), show's sharing changed on its admin page, alice's changes from the app
# (a new folder, a rename and back, a delete undone, one restored from the trash, a version
# restored, a named checkpoint), each shown on her mount, and sign out. Then the shell checks
# what the browser did: the grant, the task, the new workspace, the setting and the files.
#   team_web_e2e_test.sh REEL_BIN     (SHOTS_DIR=DIR: also write screenshots of each page there)
source "$(dirname "$0")/../fuse/lib.sh" "$1"
source "$(dirname "$0")/e2e_lib.sh"
source "$(dirname "$0")/../fuse/team_lib.sh" web alice bob
token_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$WORK/$1.token.json"; }

as alice "$REEL" workspace create show >/dev/null
# A group, for the Team page's list and the grant form's suggestions (@artists).
"$REEL" server group add artists --dir "$WORK/server" >/dev/null
"$REEL" server group add-user artists bob --dir "$WORK/server" >/dev/null
A=$WORK/alice/mnt
as alice "$REEL" mount "$A" --workspace show --background >/dev/null 2>&1
mountpoint -q "$A" || { fail "alice's mount is not up"; exit 1; }

log "fixtures on alice's mount: docs/notes.txt with 2 versions, media/clip.webm, media/keep.txt; published"
mkdir -p "$A/docs" "$A/media"
# Each version is published as it is made: the server reads a version's bytes from the cloud
# tier, and an unpublished one of a project workspace stays on alice's machine (409).
for v in one two; do
  echo "$v" >"$A/docs/notes.txt"
  as alice "$REEL" sync "$A" >/dev/null
  as alice "$REEL" publish "$A/docs/notes.txt" >/dev/null
done
make_clip "$WORK/clip.webm"
cp "$WORK/clip.webm" "$A/media/clip.webm"
as alice "$REEL" sync "$A" >/dev/null
as alice "$REEL" publish "$A/media/clip.webm" >/dev/null
# Deleted, put back by Undo, deleted again and restored from the trash in the browser (check o).
echo keep >"$A/media/keep.txt"
as alice "$REEL" sync "$A" >/dev/null
as alice "$REEL" publish "$A/media/keep.txt" >/dev/null
# published FILE WANT: alice's mount lists the versions of FILE as WANT ("number:published"...).
published() {
  [ "$(as alice "$REEL" versions "$1" --json | python3 -c 'import json,sys
print(" ".join("%d:%s" % (v["number"], v["published"]) for v in json.load(sys.stdin)["versions"]))')" == "$2" ]
}
# `reel publish` waits until the versions are on the cloud tier; the listing must say so.
within "notes.txt's 2 versions are published" published "$A/docs/notes.txt" "1:yes 2:yes"
within "clip.webm is published" published "$A/media/clip.webm" "1:yes"
within "keep.txt is published" published "$A/media/keep.txt" "1:yes"
check "the clip is whole on the mount" same_file "$WORK/clip.webm" "$A/media/clip.webm"
# Safe on the cloud tier, the clip leaves alice's cache: the Hydrate the browser has her mount
# run (check g) fetches every chunk of it back.
as alice "$REEL" evict "$A/media/clip.webm" >/dev/null

check "the server serves the app" curl -sf -o /dev/null "$URL/"
check "the API answers 401 without signing in" \
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/workspaces")" = 401 ]
INSTANCE=$(as alice "$REEL" instances --json | python3 -c 'import json,sys
print(next(i["name"] for i in json.load(sys.stdin)["instances"] if i["workspace"] == "show" and i["online"]))')
[[ -n "$INSTANCE" ]] || { fail "alice's mount is not an online instance of show"; exit 1; }

log "browser (Chromium, headless) at $URL; alice's instance $INSTANCE"
if TEAM_URL=$URL ALICE_TOKEN=$(token_of alice) BOB_TOKEN=$(token_of bob) MOUNT=$A REEL=$REEL \
    INSTANCE=$INSTANCE CHROMIUM=$CHROMIUM SHOTS_DIR=${SHOTS_DIR:-} node "$ROOT/tests/web/team_e2e.mjs"; then
  pass
else
  fail "the browser's checks (above)"
fi

log "the team after the browser's changes"
grants=$(as alice "$REEL" workspace grants show --json 2>/dev/null || true)
check "the grant made in the browser: bob reads show" python3 -c 'import json,sys
g = {x["principal"]: x["role"] for x in json.loads(sys.argv[1])["grants"]}
sys.exit(0 if g.get("bob") == "reader" and g.get("alice") == "admin" else 1)' "$grants"
tasks=$(as alice "$REEL" task list "$INSTANCE" --json 2>/dev/null || true)
check "the task sent from the browser: a hydrate of media/clip.webm, done" python3 -c 'import json,sys
t = json.loads(sys.argv[1])["tasks"]
sys.exit(0 if [(x["kind"], x["path"], x["state"], x["created_by"]) for x in t] == [("hydrate", "media/clip.webm", "done", "alice")] else 1)' "$tasks"
check "the clip hydrated by the task is whole on the mount" same_file "$WORK/clip.webm" "$A/media/clip.webm"
check "the file written beside the open page" holds "$A/docs/live.txt" live
check "the folder made in the browser is a folder on the mount" test -d "$A/made-in-browser"
check "docs/notes.txt, renamed and back, restored to version 1: one" holds "$A/docs/notes.txt" one
check "no docs/renamed.txt is left" test ! -e "$A/docs/renamed.txt"
check "media/keep.txt, restored from the trash, is back" holds "$A/media/keep.txt" keep
# kinds FILE: alice's mount lists the versions of FILE as "number:kind"...
kinds() {
  as alice "$REEL" versions "$1" --json | python3 -c 'import json,sys
print(" ".join("%d:%s" % (v["number"], v["kind"]) for v in json.load(sys.stdin)["versions"]))'
}
check "notes.txt's versions: its 2, the restore made in the browser, then its checkpoint" \
  [ "$(kinds "$A/docs/notes.txt" | cut -d' ' -f3-)" = "3:restore 4:checkpoint" ]
spaces=$(as alice "$REEL" workspace list --json 2>/dev/null || true)
check "the workspace made in the browser: cut, alice's, not encrypted; show shares on close" python3 -c 'import json,sys
w = {x["name"]: x for x in json.loads(sys.argv[1])["workspaces"]}
sys.exit(0 if w.get("cut", {}).get("role") == "admin" and w["cut"].get("encrypted") is False
         and w.get("show", {}).get("share") == "on-close" else 1)' "$spaces"

as alice "$REEL" umount "$A" >/dev/null
check_team_mount_logs
finish
