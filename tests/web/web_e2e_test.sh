#!/usr/bin/env bash
# The web app end to end: a real mount, `reel web` for a one-time link, and Debian's Chromium
# driven by Playwright (tests/web/e2e.mjs) through sign-in, browsing, a 10,000-entry folder,
# text and video previews (seeking by range requests), restore and checkpoint, uploads (file
# input and drag and drop), new folder, rename, delete, undo, the trash, and live updates of
# changes made on the mount, and the tiers (the drive has an edge and a cloud tier: publish, free
# up space here, pin, bring here, the transfer queue). Then the drive itself is checked: what the
# browser did is what the mount holds.
#   web_e2e_test.sh REEL_BIN     (SHOTS_DIR=DIR: also write screenshots of each page there)
source "$(dirname "$0")/../fuse/lib.sh" "$1"
source "$(dirname "$0")/e2e_lib.sh"
init_drive --name studio --edge "file://$WORK/edge" --cloud "file://$WORK/cloud"
mount_drive

log "fixtures: a text file with 3 versions, a video, an image, a folder of 10,000 files"
mkdir -p "$MNT/docs" "$MNT/media" "$MNT/images" "$MNT/big"
for v in one two three; do
  echo "$v" > "$MNT/docs/notes.txt"
  "$REEL" sync "$MNT" >/dev/null
done
make_clip "$WORK/clip.webm"
cp "$WORK/clip.webm" "$MNT/media/clip.webm"
ffmpeg -v error -f lavfi -i testsrc2=size=320x180 -frames:v 1 "$MNT/images/frame.png"
ffmpeg -v error -f lavfi -i testsrc2=size=1024x576 -frames:v 1 "$MNT/images/plate.exr"
(cd "$MNT/big" && seq -f 'f%05g' 0 9999 | xargs touch)
"$REEL" sync "$MNT" >/dev/null
check "10,000 files in big/" [ "$(ls "$MNT/big" | wc -l)" = 10000 ]

link_json=$("$REEL" web "$MNT" --json)
json() { python3 -c "import json,sys; print(json.loads(sys.argv[1])$2)" "$link_json"; }
WEB_LINK=$(json "" '["url"]')
WEB_ORIGIN=$(json "" '["origin"]')
check "the app's files are served" [ "$(json "" '["app"]')" = True ]
check "a second reel web keeps the address" \
  [ "$("$REEL" web "$MNT" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["origin"])')" = "$WEB_ORIGIN" ]
check "the API answers 401 without signing in" \
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$WEB_ORIGIN/v1/workspaces")" = 401 ]

# A second drive, without tiers: its app shows no tier controls.
PLAIN_MNT=$WORK/plain-mnt
mkdir -p "$PLAIN_MNT"
unmount_plain() { "$REEL" umount "$PLAIN_MNT" >/dev/null 2>&1 || fusermount3 -uz "$PLAIN_MNT" 2>/dev/null || true; }
CLEANUP_HOOKS+=(unmount_plain)
"$REEL" init "$WORK/plain" --name plain >/dev/null
"$REEL" mount "$PLAIN_MNT" --drive "$WORK/plain" --background >/dev/null
echo plain > "$PLAIN_MNT/plain.txt"
"$REEL" sync "$PLAIN_MNT" >/dev/null
PLAIN_LINK=$("$REEL" web "$PLAIN_MNT" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')

log "browser (Chromium, headless) at $WEB_ORIGIN"
if WEB_LINK=$WEB_LINK WEB_ORIGIN=$WEB_ORIGIN MOUNT=$MNT REEL=$REEL CHROMIUM=$CHROMIUM SHOTS_DIR=${SHOTS_DIR:-} \
    PLAIN_LINK=$PLAIN_LINK \
    node "$ROOT/tests/web/e2e.mjs"; then
  pass
else
  fail "the browser's checks (above)"
fi

unmount_plain
log "the drive after the browser's changes"
V=$MNT/.reel/versions
check "the restore of version 1 is version 4, with its content" [ "$(cat "$V/docs/notes.txt/4")" = one ]
check "the checkpoint is version 5, of the same content" [ "$(cat "$V/docs/notes.txt/5")" = one ]
check "the edit made while the page was open is version 6" [ "$(ls "$V/docs/notes.txt" | wc -l)" = 6 ]
check "the edit made while the page was open is the content" [ "$(cat "$MNT/docs/notes.txt")" = "edited outside" ]
check "the two uploads of upload.bin are its 2 versions" [ "$(ls "$V/upload.bin" | wc -l)" = 2 ]
check "the first upload (10 MiB) is version 1" [ "$(stat -c %s "$V/upload.bin/1")" = 10485760 ]
check "the second upload (1 MiB) is the content" [ "$(stat -c %s "$MNT/upload.bin")" = 1048576 ]
check "the folder made in the browser" [ -d "$MNT/made-in-browser" ]
check "the dropped file, renamed, deleted and restored" [ "$(cat "$MNT/renamed.txt")" = dropped ]
check "no part file of an upload is left" [ -z "$(ls -A "$MNT" | grep '^\.upload-' || true)" ]
check "the file written beside the open page" [ "$(cat "$MNT/docs/live.txt")" = live ]
finish
