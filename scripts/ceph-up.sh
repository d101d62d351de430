#!/usr/bin/env bash
# Starts a throwaway single-node Ceph cluster for tests and development: 1 monitor, 1 OSD and
# 1 RADOS Gateway (S3), as plain processes bound to 127.0.0.1 only, with no authentication
# between the daemons (cephx off) and one S3 user for the gateway.
#
#   CEPH_DIR=/tmp/reel-ceph MON_PORT=3300 RGW_PORT=7480 OBJECTSTORE=memstore scripts/ceph-up.sh
#   source $CEPH_DIR/env     # CEPH_CONF, S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
#                            # AWS_DEFAULT_REGION
#   scripts/ceph-down.sh     # same CEPH_DIR: stops the daemons by their recorded PIDs
#
# Settings (environment):
#   CEPH_DIR         where everything lives (config, data, logs, pids, env); default /tmp/reel-ceph
#   MON_PORT         monitor port (msgr2), default 3300
#   RGW_PORT         S3 port, default 7480
#   OBJECTSTORE      memstore (RAM, ready in ~3 s; tests) or bluestore (sparse file; benchmarks)
#   MEMSTORE_BYTES   memstore capacity (RAM), default 4 GiB
#   BLUESTORE_BYTES  size of the sparse bluestore block file, default 20 GiB
#   S3_ACCESS_KEY / S3_SECRET_KEY   the gateway user's keys (test values by default)
#   RGW_EXTRA_CONF   extra lines for the gateway's config section (e.g. the ops log for benchmarks)
#
# Several clusters can run side by side: give each its own CEPH_DIR, MON_PORT and RGW_PORT.
# Packages: scripts/install-deps.sh --test (ceph-mon ceph-osd radosgw ceph-common).
set -euo pipefail

CEPH_DIR=${CEPH_DIR:-/tmp/reel-ceph}
MON_PORT=${MON_PORT:-3300}
RGW_PORT=${RGW_PORT:-7480}
OBJECTSTORE=${OBJECTSTORE:-memstore}
MEMSTORE_BYTES=${MEMSTORE_BYTES:-4294967296}
BLUESTORE_BYTES=${BLUESTORE_BYTES:-21474836480}
S3_ACCESS_KEY=${S3_ACCESS_KEY:-REELTESTACCESSKEY001}
S3_SECRET_KEY=${S3_SECRET_KEY:-reeltestsecretkey00000000000000000000001}
RGW_ID=reel

case "$OBJECTSTORE" in
  memstore|bluestore) ;;
  *) echo "ceph-up: OBJECTSTORE must be memstore or bluestore, not '$OBJECTSTORE'" >&2; exit 2 ;;
esac
for tool in monmaptool ceph-mon ceph-osd radosgw radosgw-admin ceph curl python3; do
  command -v "$tool" >/dev/null || { echo "ceph-up: $tool missing: run scripts/install-deps.sh --test" >&2; exit 1; }
done
if [[ -e "$CEPH_DIR/pids" ]]; then
  echo "ceph-up: $CEPH_DIR/pids exists: a cluster may be running there; run scripts/ceph-down.sh first" >&2
  exit 1
fi
# A port in use would make the readiness checks below talk to someone else's daemon.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$MON_PORT" "$RGW_PORT"; do
  if port_busy "$port"; then
    echo "ceph-up: 127.0.0.1:$port is already in use; choose other MON_PORT/RGW_PORT" >&2
    exit 1
  fi
done

rm -rf "${CEPH_DIR:?}"
mkdir -p "$CEPH_DIR"/{log,run,mon,osd,rgw}
export CEPH_CONF="$CEPH_DIR/ceph.conf"
t0=$(date +%s%N)
elapsed_ms() { echo $(( ($(date +%s%N) - t0) / 1000000 )); }
log() { echo "ceph-up: [$(elapsed_ms) ms] $*" >&2; }

# If anything below fails, stop what already started.
cleanup_on_error() {
  local rc=$?
  if ((rc != 0)); then
    echo "ceph-up: failed (exit $rc); logs in $CEPH_DIR/log; stopping what started" >&2
    KEEP=1 CEPH_DIR="$CEPH_DIR" "$(dirname "$0")/ceph-down.sh" >&2 || true
  fi
}
trap cleanup_on_error EXIT

new_uuid() { python3 -c 'import uuid; print(uuid.uuid4())'; }
fsid=$(new_uuid)

cat >"$CEPH_CONF" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$MON_PORT
public addr = 127.0.0.1
cluster addr = 127.0.0.1
run dir = $CEPH_DIR/run
admin socket = $CEPH_DIR/run/\$cluster-\$name.asok
log file = $CEPH_DIR/log/\$name.log
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
osd crush chooseleaf type = 0
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim allowed = false
mon max pg per osd = 1000
mon data avail crit = 0
mon data avail warn = 0

[mon]
# The gateway creates its pools one at a time; the default interval makes start-up take 15 s+.
paxos propose interval = 0.05
mon data = $CEPH_DIR/mon
mon cluster log file = $CEPH_DIR/log/mon-cluster.log

[osd]
osd data = $CEPH_DIR/osd
osd objectstore = $OBJECTSTORE
osd class load list = *
osd class default list = *
memstore device bytes = $MEMSTORE_BYTES
# The block file must be outside the OSD data directory.
bluestore block path = $CEPH_DIR/osd.block
bluestore block create = true
bluestore block size = $BLUESTORE_BYTES
bluestore fsck on mount = false
osd memory target = 1073741824

[client.rgw.$RGW_ID]
rgw data = $CEPH_DIR/rgw
# tcp_nodelay: without it a GET on a reused connection waits ~40 ms (Nagle against the
# client's delayed ACK) between the response header and body writes.
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT tcp_nodelay=1
rgw dns name = localhost
rgw enable usage log = false
${RGW_EXTRA_CONF:-}
CONF

# start NAME CMD...: a foreground daemon in its own session; its PID goes to $CEPH_DIR/pids.
start() {
  local name=$1
  shift
  setsid "$@" -f </dev/null >>"$CEPH_DIR/log/$name.stdout" 2>&1 &
  echo "$name $!" >>"$CEPH_DIR/pids"
}
# wait_for SECONDS WHAT CMD...: polls CMD until it succeeds.
wait_for() {
  local deadline=$(( $(date +%s) + $1 )) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    if (( $(date +%s) >= deadline )); then echo "ceph-up: timed out waiting for $what" >&2; return 1; fi
    sleep 0.2
  done
}

monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_PORT]" "$CEPH_DIR/monmap" >/dev/null
ceph-mon --id a --mkfs --monmap "$CEPH_DIR/monmap" --keyring /dev/null
start mon ceph-mon --id a
wait_for 30 "the monitor" ceph mon stat
log "monitor up on 127.0.0.1:$MON_PORT"

osd_uuid=$(new_uuid)
osd_id=$(ceph osd new "$osd_uuid")
ceph osd crush add "osd.$osd_id" 1 root=default host=localhost >/dev/null 2>&1
ceph-osd --id "$osd_id" --mkfs --osd-uuid "$osd_uuid" >>"$CEPH_DIR/log/osd-mkfs.log" 2>&1
start osd ceph-osd --id "$osd_id"
osd_up() { ceph osd dump 2>/dev/null | grep -q "^osd.$osd_id up"; }
wait_for 60 "the OSD" osd_up
log "OSD $osd_id up ($OBJECTSTORE)"

start rgw radosgw -n "client.rgw.$RGW_ID"
wait_for 120 "the gateway" curl -s -o /dev/null "http://127.0.0.1:$RGW_PORT/"
radosgw-admin user create --uid reel-test --display-name "ReelDrive test user" \
  --access-key="$S3_ACCESS_KEY" --secret-key="$S3_SECRET_KEY" >/dev/null
log "gateway up on http://127.0.0.1:$RGW_PORT"

umask 077  # the env file holds the test user's secret key
cat >"$CEPH_DIR/env" <<ENV
export CEPH_CONF=$CEPH_CONF
export S3_ENDPOINT=http://127.0.0.1:$RGW_PORT
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
export AWS_DEFAULT_REGION=us-east-1
ENV
touch "$CEPH_DIR/.ready"
echo "ceph-up: cluster ready in $(elapsed_ms) ms; source $CEPH_DIR/env"
