#!/usr/bin/env bash
# Tiers on a real Ceph cluster: edge = RADOS, cloud = S3 on the RADOS Gateway (from the
# environment scripts/test.sh sets: REEL_TEST_RADOS_URI, REEL_TEST_S3_URI, CEPH_DIR). Without a
# cluster the edge and cloud are local directories and the gateway fault steps are skipped
# (a failure instead when REEL_REQUIRE_CEPH=1).
#   save -> the edge holds every byte; publish -> the cloud does, and the version is published
#   the gateway stopped during a publish: nothing is published half-way; it finishes on return
#   kill -9 of the drive during transfers: they resume after a restart
#   a new machine (same manifest and catalog, empty cache): lists at once, reads fetch only what
#   they touch, the cache stays within its limit, content matches by hash
#   evict / hydrate / pin
source "$(dirname "$0")/lib.sh" "$1"

run_id=$(basename "$WORK" | tr -dc 'a-z0-9' | tail -c 12)
rgw_pid=""
if [[ -n "${REEL_TEST_S3_URI:-}" && -n "${REEL_TEST_RADOS_URI:-}" ]]; then
  # The test URIs carry options after '?': put a per-run prefix in front of them.
  s3_base=${REEL_TEST_S3_URI%%\?*}
  s3_opts=${REEL_TEST_S3_URI#*\?}
  rados_base=${REEL_TEST_RADOS_URI%%\?*}
  rados_opts=${REEL_TEST_RADOS_URI#*\?}
  EDGE="${rados_base%/}/tiers-$run_id?$rados_opts"
  CLOUD="${s3_base%/}/tiers-$run_id?$s3_opts"
  [[ -n "${CEPH_DIR:-}" && -f "$CEPH_DIR/pids" ]] && rgw_pid=$(awk '$1 == "rgw" {print $2}' "$CEPH_DIR/pids")
  log "edge: ${EDGE%%\?*}  cloud: ${CLOUD%%\?*}"
elif [[ "${REEL_REQUIRE_CEPH:-0}" == 1 ]]; then
  echo "FAIL: REEL_REQUIRE_CEPH=1 but REEL_TEST_S3_URI / REEL_TEST_RADOS_URI are not set" >&2
  exit 1
else
  mkdir -p "$WORK/edge" "$WORK/cloud"
  EDGE="file://$WORK/edge"
  CLOUD="file://$WORK/cloud"
  log "no Ceph cluster in the environment: edge and cloud are local directories"
fi

LIMIT_MIB=24
init_drive --edge "$EDGE" --cloud "$CLOUD" --cache-limit ${LIMIT_MIB}MiB
mount_drive
placement() {  # placement FILE KEY -> value from GET /v1/placement (via `reel status` text)
  "$REEL" status "$1" | sed -n "s/^$2: *\([^ ]*\) \([A-Za-z]*\) of.*/\1 \2/p"
}
transfers() {  # transfers EXPR -> EXPR of d, the JSON of `reel transfers`: 'd["running"]'
  "$REEL" transfers "$MNT" --json | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}
published() {  # published FILE -> yes / pending / no for the current version
  "$REEL" versions "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["versions"][-1]["published"])'
}

log "write: one 40 MiB shot and a directory of 200 small files"
head -c $((40 * 1024 * 1024)) /dev/urandom > "$WORK/shot.bin"
cp "$WORK/shot.bin" "$MNT/shot.mov"
mkdir -p "$MNT/plates"
for i in $(seq 1 200); do head -c $((1000 + i * 37)) /dev/urandom > "$MNT/plates/p$i.exr"; done
(cd "$MNT/plates" && sha256sum ./* > "$WORK/plates.sha")
"$REEL" sync "$MNT" >/dev/null

log "save: durable on the edge before it returns"
"$REEL" save "$MNT/shot.mov" -m "first cut" >/dev/null
check "edge holds every byte after save" [ "$(placement "$MNT/shot.mov" edge)" == "40.0 MiB" ]
check "not published by a save" [ "$(published "$MNT/shot.mov")" == "no" ]

if [[ -n "$rgw_pid" ]]; then
  log "publish while the gateway is stopped: pending, never published half-way"
  kill -STOP "$rgw_pid"
  "$REEL" publish --no-wait "$MNT/shot.mov" >/dev/null
  # Wait until a worker has claimed an upload: it is stuck in the stopped gateway.
  running=0
  for _ in $(seq 1 300); do running=$(transfers 'd["running"]'); ((running > 0)) && break; sleep 0.1; done
  check "an upload is running into the stopped gateway" [ "$running" -gt 0 ]
  check "publish pending while the gateway is down" [ "$(published "$MNT/shot.mov")" == "pending" ]
  # Running, or queued again to retry once its attempt timed out: counted either way.
  "$REEL" transfers "$MNT" | grep -Eq "^  (queued|running): +[1-9]" || fail "the transfers table counts them"

  log "kill -9 of the drive with transfers queued; the gateway returns; remount resumes them"
  kill_drive
  kill -CONT "$rgw_pid"
  mount_drive
  for _ in $(seq 1 300); do [[ "$(published "$MNT/shot.mov")" == "yes" ]] && break; sleep 0.2; done
  check "published after restart and gateway return" [ "$(published "$MNT/shot.mov")" == "yes" ]
else
  "$REEL" publish "$MNT/shot.mov" >/dev/null
  check "published" [ "$(published "$MNT/shot.mov")" == "yes" ]
fi
check "cloud holds every byte" [ "$(placement "$MNT/shot.mov" cloud)" == "40.0 MiB" ]
"$REEL" publish "$MNT/plates" >/dev/null
check "a directory publishes all its files" [ "$(published "$MNT/plates/p7.exr")" == "yes" ]

log "edit 1 MiB of the published shot and publish again: only the touched chunks go"
before=$("$REEL" transfers "$MNT" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["completed_bytes"])')
dd if=/dev/urandom of="$MNT/shot.mov" bs=1M count=1 seek=20 conv=notrunc status=none
dd if="$MNT/shot.mov" of="$WORK/shot.bin" bs=1M count=1 skip=20 seek=20 conv=notrunc status=none
"$REEL" sync "$MNT" >/dev/null
"$REEL" publish "$MNT/shot.mov" >/dev/null
after=$("$REEL" transfers "$MNT" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["completed_bytes"])')
sent=$((after - before))
log "re-publish after a 1 MiB edit sent $sent bytes"
check "re-publish sends at most 2 max-size chunks ($sent bytes)" [ "$sent" -le $((8 * 1024 * 1024)) ]
check "re-published" [ "$(published "$MNT/shot.mov")" == "yes" ]

log "cp, then publish at once (no sync): the version just written is the one published"
head -c $((48 * 1024 * 1024)) /dev/urandom >"$WORK/fresh.bin"  # big enough that its commit is still running
cp "$WORK/fresh.bin" "$MNT/fresh.mov"
"$REEL" publish "$MNT/fresh.mov" >/dev/null
check "the fresh file is published" [ "$(published "$MNT/fresh.mov")" == "yes" ]
check "the cloud holds its every byte" [ "$(placement "$MNT/fresh.mov" cloud)" == "48.0 MiB" ]
unmount_drive

log "a new machine: the same manifest and catalog, an empty cache"
NEW=$WORK/newmachine
mkdir -p "$NEW"
cp "$DRIVE/reel.toml" "$DRIVE/catalog.db" "$NEW/"
DRIVE=$NEW MOUNT_LOG_CHECKED=0
mount_drive
t0=$(date +%s%N)
n=$(ls "$MNT/plates" | wc -l)
t1=$(date +%s%N)
check "lists every file from metadata alone (200)" [ "$n" -eq 200 ]
log "listed $n files in $(( (t1 - t0) / 1000000 )) ms"
check "nothing cached before a read" [ "$(du -sk "$NEW/store" | cut -f1)" -lt 1024 ]
dd if="$MNT/shot.mov" of=/dev/null bs=64K count=1 skip=100 status=none
cached=$(du -sk "$NEW/store" | cut -f1)
check "a 64 KiB read fetches chunks, not the file ($cached KiB cached)" [ "$cached" -lt 12288 ]
check "content matches after on-demand reads" same_file "$MNT/shot.mov" "$WORK/shot.bin"
(cd "$MNT/plates" && sha256sum -c --quiet "$WORK/plates.sha") || fail "plates match"
cached=$(find "$NEW/store/objects" -type f -printf '%s\n' | awk '{s += $1} END {print int(s / 1024)}')
check "cache within its limit after reading twice its size ($cached KiB of chunks)" [ "$cached" -le $((LIMIT_MIB * 1024)) ]

log "evict, hydrate, pin"
"$REEL" evict "$MNT/plates" >/dev/null
check "evicted" [ "$(placement "$MNT/plates/p9.exr" local)" == "0 B" ]
"$REEL" hydrate "$MNT/plates/p1*.exr" >/dev/null
"$REEL" status "$MNT/plates/p12.exr" | grep -q "^local: .*(100%)" || fail "hydrated by pattern"
check "a file outside the pattern stays evicted" [ "$(placement "$MNT/plates/p9.exr" local)" == "0 B" ]
"$REEL" pin "$MNT/plates" >/dev/null
cat "$MNT/shot.mov" > /dev/null  # pressure on the cache
"$REEL" status "$MNT/plates/p150.exr" | grep -q "pinned" || fail "pinned shows in status"
"$REEL" status "$MNT/plates/p150.exr" | grep -q "^local: .*(100%)" || fail "pinned file stays local"
unmount_drive
finish
