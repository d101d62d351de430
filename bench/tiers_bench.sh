#!/usr/bin/env bash
# ReelDrive tiers side by side with s3fs, rclone mount and raw curl, all against one Ceph RADOS
# Gateway (S3) that this script starts (scripts/ceph-up.sh, bluestore, its own dir and free ports
# on 127.0.0.1) and stops on exit. What each row measures and a full run: docs/benchmarks.md.
#
#   bench/tiers_bench.sh [--quick] [--build DIR] [--workdir DIR] [--reps N] [--out FILE] [--keep]
#
#   --quick        small sizes (256 MiB big file, 128 MiB edit file, 2,000-file listing, 200 reads)
#   --build DIR    build directory with src/cli/reel (default: build)
#   --workdir DIR  where drives, mountpoints and the Ceph cluster go (default: $TMPDIR or /tmp);
#                  a disk filesystem. Source files are kept in /dev/shm (RAM) so reading them
#                  costs no side anything.
#   --reps N       repetitions of rows 1, 2 and the listing; the median is reported (default 3,
#                  quick 1). Rows 3, 4 and the cache check run once.
#   --out FILE     the report (markdown; default bench/results/tiers-DATE.md)
#   --keep         keep the work directory (drives, Ceph logs, the gateway's ops log)
#
# Rows: 1 cold sequential read (ReelDrive new machine vs s3fs vs rclone vs 8 parallel ranged GETs),
# 2 a fresh file to the cloud (cp + reel publish vs cp into s3fs / rclone vs one curl PUT), 3 a
# 1 MiB edit re-uploaded, 4 random 4 KiB reads into a cold file; a new machine's `ls -l` of a
# workspace and its cache limit. Bytes on the wire are counted by the gateway itself (its ops log:
# bytes received and sent per request), the same way for every side.
#
# Needs root (FUSE mounts, dropping the page cache), the Ceph packages (scripts/install-deps.sh
# --test), s3fs, rclone, curl, python3.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
WORKBASE=${TMPDIR:-/tmp}
QUICK=0
REPS=""
OUT=""
KEEP=0

usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --build) BUILD=$(readlink -f "$2"); shift ;;
    --workdir) WORKBASE=$2; shift ;;
    --reps) REPS=$2; shift ;;
    --out) OUT=$2; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage 2 ;;
  esac
  shift
done

if ((QUICK)); then
  BIG_MIB=256; EDIT_MIB=128; LIST_N=2000; RAND_N=200; REPS=${REPS:-1}
else
  BIG_MIB=2048; EDIT_MIB=1024; LIST_N=10000; RAND_N=500; REPS=${REPS:-3}
fi
RAW_PARTS=8  # parallel ranged GETs of the raw read

REEL=$BUILD/src/cli/reel
[[ -x $REEL ]] || { echo "missing $REEL; build it: scripts/build.sh ${BUILD#"$ROOT"/}" >&2; exit 1; }
for t in s3fs rclone curl python3 fusermount3 mountpoint ceph-mon radosgw; do
  command -v "$t" >/dev/null || { echo "missing tool: $t (scripts/install-deps.sh --test)" >&2; exit 1; }
done
[[ $(id -u) -eq 0 ]] || echo "warning: not root: FUSE mounts may fail and the page cache cannot be dropped" >&2

# ---------------------------------------------------------------------------------- setup
WORK=$(mktemp -d "$WORKBASE/reel-tiers-XXXXXX")
SRC=$(mktemp -d /dev/shm/reel-tiers-src-XXXXXX)
RES=$WORK/results.txt
HELP=$ROOT/bench/tiers_bench.py  # ops-log reader and summaries, random reads, samplers, the report
export CEPH_DIR=$WORK/ceph
export XDG_RUNTIME_DIR=$WORK/run
mkdir -p "$XDG_RUNTIME_DIR" "$WORK/mnt-reel" "$WORK/mnt-s3fs" "$WORK/mnt-rclone"
chmod 700 "$XDG_RUNTIME_DIR"
RMNT=$WORK/mnt-reel SMNT=$WORK/mnt-s3fs CMNT=$WORK/mnt-rclone
: >"$RES"
OPS_PID=""
FUSECTL_MOUNTED=0

cleanup() {
  local rc=$?
  set +e
  for m in "$RMNT" "$SMNT" "$CMNT"; do
    if mountpoint -q "$m" 2>/dev/null || grep -qs " $m fuse" /proc/mounts; then
      if [[ $m == "$RMNT" ]]; then "$REEL" umount "$m" >/dev/null 2>&1; fi
      fusermount3 -u "$m" 2>/dev/null || fusermount3 -uz "$m" 2>/dev/null
    fi
  done
  for rec in "$XDG_RUNTIME_DIR"/reel/*.json; do  # a mount process of this run still around
    [[ -f $rec ]] || continue
    pid=$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$rec")
    [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null
  done
  CEPH_DIR=$CEPH_DIR KEEP=$KEEP "$ROOT/scripts/ceph-down.sh" >/dev/null 2>&1
  [[ -n $OPS_PID ]] && kill "$OPS_PID" 2>/dev/null
  ((FUSECTL_MOUNTED)) && umount /sys/fs/fuse/connections 2>/dev/null
  rm -rf "$SRC"
  if ((rc != 0)) && [[ -s $RES ]]; then
    local partial
    partial=$WORKBASE/reel-tiers-partial-$(date +%Y%m%d-%H%M%S).txt
    cp "$RES" "$partial" && echo "run failed (exit $rc); values measured so far: $partial" >&2
  fi
  if ((KEEP)); then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'echo "tiers_bench.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

log() { echo "[$(date +%T)] $*" >&2; }
record() { echo "$1=$2" >>"$RES"; }
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }
mbps() { python3 -c "import sys; print(f'{float(sys.argv[1]) / 1e6 / float(sys.argv[2]):.1f}')" "$1" "$2"; }
jget() { python3 -c "import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2], 0); print(v if not isinstance(v, float) else f'{v:.3f}')" "$1" "$2"; }
CAN_DROP=0
[[ -w /proc/sys/vm/drop_caches ]] && CAN_DROP=1
drop_caches() { sync; if ((CAN_DROP)); then echo 3 >/proc/sys/vm/drop_caches; fi; }
assert_mounted() { mountpoint -q "$1" || { echo "FATAL: $1 is not a mountpoint (mount failed or died)" >&2; exit 1; }; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

FSTYPE=$(findmnt -no FSTYPE -T "$WORK" 2>/dev/null || stat -f -c %T "$WORK")
if [[ $FSTYPE == tmpfs || $FSTYPE == ramfs ]]; then
  echo "$WORK is on $FSTYPE: pick a disk filesystem with --workdir" >&2; exit 1
fi

# FUSE's control filesystem shows the requests each mount has waiting (sampled during reads).
if [[ ! -d /sys/fs/fuse/connections ]] || ! mountpoint -q /sys/fs/fuse/connections; then
  mount -t fusectl fusectl /sys/fs/fuse/connections 2>/dev/null && FUSECTL_MOUNTED=1 || true
fi

# ------------------------------------------------------------------------ the gateway
MON_PORT=$(free_port); RGW_PORT=$(free_port)
while [[ $RGW_PORT == "$MON_PORT" ]]; do RGW_PORT=$(free_port); done
log "starting Ceph (bluestore) in $CEPH_DIR, monitor :$MON_PORT, gateway :$RGW_PORT"
# The ops log: one JSON line per request with bytes received and sent, read from a unix socket.
OPS_SOCK=$CEPH_DIR/run/opslog.sock
OPS=$WORK/ops.json
MON_PORT=$MON_PORT RGW_PORT=$RGW_PORT OBJECTSTORE=bluestore BLUESTORE_BYTES=$((64 << 30)) \
  RGW_EXTRA_CONF="rgw enable ops log = true
rgw ops log rados = false
rgw ops log socket path = $OPS_SOCK
rgw ops log data backlog = 67108864" \
  "$ROOT/scripts/ceph-up.sh" >"$WORK/ceph-up.log" 2>&1 || { cat "$WORK/ceph-up.log" >&2; exit 1; }
# shellcheck disable=SC1091
source "$CEPH_DIR/env"
: >"$OPS"
python3 "$HELP" reader "$OPS_SOCK" "$OPS" &
OPS_PID=$!
ops_mark() { sleep 1; wc -l <"$OPS"; }  # entries of requests that finished are in by then
ops_sum() { sleep 1; python3 "$HELP" ops "$OPS" "$@"; }
wait_upload() { python3 "$HELP" wait-upload "$OPS" "$1" "$2" "$3" "${4:-600}"; }

C=(curl -sS --fail --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
PEERS=peers-bucket
CLOUD_BUCKET=reel-cloud
"${C[@]}" -X PUT "$S3_ENDPOINT/$PEERS" -o /dev/null
s3_put() { "${C[@]}" -T "$1" "$S3_ENDPOINT/$PEERS/$2" -o /dev/null; }
s3_del() { "${C[@]}" -X DELETE "$S3_ENDPOINT/$PEERS/$1" -o /dev/null || true; }

echo "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" >"$WORK/s3fs.passwd"; chmod 600 "$WORK/s3fs.passwd"
export RCLONE_CONFIG_RGW_TYPE=s3 RCLONE_CONFIG_RGW_PROVIDER=Ceph RCLONE_CONFIG_RGW_ENDPOINT=$S3_ENDPOINT \
  RCLONE_CONFIG_RGW_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID RCLONE_CONFIG_RGW_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
  RCLONE_CONFIG_RGW_REGION=us-east-1
wait_mount() { for _ in $(seq 1 100); do mountpoint -q "$1" && return 0; sleep 0.1; done; assert_mounted "$1"; }
# s3fs with its defaults (no local cache, parallel multipart); rclone as `rclone mount` with the
# VFS cache off (streaming reads and writes) unless a mode is given. AWS_CA_BUNDLE (set on some
# machines) makes rclone 1.60 fail: LoadCustomCABundleError.
mount_s3fs() {
  s3fs "$PEERS" "$SMNT" -o passwd_file="$WORK/s3fs.passwd",url="$S3_ENDPOINT",use_path_request_style,endpoint=us-east-1
  wait_mount "$SMNT"
}
mount_rclone() {
  env -u AWS_CA_BUNDLE rclone mount "rgw:$PEERS" "$CMNT" --vfs-cache-mode "${1:-off}" --vfs-write-back 0s \
    --cache-dir "$WORK/rclone-cache" --daemon
  wait_mount "$CMNT"
}
umount_fuse() { fusermount3 -u "$1"; for _ in $(seq 1 50); do mountpoint -q "$1" || return 0; sleep 0.1; done; }

# ReelDrive: the first machine's drive (publishes), and "new machines" made from its manifest
# and catalog with an empty local store.
DRIVE=$WORK/drive-first
CLOUD_URI="s3://$CLOUD_BUCKET/drive?endpoint=$S3_ENDPOINT&path_style=true&create_bucket=true"
reel_mount() { "$REEL" mount "$RMNT" --drive "$1" --background >/dev/null; assert_mounted "$RMNT"; }
reel_umount() { "$REEL" umount "$RMNT" >/dev/null; }
reel_pid() { sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$XDG_RUNTIME_DIR"/reel/*.json | head -1; }
transfers() { "$REEL" transfers "$RMNT" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
new_machine() {  # new_machine [CACHE_LIMIT_BYTES] [PARENT_DIR] -> prints the new drive dir
  local d
  d=$(mktemp -d "${2:-$WORK}/new-machine-XXXXXX")
  cp "$DRIVE/reel.toml" "$DRIVE/catalog.db" "$d/"
  if [[ -n ${1:-} ]]; then
    python3 - "$d/reel.toml" "$1" <<'EOF'
import re, sys
p, lim = sys.argv[1], int(sys.argv[2])
s = open(p).read()
# The local tier's limit: the `limit` key of the [[tier]] named "local".
parts = s.split("[[tier]]")
for i, part in enumerate(parts):
    if re.search(r'^name\s*=\s*"local"', part, re.M):
        if re.search(r'^limit\s*=', part, re.M):
            part = re.sub(r'^limit\s*=.*$', f'limit = "{lim}B"', part, flags=re.M)
        else:
            part = part.rstrip("\n") + f'\nlimit = "{lim}B"\n\n'
        parts[i] = part
open(p, "w").write("[[tier]]".join(parts))
EOF
  fi
  echo "$d"
}
cache_bytes() { find "$1/store/objects" -type f -printf '%s\n' 2>/dev/null | awk '{s += $1} END {printf "%.0f\n", s}'; }

record date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
record machine "$(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.0f GiB RAM", $2 / 1048576}' /proc/meminfo), kernel $(uname -r)"
record filesystem "$FSTYPE on $(df --output=source "$WORK" | tail -1)"
record git "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' + uncommitted changes in src/')"
record reel "$REEL"
record ceph "$(ceph --version | awk '{print $1, $3, $5}')"
record peers "s3fs $(s3fs --version 2>&1 | head -1 | grep -o 'V[0-9][0-9.]*'); $(rclone version 2>/dev/null | head -1); $(curl --version | head -1 | awk '{print $1, $2}')"
record quick "$QUICK"
record reps "$REPS"
record can_drop "$CAN_DROP"
record big_mib "$BIG_MIB"
record edit_mib "$EDIT_MIB"
record list_n "$LIST_N"
record load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
BIG_BYTES=$((BIG_MIB * 1048576))

log "source files in $SRC: ${BIG_MIB} MiB and ${EDIT_MIB} MiB random"
head -c "$BIG_BYTES" /dev/urandom >"$SRC/big.bin"
head -c $((EDIT_MIB * 1048576)) /dev/urandom >"$SRC/edit.bin"
head -c 1048576 /dev/urandom >"$SRC/patch.bin"
fresh() { head -c "$BIG_BYTES" /dev/urandom >"$SRC/fresh.bin"; }

# ------------------------------------------------- row 2 (raw PUT) and the peers' big object
for ((r = 1; r <= REPS; r++)); do
  log "row 2, raw: one curl PUT of ${BIG_MIB} MiB ($r/$REPS)"
  t0=$(now); s3_put "$SRC/big.bin" big.bin; t1=$(now)
  record put_raw "$(mbps "$BIG_BYTES" "$(elapsed "$t0" "$t1")")"
done

# ------------------------------------------------------------------- the first machine
log "first machine: reel init --cloud s3://$CLOUD_BUCKET/drive, mount, publish the ${BIG_MIB} MiB file"
"$REEL" init "$DRIVE" --cloud "$CLOUD_URI" --cache-limit 1TiB >/dev/null
record chunking "$(sed -n '/^\[chunking\]/,/^\[/p' "$DRIVE/reel.toml" | grep -v '^\[' | grep -v '^#' | grep . | tr '\n' ' ' | sed 's/ *$//')"
record transfer_threads "$(sed -n '/^\[transfer\]/,/^\[/p' "$DRIVE/reel.toml" | sed -n 's/^threads *= *//p')"
reel_mount "$DRIVE"
cp "$SRC/big.bin" "$RMNT/big.bin"
"$REEL" sync "$RMNT" >/dev/null
"$REEL" publish "$RMNT/big.bin" >/dev/null

# Row 2, reel: a fresh file each repetition. cp, `reel sync` (version committed locally: chunk,
# hash, store) and `reel publish` (chunks uploaded to the cloud, waits) timed separately.
for ((r = 1; r <= REPS; r++)); do
  log "row 2, reel: cp + sync + publish of a fresh ${BIG_MIB} MiB file ($r/$REPS)"
  fresh
  drop_caches
  assert_mounted "$RMNT"
  b0=$(transfers completed_bytes)
  mark=$(ops_mark)
  t0=$(now)
  cp "$SRC/fresh.bin" "$RMNT/fresh-$r.bin"
  t1=$(now)
  "$REEL" sync "$RMNT" >/dev/null
  t2=$(now)
  "$REEL" publish "$RMNT/fresh-$r.bin" >/dev/null
  t3=$(now)
  b1=$(transfers completed_bytes)
  j=$(ops_sum "$mark" "$CLOUD_BUCKET")
  record pub_reel_puts "$(jget "$j" puts)"
  record pub_reel_put_mib "$(python3 -c "print($(jget "$j" put_size_mean) / 1048576)")"
  record pub_reel_put_conc "$(jget "$j" put_concurrency_max)"
  record pub_reel_put_conc_mean "$(jget "$j" put_concurrency_mean)"
  record pub_reel_put_ms "$(jget "$j" put_ms_mean)"
  record pub_reel_cp_s "$(elapsed "$t0" "$t1")"
  record pub_reel_sync_s "$(elapsed "$t1" "$t2")"
  record pub_reel_publish_s "$(elapsed "$t2" "$t3")"
  record pub_reel_total "$(mbps "$BIG_BYTES" "$(elapsed "$t0" "$t3")")"
  record pub_reel_publish "$(mbps "$BIG_BYTES" "$(elapsed "$t2" "$t3")")"
  record pub_reel_sent_bytes "$((b1 - b0))"
done

# Row 3, reel: a 1 MiB edit in the middle of a published EDIT_MIB file, committed, re-published.
log "row 3, reel: publish a ${EDIT_MIB} MiB file, edit 1 MiB, re-publish"
cp "$SRC/edit.bin" "$RMNT/edit.bin"
"$REEL" sync "$RMNT" >/dev/null
"$REEL" publish "$RMNT/edit.bin" >/dev/null
SEEK=$((EDIT_MIB / 2))
b0=$(transfers completed_bytes); n0=$(transfers completed)
mark=$(ops_mark)
t0=$(now)
dd if="$SRC/patch.bin" of="$RMNT/edit.bin" bs=1M seek="$SEEK" conv=notrunc status=none
"$REEL" sync "$RMNT" >/dev/null
"$REEL" publish "$RMNT/edit.bin" >/dev/null
t1=$(now)
b1=$(transfers completed_bytes); n1=$(transfers completed)
j=$(ops_sum "$mark" "$CLOUD_BUCKET")
record edit_reel_s "$(elapsed "$t0" "$t1")"
record edit_reel_bytes "$((b1 - b0))"
record edit_reel_chunks "$((n1 - n0))"
record edit_reel_gw_rx "$(jget "$j" bytes_received)"
record edit_reel_gw_tx "$(jget "$j" bytes_sent)"
record edit_reel_gw_obj "$(jget "$j" objects_written_bytes)"
record edit_reel_copy_parts "$(jget "$j" copy_parts)"
record edit_reel_ops "$(jget "$j" ops)"
dd if="$SRC/patch.bin" of="$SRC/edit.bin" bs=1M seek="$SEEK" conv=notrunc status=none
if cmp -s "$SRC/edit.bin" "$RMNT/edit.bin"; then record edit_reel_content same; else record edit_reel_content DIFFERENT; fi

log "workspace: $LIST_N files of 1 KiB in ws/"
python3 - "$RMNT/ws" "$LIST_N" <<'EOF'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d, exist_ok=True)
for i in range(n):
    with open(os.path.join(d, f"shot_{i:05d}.exr"), "wb") as f:
        f.write(os.urandom(1024))
EOF
"$REEL" sync "$RMNT" >/dev/null
"$REEL" publish "$RMNT/ws" >/dev/null
reel_umount

# ------------------------------------------------------------------- rows 2 and 3: peers
for side in s3fs rclone; do
  for ((r = 1; r <= REPS; r++)); do
    log "row 2, $side: cp of a fresh ${BIG_MIB} MiB file into the mount, until the gateway has it ($r/$REPS)"
    fresh
    mount_$side
    drop_caches
    assert_mounted "$WORK/mnt-$side"
    mark=$(ops_mark)
    mnt=$WORK/mnt-$side
    t0=$(now)
    cp "$SRC/fresh.bin" "$mnt/fresh-$side-$r.bin"
    sync -f "$mnt/fresh-$side-$r.bin" 2>/dev/null || true
    t1=$(wait_upload "$mark" "$PEERS" "fresh-$side-$r.bin")
    record "write_$side" "$(mbps "$BIG_BYTES" "$(elapsed "$t0" "$t1")")"
    umount_fuse "$mnt"
    s3_del "fresh-$side-$r.bin"
  done
  log "row 3, $side: 1 MiB edit in a ${EDIT_MIB} MiB object"
  s3_put "$SRC/edit.bin" "edit-$side.bin"
  if [[ $side == rclone ]]; then mount_rclone writes; else mount_s3fs; fi
  mnt=$WORK/mnt-$side
  assert_mounted "$mnt"
  mark=$(ops_mark)
  t0=$(now)
  dd if="$SRC/patch.bin" of="$mnt/edit-$side.bin" bs=1M seek="$SEEK" conv=notrunc status=none
  t1=$(wait_upload "$mark" "$PEERS" "edit-$side.bin")
  j=$(ops_sum "$mark" "$PEERS" "edit-$side.bin")
  record "edit_${side}_s" "$(elapsed "$t0" "$t1")"
  record "edit_${side}_gw_rx" "$(jget "$j" bytes_received)"
  record "edit_${side}_gw_tx" "$(jget "$j" bytes_sent)"
  record "edit_${side}_gw_obj" "$(jget "$j" objects_written_bytes)"
  record "edit_${side}_copy_parts" "$(jget "$j" copy_parts)"
  record "edit_${side}_ops" "$(jget "$j" ops)"
  umount_fuse "$mnt"
  s3_del "edit-$side.bin"
done

# --------------------------------------------- row 1 (cold sequential read) and the listing
read_side() {  # read_side NAME FILE: dd 1 MiB blocks, caches dropped before; gateway ops summarized
  local name=$1 file=$2 bucket=$3 mark t0 t1 j
  drop_caches
  mark=$(ops_mark)
  t0=$(now)
  dd if="$file" of=/dev/null bs=1M status=none
  t1=$(now)
  j=$(ops_sum "$mark" "$bucket")
  record "read_$name" "$(mbps "$BIG_BYTES" "$(elapsed "$t0" "$t1")")"
  record "read_${name}_gets" "$(jget "$j" gets)"
  record "read_${name}_get_mib" "$(python3 -c "print($(jget "$j" get_size_mean) / 1048576)")"
  record "read_${name}_get_conc" "$(jget "$j" get_concurrency_max)"
  record "read_${name}_get_ms" "$(jget "$j" get_ms_mean)"
  record "read_${name}_get_bytes" "$(jget "$j" get_bytes)"
  record "read_${name}_ops" "$(jget "$j" ops)"
}
for ((r = 1; r <= REPS; r++)); do
  d=$(new_machine)
  log "row 1 ($r/$REPS), reel: new machine $d: ls -l of ws/, then read ${BIG_MIB} MiB"
  reel_mount "$d"
  drop_caches
  assert_mounted "$RMNT"
  t0=$(now)
  n=$(ls -l "$RMNT/ws" | grep -c '^-')
  t1=$(now)
  [[ $n -eq $LIST_N ]] || { echo "FATAL: new machine lists $n files in ws/, not $LIST_N" >&2; exit 1; }
  record list_reel_s "$(elapsed "$t0" "$t1")"
  record list_cache_after "$(cache_bytes "$d")"
  # FUSE requests queued in the kernel for the daemon, sampled during the read.
  conn=$(mountpoint -d "$RMNT" | cut -d: -f2)
  stop=$WORK/stop-fuse-$r; rm -f "$stop"
  python3 "$HELP" sample-fuse "/sys/fs/fuse/connections/$conn/waiting" "$stop" "$WORK/fuse-$r.json" &
  spid=$!
  read_side reel "$RMNT/big.bin" "$CLOUD_BUCKET"
  touch "$stop"; wait "$spid" || true
  record fuse_read "$(cat "$WORK/fuse-$r.json")"
  if ((r == 1)); then
    if cmp -s "$SRC/big.bin" "$RMNT/big.bin"; then record read_reel_content same; else record read_reel_content DIFFERENT; fi
  fi
  reel_umount
  rm -rf "$d"

  if ((r == 1)); then
    # Diagnosis of the ReelDrive read path, once: (a) the kernel readahead of the mount raised to
    # 16 MiB through sysfs after the mount, (b) the new machine's drive (its local cache) on tmpfs,
    # where fsync costs nothing, (c) both.
    for diag in ra tmpfs both; do
      parent=$WORK
      [[ $diag == tmpfs || $diag == both ]] && parent=$SRC
      d=$(new_machine "" "$parent")
      log "row 1 diagnosis: reel cold read, $diag"
      reel_mount "$d"
      bdi=$(mountpoint -d "$RMNT")
      record read_ahead_kb_default "$(cat "/sys/class/bdi/$bdi/read_ahead_kb")"
      record fuse_max_background "$(cat "/sys/fs/fuse/connections/${bdi#*:}/max_background" 2>/dev/null || echo '?')"
      [[ $diag == ra || $diag == both ]] && echo 16384 >"/sys/class/bdi/$bdi/read_ahead_kb"
      read_side "reel_$diag" "$RMNT/big.bin" "$CLOUD_BUCKET"
      reel_umount
      rm -rf "$d"
    done
  fi

  log "row 1 ($r/$REPS), s3fs"
  mount_s3fs; assert_mounted "$SMNT"
  read_side s3fs "$SMNT/big.bin" "$PEERS"
  umount_fuse "$SMNT"

  log "row 1 ($r/$REPS), rclone"
  mount_rclone off; assert_mounted "$CMNT"
  read_side rclone "$CMNT/big.bin" "$PEERS"
  umount_fuse "$CMNT"

  log "row 1 ($r/$REPS), raw: $RAW_PARTS parallel ranged GETs"
  drop_caches
  mark=$(ops_mark)
  part=$((BIG_BYTES / RAW_PARTS))
  pids=()
  t0=$(now)
  for ((i = 0; i < RAW_PARTS; i++)); do
    "${C[@]}" -r "$((i * part))-$(((i + 1) * part - 1))" "$S3_ENDPOINT/$PEERS/big.bin" -o /dev/null &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  t1=$(now)
  j=$(ops_sum "$mark" "$PEERS")
  record read_raw "$(mbps "$BIG_BYTES" "$(elapsed "$t0" "$t1")")"
  record read_raw_gets "$(jget "$j" gets)"
  record read_raw_get_mib "$(python3 -c "print($(jget "$j" get_size_mean) / 1048576)")"
  record read_raw_get_conc "$(jget "$j" get_concurrency_max)"
  record read_raw_get_bytes "$(jget "$j" get_bytes)"
  record read_raw_ops "$(jget "$j" ops)"
done

# ------------------------------------------------------------- row 4: random 4 KiB reads
rand_side() {  # rand_side NAME FILE BUCKET
  local name=$1 file=$2 bucket=$3 mark j out
  drop_caches
  mark=$(ops_mark)
  out=$(python3 "$HELP" randread "$file" "$RAND_N" 42)
  j=$(ops_sum "$mark" "$bucket")
  record "rand_$name" "$out"
  record "rand_${name}_gw_tx" "$(jget "$j" bytes_sent)"
  record "rand_${name}_gets" "$(jget "$j" gets)"
}
d=$(new_machine)
log "row 4, reel: $RAND_N random 4 KiB reads on new machine $d"
reel_mount "$d"
rand_side reel "$RMNT/big.bin" "$CLOUD_BUCKET"
record rand_reel_cache "$(cache_bytes "$d")"
reel_umount
rm -rf "$d"
log "row 4, s3fs"
mount_s3fs; rand_side s3fs "$SMNT/big.bin" "$PEERS"; umount_fuse "$SMNT"
log "row 4, rclone"
mount_rclone off; rand_side rclone "$CMNT/big.bin" "$PEERS"; umount_fuse "$CMNT"

# ------------------------------------------------ the cache limit: read 3x the limit through it
LIMIT=$((BIG_BYTES / 3))
d=$(new_machine "$LIMIT")
log "cache limit: new machine $d with a $((LIMIT / 1048576)) MiB cache reads ${BIG_MIB} MiB"
reel_mount "$d"
drop_caches
stop=$WORK/stop-cache; rm -f "$stop"
python3 "$HELP" sample-dir "$d/store/objects" "$stop" "$WORK/cache-peak" &
spid=$!
t0=$(now)
sum_mount=$(sha256sum <"$RMNT/big.bin" | cut -d' ' -f1)
t1=$(now)
touch "$stop"; wait "$spid" || true
record cache_limit "$LIMIT"
record cache_peak "$(cat "$WORK/cache-peak")"
record cache_end "$(cache_bytes "$d")"
record cache_read_mbps "$(mbps "$BIG_BYTES" "$(elapsed "$t0" "$t1")")"
if [[ $sum_mount == "$(sha256sum <"$SRC/big.bin" | cut -d' ' -f1)" ]]; then record cache_content same; else record cache_content DIFFERENT; fi
reel_umount
rm -rf "$d"

record load_end "$(cut -d' ' -f1-3 /proc/loadavg)"

# --------------------------------------------------------------------------------- report
if [[ -z $OUT ]]; then
  mkdir -p "$ROOT/bench/results"
  OUT=$ROOT/bench/results/tiers-$(date +%Y%m%d-%H%M%S)
  if ((QUICK)); then OUT+=-quick; fi
  OUT+=.md
fi
python3 "$HELP" report "$RES" >"$OUT"
cat "$OUT"
echo
echo "report: $OUT"
