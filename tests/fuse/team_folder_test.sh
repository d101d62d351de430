#!/usr/bin/env bash
# Several workspaces of a team drive in one folder, on a real PostgreSQL (REEL_TEST_PG_URI) and the
# real Ceph S3 gateway (REEL_TEST_S3_URI): `reel mount DIR --server URL` puts every workspace the
# user may see in a folder of DIR (none they may not), each writable or read-only by their role;
# what bob writes in a shared folder reaches alice's mount of that workspace; nothing moves
# between folders (EXDEV); the CLI finds the workspace of any path; `--workspace A,B` mounts only
# those; a name the user has no role in mounts nothing; `reel umount DIR` unmounts them all.
source "$(dirname "$0")/lib.sh" "$1"
source "$(dirname "$0")/team_lib.sh" folder alice bob
as alice "$REEL" workspace create show >/dev/null
as alice "$REEL" workspace grant show bob writer >/dev/null
as alice "$REEL" workspace create refs >/dev/null
as alice "$REEL" workspace grant refs bob reader >/dev/null
as alice "$REEL" workspace create secret >/dev/null
printf 'plate' >"$WORK/plate.txt"

log "alice mounts show alone, as before; bob mounts his whole team in one folder"
as alice "$REEL" mount "$WORK/alice/mnt" --workspace show --background >/dev/null 2>&1
A=$WORK/alice/mnt
check "alice's mount of show is up" mountpoint -q "$A"
as alice bash -c "cp '$WORK/plate.txt' '$WORK/alice/mnt/plate.txt'"
as alice "$REEL" publish "$A/plate.txt" >/dev/null
F=$WORK/bob/mnt
as bob "$REEL" mount "$F" --server "$URL" >"$WORK/bob-mount.out" 2>"$WORK/bob-mount.err"
check "the folder lists bob's workspaces and no other" [ "$(ls "$F" | tr '\n' ' ')" == "bob refs show " ]
check "each one is a mount" bash -c "mountpoint -q '$F/bob' && mountpoint -q '$F/refs' && mountpoint -q '$F/show'"
check "the command names each mountpoint" \
  [ "$(cat "$WORK/bob-mount.out" | tr '\n' ' ')" == "$F/bob $F/refs $F/show " ]
check "and says they run in the background" grep -q "each mounted in the background" "$WORK/bob-mount.err"
check "the folder is bob's own, not the drive's" bash -c "! mountpoint -q '$F'"

log "each folder works by bob's role"
within "bob reads alice's published file in show" holds "$F/show/plate.txt" plate
check "bob writes in show" bash -c "printf 'by bob' >'$F/show/notes.txt'"
as bob "$REEL" publish "$F/show/notes.txt" >/dev/null
within "alice's mount of show sees bob's file" holds "$A/notes.txt" "by bob"
check "bob writes in his home" bash -c "printf mine >'$F/bob/todo.txt'"
check "refs, where bob reads only, is read-only" grep -q " $F/refs fuse.reel ro," /proc/mounts
check "a write there is refused" bash -c "! touch '$F/refs/x' 2>/dev/null"
check "rename between workspaces is EXDEV" python3 - "$F" <<'PY'
import errno, os, sys
try:
    os.rename(sys.argv[1] + "/bob/todo.txt", sys.argv[1] + "/show/todo.txt")
except OSError as e:
    sys.exit(0 if e.errno == errno.EXDEV else 1)
sys.exit(1)
PY
check "mv copies across instead, as between two disks" mv "$F/bob/todo.txt" "$F/show/todo.txt"
check "the copy is there" holds "$F/show/todo.txt" mine
as bob "$REEL" versions "$F/show/notes.txt" --json >"$WORK/versions.json"
check "the CLI finds the workspace of a path" \
  python3 -c 'import json,sys; sys.exit(0 if len(json.load(open(sys.argv[1]))["versions"]) >= 1 else 1)' "$WORK/versions.json"

log "reel umount unmounts the whole folder"
as bob "$REEL" umount "$F" >"$WORK/umount.out"
check "every workspace is unmounted" bash -c "! mountpoint -q '$F/bob' && ! mountpoint -q '$F/refs' && ! mountpoint -q '$F/show'"
check "and reported" [ "$(grep -c '^Unmounted' "$WORK/umount.out")" -eq 4 ]

log "--workspace A,B mounts those only; a name bob has no role in mounts nothing"
as bob "$REEL" mount "$F" --workspace show,refs --json >"$WORK/two.json"
check "two mounts" python3 -c 'import json,sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if [w["workspace"] for w in j["workspaces"]] == ["show", "refs"] else 1)' "$WORK/two.json"
check "show and refs are up" bash -c "mountpoint -q '$F/show' && mountpoint -q '$F/refs'"
check "his home is not" bash -c "! mountpoint -q '$F/bob'"
as bob "$REEL" umount "$F" >/dev/null
if as bob "$REEL" mount "$F" --workspace show,secret >/dev/null 2>"$WORK/secret.err"; then
  fail "bob mounted a workspace he has no role in"
else
  check "bob is told why" grep -q "no role in workspace secret" "$WORK/secret.err"
fi
check "nothing was mounted" bash -c "! mountpoint -q '$F/show'"
check "no folder for secret was made" [ ! -e "$F/secret" ]
if as bob "$REEL" mount "$F" --workspace show,,refs >/dev/null 2>"$WORK/empty.err"; then
  fail "an empty name was taken"
else
  check "an empty name is refused" grep -q "an empty name" "$WORK/empty.err"
fi
if as bob "$REEL" mount "$F" --workspace show, >/dev/null 2>"$WORK/trailing.err"; then
  fail "a trailing comma was taken"
else
  check "so is a trailing comma" grep -q "an empty name" "$WORK/trailing.err"
fi
printf 'in the way' >"$F/show/stray.txt"
if as bob "$REEL" mount "$F" --server "$URL" >/dev/null 2>"$WORK/way.err"; then
  fail "a folder with a file in the way was mounted over"
else
  check "a non-empty folder is refused" grep -q "is in the way" "$WORK/way.err"
fi
check "and nothing was mounted" bash -c "! mountpoint -q '$F/bob' && ! mountpoint -q '$F/refs'"
check_team_mount_logs
finish
