#!/usr/bin/env bash
# Two users of one team drive, each with their own mount, cache and login on this machine, on a
# real PostgreSQL (REEL_TEST_PG_URI) and the real Ceph S3 gateway (REEL_TEST_S3_URI):
#   alice writes and publishes; bob, a reader, reads identical bytes and cannot change anything;
#   carol, with no grant, cannot mount the workspace; no instance holds store credentials (the
#   mounts run without any, and none is on their disks); a token revoked while its mount runs
#   fails on its next call; the server's log holds no token; an encrypted workspace is read by its
#   members while the bucket (read straight from the gateway) holds none of its plaintext; a
#   mount killed right after a burst of creates loses none of them.
source "$(dirname "$0")/lib.sh" "$1"
source "$(dirname "$0")/team_lib.sh" team alice bob carol
as alice "$REEL" workspace create show >/dev/null
as alice "$REEL" workspace grant show bob reader >/dev/null

log "alice mounts the workspace, writes and publishes"
as alice "$REEL" mount "$WORK/alice/mnt" --workspace show --background >/dev/null 2>&1
check "alice's mount is up" mountpoint -q "$WORK/alice/mnt"
A=$WORK/alice/mnt
head -c $((24 * 1024 * 1024)) /dev/urandom >"$WORK/shot.bin"
cp "$WORK/shot.bin" "$A/shot.exr"
mkdir "$A/plates"
for i in $(seq 1 20); do head -c $((500 + i * 97)) /dev/urandom >"$A/plates/p$i.exr"; done
(cd "$A/plates" && sha256sum ./* >"$WORK/plates.sha")
check "alice reads back what she wrote" same_file "$A/shot.exr" "$WORK/shot.bin"
as alice "$REEL" publish "$A/shot.exr" >/dev/null
as alice "$REEL" publish "$A/plates" >/dev/null

log "bob, a reader, mounts on the same machine with his own cache"
as bob "$REEL" mount "$WORK/bob/mnt" --workspace show --background >/dev/null 2>&1
check "bob's mount is up" mountpoint -q "$WORK/bob/mnt"
B=$WORK/bob/mnt
check "bob lists alice's files" [ "$(ls "$B" | tr '\n' ' ')" == "plates shot.exr " ]
check "bob reads identical bytes" same_file "$B/shot.exr" "$WORK/shot.bin"
check "bob reads every plate" bash -c "cd '$B/plates' && sha256sum -c --quiet '$WORK/plates.sha'"
check "bob's cache holds what he read" \
  [ "$(du -sm "$WORK/bob/data/reel/team" | cut -f1)" -ge 20 ]
refused() {  # refused WHY COMMAND...: fails with the error WHY ("Permission denied"...)
  local why=$1 out; shift
  if out=$("$@" 2>&1); then return 1; fi
  grep -q "$why" <<<"$out"
}
check "a reader's mount is read-only" grep -q " $B fuse.reel ro," /proc/mounts
RO="Read-only file system"
check "a reader cannot create" refused "$RO" touch "$B/new.txt"
check "a reader cannot write" refused "$RO" bash -c "echo x >>'$B/shot.exr'"
check "a reader cannot delete" refused "$RO" rm "$B/shot.exr"
check "a reader cannot rename" refused "$RO" mv "$B/shot.exr" "$B/moved.exr"
check "a reader cannot make a directory" refused "$RO" mkdir "$B/dir"
check "a reader cannot chmod" refused "$RO" chmod 600 "$B/shot.exr"
check "nothing changed for alice" [ "$(ls "$A" | tr '\n' ' ')" == "plates shot.exr " ]
check "alice's file is intact" same_file "$A/shot.exr" "$WORK/shot.bin"
check "a workspace's catalog is the server's database: a backup through the mount is refused" \
  refused "makes no catalog backups" as alice "$REEL" catalog backup "$A"
check "and alice's mount goes on" same_file "$A/shot.exr" "$WORK/shot.bin"

log "carol, without a grant, cannot mount the workspace"
if as carol "$REEL" mount "$WORK/carol/mnt" --workspace show --background >"$WORK/carol.out" 2>&1; then
  fail "carol mounted a workspace she has no role in"
else
  check "carol is told why" grep -q "no role in workspace" "$WORK/carol.out"
fi
check "carol's mountpoint is not mounted" bash -c "! mountpoint -q '$WORK/carol/mnt'"

log "an encrypted workspace: members read it, the bucket holds none of its plaintext"
as alice "$REEL" workspace create vault --encrypted >/dev/null
as alice "$REEL" workspace grant vault bob reader >/dev/null
as alice "$REEL" workspace list >"$WORK/workspaces.txt"
check "the workspace is listed as encrypted" grep -Eq '^vault +admin +on-publish +last-writer-wins +yes' "$WORK/workspaces.txt"
plain_marker="REEL-PLAIN-MARKER-$run_id"
secret_marker="REEL-SECRET-MARKER-$run_id"
# The control: the same kind of text in the workspace that is not encrypted must be found.
{ yes "$plain_marker" || true; } | head -c $((3 * 1024 * 1024)) >"$A/plain-marker.txt"
as alice "$REEL" publish "$A/plain-marker.txt" >/dev/null
mkdir -p "$WORK/alice-vault/mnt" "$WORK/bob-vault/mnt"
AV=$WORK/alice-vault/mnt
BV=$WORK/bob-vault/mnt
as alice "$REEL" mount "$AV" --workspace vault --background >/dev/null 2>&1
check "alice's encrypted mount is up" mountpoint -q "$AV"
{ yes "$secret_marker" || true; } | head -c $((3 * 1024 * 1024)) >"$WORK/secret.txt"
head -c $((6 * 1024 * 1024)) /dev/urandom >"$WORK/vault.bin"
printf 'a one-chunk note, %s\n' "$secret_marker" >"$WORK/note.txt"
cp "$WORK/secret.txt" "$WORK/vault.bin" "$WORK/note.txt" "$AV/"
for f in secret.txt vault.bin note.txt; do as alice "$REEL" publish "$AV/$f" >/dev/null; done
as bob "$REEL" mount "$BV" --workspace vault --background >/dev/null 2>&1
check "bob's encrypted mount is up" mountpoint -q "$BV"
for f in secret.txt vault.bin note.txt; do
  check "bob reads $f from the encrypted workspace" same_file "$BV/$f" "$WORK/$f"
done
check "an encrypted reader's mount is read-only too" refused "$RO" touch "$BV/new.txt"
as bob "$REEL" umount "$BV" >/dev/null

# The bucket, read straight from the gateway with the test's own credentials (curl's SigV4),
# not through ReelDrive: every object under this run's prefix.
s3_endpoint=$(sed -n 's/.*endpoint=\([^&]*\).*/\1/p' <<<"$s3_opts")
bucket_path=${s3_base#s3://}
bucket=${bucket_path%%/*}
prefix=${bucket_path#*/}
prefix="${prefix%/}/team-$run_id/"
s3_get() {  # s3_get URL [curl options...]: the gateway wants the (empty) payload's hash signed
  local url=$1; shift
  curl -fsS --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
    -H "x-amz-content-sha256: $(sha256sum </dev/null | cut -d' ' -f1)" "$@" "$url"
}
fetch_bucket() {
  local list k i=0
  mkdir -p "$WORK/bucket"
  list=$(s3_get "$s3_endpoint/$bucket?list-type=2&max-keys=1000&prefix=${prefix//\//%2F}") || return 1
  grep -q '<IsTruncated>false</IsTruncated>' <<<"$list" || return 1
  grep -o '<Key>[^<]*</Key>' <<<"$list" | sed 's|<Key>\(.*\)</Key>|\1|' >"$WORK/bucket.keys"
  [ -s "$WORK/bucket.keys" ] || return 1
  while read -r k; do
    i=$((i + 1))
    s3_get "$s3_endpoint/$bucket/$k" -o "$WORK/bucket/$i" || return 1
  done <"$WORK/bucket.keys"
}
check "the bucket's objects are read from the gateway" fetch_bucket
log "bucket: $(wc -l <"$WORK/bucket.keys") objects, $(du -sm "$WORK/bucket" | cut -f1) MiB"
check "the control: the plain workspace's text is in the bucket" \
  grep -rqaF "$plain_marker" "$WORK/bucket"
check "the encrypted workspace's text is not" bash -c "! grep -rqaF '$secret_marker' '$WORK/bucket'"
note_sha=$(sha256sum "$WORK/note.txt" | cut -d' ' -f1)
check "no key names the plain SHA-256 of its one-chunk file" \
  bash -c "! grep -q '$note_sha' '$WORK/bucket.keys'"
# Any 64 bytes of its random file, and that SHA-256 in binary, in no object.
check "no object holds its random bytes or the plain hash" python3 - "$WORK/vault.bin" \
  "$note_sha" "$WORK/bucket" <<'PY'
import os, sys
data = open(sys.argv[1], "rb").read()
needles = [data[i:i + 64] for i in range(4096, len(data) - 64, len(data) // 16)]
needles.append(bytes.fromhex(sys.argv[2]))
for name in os.listdir(sys.argv[3]):
    blob = open(os.path.join(sys.argv[3], name), "rb").read()
    if any(n in blob for n in needles):
        sys.exit(f"object {name} holds plaintext")
PY
as alice "$REEL" umount "$AV" >/dev/null

log "a crash of the mount loses no create it answered (creates are recorded in batches)"
mkdir "$A/burst"
for i in $(seq 1 300); do : >"$A/burst/c$i"; done
mkdir "$A/burst/sub" && : >"$A/burst/sub/last"
alice_pid=$(user_mount_pid alice)
check "alice's mount process is found" [ -n "$alice_pid" ]
kill -9 "$alice_pid"
fusermount3 -uz "$A"
as alice "$REEL" mount "$A" --workspace show --background >/dev/null 2>&1
check "alice's mount is up again" mountpoint -q "$A"
check "every file created before the crash is there" [ "$(ls "$A/burst" | wc -l)" -eq 301 ]
check "and the last one, in a directory made just before" [ -f "$A/burst/sub/last" ]
check "bob sees them too" [ "$(ls "$B/burst" | wc -l)" -eq 301 ]

log "no store credentials on the instances"
for u in alice bob; do
  pid=$(user_mount_pid "$u")
  check "$u's mount process runs without AWS credentials" \
    bash -c "! tr '\\0' '\\n' </proc/$pid/environ | grep -q '^AWS_SECRET_ACCESS_KEY='"
  check "$u's disk holds no store secret" \
    bash -c "! grep -rqs -- '$AWS_SECRET_ACCESS_KEY' '$WORK/$u'"
done

log "a token revoked while its mount runs fails on its next call"
bob_token_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$WORK/bob.token.json")
"$REEL" server token revoke bob "$bob_token_id" --dir "$WORK/server" >/dev/null
echo "after the revocation" >"$A/late.txt"
as alice "$REEL" publish "$A/late.txt" >/dev/null
check "bob's revoked mount reads nothing new" refused "Permission denied" cat "$B/late.txt"
check "alice goes on" [ "$(cat "$A/late.txt")" == "after the revocation" ]

check "the server's log holds no token" bash -c "! grep -q 'reel_[0-9a-f]\{64\}' '$WORK/server/server.log'"

as bob "$REEL" umount "$B" >/dev/null
as alice "$REEL" umount "$A" >/dev/null
check "both mounts are gone" bash -c "! mountpoint -q '$A' && ! mountpoint -q '$B'"
check_team_mount_logs
finish
