#!/usr/bin/env bash
# Two mounts of one team workspace (alice's and bob's, on a real PostgreSQL and the Ceph S3
# gateway) that keep names and attributes for a minute ([cache] metadata_ms = 60000): each sees
# the other's creates, new versions, renames, mode changes and deletes within seconds, so only
# the change feed can have told it (the kernel's caches and the mount's catalog cache are dropped
# as its events arrive). A file open on bob's machine keeps the version it opened until it is
# opened again; the next open reads the new one.
source "$(dirname "$0")/lib.sh" "$1"
source "$(dirname "$0")/team_lib.sh" feed alice bob
as alice "$REEL" workspace create show >/dev/null
as alice "$REEL" workspace grant show bob writer >/dev/null

# Mounts USER's workspace at WORK/USER/mnt, keeping names and attributes for a minute.
mount_for_a_minute() {
  local user=$1 mnt=$WORK/$1/mnt manifest
  as "$user" "$REEL" mount "$mnt" --workspace show --background >/dev/null 2>&1
  as "$user" "$REEL" umount "$mnt" >/dev/null
  manifest=$(find "$WORK/$user/data/reel/team" -name reel.toml | head -1)
  sed -i 's/^metadata_ms = .*/metadata_ms = 60000/' "$manifest"
  grep -q '^metadata_ms = 60000$' "$manifest" || { fail "$user's manifest keeps no metadata_ms"; exit 1; }
  as "$user" "$REEL" mount "$mnt" --workspace show --background >/dev/null 2>&1
  mountpoint -q "$mnt" || { fail "$user's mount is not up"; exit 1; }
}
mount_for_a_minute alice
mount_for_a_minute bob
A=$WORK/alice/mnt
B=$WORK/bob/mnt

absent() { [ ! -e "$1" ]; }
# online_mounts: "USER" per online instance of the workspace, sorted, as alice sees them.
online_mounts() {
  as alice "$REEL" instances --workspace show --json |
    python3 -c 'import json,sys
print(" ".join(sorted(i["user"] for i in json.load(sys.stdin)["instances"] if i["online"])))'
}

check "reel instances shows both mounts online" [ "$(online_mounts)" == "alice bob" ]
check "and the two earlier ones (mounted and unmounted) offline" \
  [ "$(as bob "$REEL" instances --workspace show --json | python3 -c 'import json,sys
print(len(json.load(sys.stdin)["instances"]))')" == 4 ]
mode_is() { [ "$(stat -c %a "$2")" == "$1" ]; }

log "bob looks first: the names he asks for are cached as absent"
check "bob's workspace is empty" [ -z "$(ls -A "$B")" ]
check "bob finds no shot.exr" absent "$B/shot.exr"

log "alice makes, saves again, renames, chmods and deletes; bob sees each"
head -c $((3 * 1024 * 1024)) /dev/urandom >"$WORK/v1.bin"
head -c $((2 * 1024 * 1024 + 17)) /dev/urandom >"$WORK/v2.bin"
cp "$WORK/v1.bin" "$A/shot.exr"
as alice "$REEL" publish "$A/shot.exr" >/dev/null
within "bob sees alice's new file" same_file "$B/shot.exr" "$WORK/v1.bin"
check "bob lists it" [ "$(ls "$B")" == "shot.exr" ]
cp "$WORK/v2.bin" "$A/shot.exr"
as alice "$REEL" publish "$A/shot.exr" >/dev/null
within "bob reads alice's new version" same_file "$B/shot.exr" "$WORK/v2.bin"
mv "$A/shot.exr" "$A/final.exr"
within "bob sees the new name" same_file "$B/final.exr" "$WORK/v2.bin"
check "and not the old one" absent "$B/shot.exr"
chmod 600 "$A/final.exr"
within "bob sees the new mode" mode_is 600 "$B/final.exr"
mkdir "$A/plates"
within "bob sees alice's directory" [ -d "$B/plates" ]
rm "$A/final.exr"
within "bob sees the delete" absent "$B/final.exr"

log "bob's changes reach alice the same way"
check "alice finds no note yet" absent "$A/plates/note.txt"
echo "from bob" >"$B/plates/note.txt"
as bob "$REEL" publish "$B/plates/note.txt" >/dev/null
within "alice reads bob's note" [ "$(cat "$A/plates/note.txt")" == "from bob" ]

log "close-to-open: an open file keeps its version; the next open reads the new one"
cp "$WORK/v1.bin" "$A/clip.bin"
as alice "$REEL" publish "$A/clip.bin" >/dev/null
within "bob sees the clip" same_file "$B/clip.bin" "$WORK/v1.bin"
check "bob has not seen the marker" absent "$B/marker"
check "an open file keeps the version it opened" python3 - "$B/clip.bin" "$WORK/v1.bin" \
  "$WORK/v2.bin" "$A/clip.bin" "$REEL" "$WORK/alice" "$B/marker" <<'PY'
import os, shutil, subprocess, sys, time
clip, v1, v2, alices, reel, home, marker = sys.argv[1:]
old = open(v1, "rb").read()
with open(clip, "rb") as f:
    first = f.read(len(old) // 2)
    # Alice saves a new version while bob reads, then makes the marker: once bob sees the
    # marker, the new version's event (before it in the feed) has reached his mount too.
    shutil.copyfile(v2, alices)
    env = dict(os.environ, XDG_CONFIG_HOME=home + "/config", XDG_DATA_HOME=home + "/data")
    subprocess.run([reel, "publish", alices], check=True, env=env, stdout=subprocess.DEVNULL)
    open(os.path.join(os.path.dirname(alices), "marker"), "w").close()
    deadline = time.monotonic() + 10
    while not os.path.exists(marker):
        if time.monotonic() > deadline:
            sys.exit("bob never saw the marker")
        time.sleep(0.05)
    rest = f.read()
if first + rest != old:
    sys.exit(f"the open file mixed versions: {len(first + rest)} bytes, not the {len(old)} opened")
PY
within "the next open reads the new version" same_file "$B/clip.bin" "$WORK/v2.bin"

log "a pipeline (bob) has alice's mount publish a file she saved but did not publish"
alices=$(as bob "$REEL" instances --workspace show --json | python3 -c 'import json,sys
print([i["name"] for i in json.load(sys.stdin)["instances"] if i["online"] and i["user"] == "alice"][0])')
head -c $((1024 * 1024 + 5)) /dev/urandom >"$WORK/render.bin"
cp "$WORK/render.bin" "$A/render.bin"
check "the task runs on alice's mount and reports done" \
  as bob "$REEL" task send "$alices" publish render.bin --wait
within "bob reads the file the task published" same_file "$B/render.bin" "$WORK/render.bin"
if as bob "$REEL" task send "$alices" hydrate no/such.exr --wait >"$WORK/task.out" 2>&1; then
  fail "a task on a missing path reported success: $(cat "$WORK/task.out")"
else
  pass
fi
check "and says why" grep -q ': failed: .*"no/such.exr" is not in the workspace' "$WORK/task.out"
as bob "$REEL" task list "$alices" --json >"$WORK/tasks.json"
check "the instance's tasks are listed, each finished" python3 -c 'import json,sys
t = json.load(open(sys.argv[1]))["tasks"]
sys.exit(0 if [x["state"] for x in t] == ["done", "failed"] and t[0]["created_by"] == "bob" else 1)' "$WORK/tasks.json"

as bob "$REEL" umount "$B" >/dev/null
check "bob's mount is offline once unmounted" [ "$(online_mounts)" == "alice" ]
as alice "$REEL" umount "$A" >/dev/null
check "and alice's" [ -z "$(online_mounts)" ]
check_team_mount_logs
finish
