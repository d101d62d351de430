#!/usr/bin/env bash
# Twenty mounts of one team workspace on one server (a real PostgreSQL and the Ceph S3 gateway):
# alice's, and 19 of bob's, each with a machine directory of its own (its own cache and machine
# state, as on 19 machines) that keeps names and attributes for a minute ([cache] metadata_ms =
# 60000), so only the change feed can tell them of alice's changes. Every one of the 19 reads
# alice's published versions byte for byte, sees her renames and deletes, and a save of hers in an
# on-close workspace once its upload is done; the server lists the 20 online; a pipeline's task
# reaches the last of them. Compared with the files as written on the local disk.
source "$(dirname "$0")/lib.sh" "$1"
source "$(dirname "$0")/team_lib.sh" twenty alice bob
MOUNTS=20
as alice "$REEL" workspace create show >/dev/null
as alice "$REEL" workspace grant show bob writer >/dev/null
as alice "$REEL" workspace create desk >/dev/null
as alice "$REEL" workspace grant desk bob writer >/dev/null
as alice "$REEL" workspace set desk share=on-close >/dev/null

# on I COMMAND...: as the user of mount I (0: alice; bob's otherwise), on machine I.
on() {
  local i=$1 user=bob; shift
  ((i == 0)) && user=alice
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u CEPH_CONF \
    XDG_CONFIG_HOME="$WORK/$user/config" XDG_DATA_HOME="$WORK/m$i/data" "$@"
}
# mount_all WORKSPACE: mounts I of WORKSPACE at WORK/m$I/WORKSPACE, the 19 watchers keeping
# names and attributes for a minute.
mount_all() {
  local ws=$1 i mnt manifest
  for ((i = 0; i < MOUNTS; i++)); do
    mnt=$WORK/m$i/$ws
    mkdir -p "$mnt"
    if ((i > 0)); then
      on "$i" "$REEL" mount "$mnt" --workspace "$ws" --background >/dev/null 2>&1
      on "$i" "$REEL" umount "$mnt" >/dev/null
      manifest=$(find "$WORK/m$i/data/reel/team" -path "*/$ws/*" -name reel.toml | head -1)
      sed -i 's/^metadata_ms = .*/metadata_ms = 60000/' "$manifest"
      grep -q '^metadata_ms = 60000$' "$manifest" || { fail "mount $i keeps no metadata_ms"; exit 1; }
    fi
    on "$i" "$REEL" mount "$mnt" --workspace "$ws" --background >/dev/null 2>&1
    mountpoint -q "$mnt" || { fail "mount $i of $ws is not up"; exit 1; }
  done
}
# on_every_watcher WORKSPACE CHECK ARGS...: CHECK MOUNT ARGS... holds on all 19.
on_every_watcher() {
  local ws=$1 i; shift
  local check=$1; shift
  for ((i = 1; i < MOUNTS; i++)); do "$check" "$WORK/m$i/$ws" "$@" || return 1; done
}
same_at() { same_file "$1/$2" "$3"; }
absent_at() { [ ! -e "$1/$2" ]; }
lists_nothing() { [ -z "$(ls -A "$1")" ]; }

log "20 mounts of workspace show"
mount_all show
A=$WORK/m0/show
online() {
  [ "$(as alice "$REEL" instances --workspace show --json | python3 -c 'import json,sys
print(sum(1 for i in json.load(sys.stdin)["instances"] if i["online"]))')" == "$MOUNTS" ]
}
within "the server lists the 20 mounts online" online
check "the 19 watchers list the workspace empty (and keep that for a minute)" \
  on_every_watcher show lists_nothing

log "alice publishes, publishes again, renames and deletes; all 19 see each"
head -c $((3 * 1024 * 1024)) /dev/urandom >"$WORK/v1.bin"
head -c $((2 * 1024 * 1024 + 17)) /dev/urandom >"$WORK/v2.bin"
cp "$WORK/v1.bin" "$A/shot.exr"
on 0 "$REEL" publish "$A/shot.exr" >/dev/null
within "all 19 read alice's new file byte for byte" \
  on_every_watcher show same_at shot.exr "$WORK/v1.bin"
cp "$WORK/v2.bin" "$A/shot.exr"
on 0 "$REEL" publish "$A/shot.exr" >/dev/null
within "all 19 read her new version" on_every_watcher show same_at shot.exr "$WORK/v2.bin"
mv "$A/shot.exr" "$A/final.exr"
within "all 19 see the new name" on_every_watcher show same_at final.exr "$WORK/v2.bin"
check "and none the old one" on_every_watcher show absent_at shot.exr
rm "$A/final.exr"
within "all 19 see the delete" on_every_watcher show absent_at final.exr

log "a pipeline (alice) has the last of bob's mounts hydrate a file"
last=$(as alice "$REEL" instances --workspace show --json | python3 -c 'import json,sys
mine = [i for i in json.load(sys.stdin)["instances"] if i["online"] and i["user"] == "bob"]
print(sorted(mine, key=lambda i: i["started_ns"])[-1]["name"])')
cp "$WORK/v1.bin" "$A/plate.exr"
on 0 "$REEL" publish "$A/plate.exr" >/dev/null
within "bob's mounts see the plate" on_every_watcher show same_at plate.exr "$WORK/v1.bin"
check "the task runs on that mount and reports done" \
  as alice "$REEL" task send "$last" hydrate plate.exr --wait

log "20 mounts of workspace desk (share = on-close): a save reaches all 19 once uploaded"
mount_all desk
head -c $((1024 * 1024 + 5)) /dev/urandom >"$WORK/save.bin"
cp "$WORK/save.bin" "$WORK/m0/desk/notes.bin"
within "all 19 read alice's save, never published by hand" \
  on_every_watcher desk same_at notes.bin "$WORK/save.bin"

check_team_mount_logs
finish
