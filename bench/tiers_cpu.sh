#!/usr/bin/env bash
# Where the CPU goes: the tiers benchmark's two big rows (a cold 2 GiB read on a new machine, and
# a fresh 2 GiB file cp'd, committed and published), with the CPU seconds each process used (the
# daemon, radosgw, ceph-osd, from /proc/PID/stat) and the machine's busy and idle time (/proc/stat)
# per phase, next to s3fs and raw curl on the same gateway. On a 2-core VM that runs the gateway
# too, throughput is CPU: these figures say whose. Diagnostic, not a scored benchmark (that is
# bench/tiers_bench.sh); see docs/benchmarks.md.
#
#   bench/tiers_cpu.sh [--build DIR] [--workdir DIR] [--reps N] [--only cold|publish] [--perf]
#
#   --build DIR    build directory with src/cli/reel (default: build)
#   --workdir DIR  where the drives, mountpoints and the Ceph cluster go (a disk filesystem;
#                  default $TMPDIR or /tmp)
#   --reps N       repetitions of each measurement (default 2)
#   --only PART    just the cold reads (cold) or just the fresh file to the cloud (publish)
#   --perf         also record `perf record -g` of the daemon during the first cold read and the
#                  first publish (files perf-cold.data, perf-publish.data in the work directory,
#                  which is then kept)
#
# Needs root (FUSE, dropping the page cache), the Ceph packages, s3fs, curl, python3.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
WORKBASE=${TMPDIR:-/tmp}
REPS=2
PERF=0
ONLY=
while (($#)); do
  case $1 in
    --build) BUILD=$(readlink -f "$2"); shift ;;
    --workdir) WORKBASE=$2; shift ;;
    --reps) REPS=$2; shift ;;
    --perf) PERF=1 ;;
    --only) ONLY=$2; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -z $ONLY || $ONLY == cold || $ONLY == publish ]] || { echo "--only: cold or publish" >&2; exit 2; }
REEL=$BUILD/src/cli/reel
[[ -x $REEL ]] || { echo "missing $REEL" >&2; exit 1; }
((PERF)) && ! command -v perf >/dev/null && { echo "--perf needs perf (linux-perf)" >&2; exit 1; }

WORK=$(mktemp -d "$WORKBASE/reel-tiers-cpu-XXXXXX")
SRC=$(mktemp -d /dev/shm/reel-tiers-cpu-XXXXXX)
export CEPH_DIR=$WORK/ceph
MNT=$WORK/mnt SMNT=$WORK/s3fs
mkdir -p "$MNT" "$SMNT"
cleanup() {
  local rc=$?
  mountpoint -q "$MNT" && { "$REEL" umount "$MNT" >/dev/null 2>&1 || fusermount3 -u "$MNT" || true; }
  mountpoint -q "$SMNT" && { fusermount3 -u "$SMNT" || true; }
  "$ROOT/scripts/ceph-down.sh" >/dev/null 2>&1 || true
  rm -rf "$SRC"
  if ((PERF)); then echo "kept $WORK (perf data)" >&2; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[$(date +%T)] $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }
TK=$(getconf CLK_TCK)
proc_cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime, in ticks
machine() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat; }  # busy idle

# measure NAME PIDS -- CMD...: runs CMD, prints wall time, MB/s of 2 GiB and CPU seconds per PID.
measure() {
  local name=$1; shift
  local -a pids=() names=()
  while [[ $1 != -- ]]; do names+=("${1%%=*}"); pids+=("${1#*=}"); shift; done
  shift
  local -a before=()
  for p in "${pids[@]}"; do before+=("$(proc_cpu "$p")"); done
  local m0 t0 t1 m1
  m0=$(machine); t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s.%N); m1=$(machine)
  local line
  line=$(python3 -c "import sys; t=$t1-$t0; print(f'{t:6.2f} s  {2147.483648 / t:5.0f} MB/s', end='')")
  for i in "${!pids[@]}"; do
    line+=$(python3 -c "print(f'  {\"${names[$i]}\"} {($(proc_cpu "${pids[$i]}") - ${before[$i]}) / $TK:.2f}', end='')")
  done
  line+=$(python3 -c "
b0, i0 = map(float, '$m0'.split()); b1, i1 = map(float, '$m1'.split())
print(f'  | machine busy {(b1 - b0) / $TK:.2f} idle {(i1 - i0) / $TK:.2f} core-s', end='')")
  printf '%-26s %s\n' "$name" "$line"
}

MON_PORT=$(free_port); RGW_PORT=$(free_port)
log "starting Ceph (bluestore) in $CEPH_DIR"
MON_PORT=$MON_PORT RGW_PORT=$RGW_PORT OBJECTSTORE=bluestore BLUESTORE_BYTES=$((64 << 30)) \
  "$ROOT/scripts/ceph-up.sh" >"$WORK/ceph-up.log" 2>&1 || { cat "$WORK/ceph-up.log" >&2; exit 1; }
# shellcheck disable=SC1091
source "$CEPH_DIR/env"
RGW=$(awk '$1 == "rgw" {print $2}' "$CEPH_DIR/pids"); OSD=$(awk '$1 == "osd" {print $2}' "$CEPH_DIR/pids")
C=(curl -sS --fail --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"
   -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")

log "2 GiB of random bytes, a first drive (cloud: the gateway), the file published"
head -c $((2048 << 20)) /dev/urandom >"$SRC/big.bin"
DRIVE=$WORK/first
"$REEL" init "$DRIVE" --cloud "s3://reel-cloud/drive?endpoint=$S3_ENDPOINT&path_style=true&create_bucket=true" \
  --cache-limit 1TiB >/dev/null
"$REEL" mount "$MNT" --drive "$DRIVE" --background >/dev/null
cp "$SRC/big.bin" "$MNT/big.bin"
"$REEL" publish "$MNT/big.bin" >/dev/null
"$REEL" umount "$MNT" >/dev/null
"${C[@]}" -X PUT "$S3_ENDPOINT/peers" -o /dev/null
"${C[@]}" -T "$SRC/big.bin" "$S3_ENDPOINT/peers/big.bin" -o /dev/null

echo "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" >"$WORK/s3fs.passwd"; chmod 600 "$WORK/s3fs.passwd"

perf_start() { ((PERF)) && [[ $2 == 1 ]] || return 0; perf record -g -p "$1" -o "$WORK/perf-$3.data" >/dev/null 2>&1 & PERF_PID=$!; sleep 0.3; }
perf_stop() { [[ -n ${PERF_PID:-} ]] || return 0; kill -INT "$PERF_PID"; wait "$PERF_PID" || true; PERF_PID=; }

[[ $ONLY == publish ]] || echo "## Cold sequential read of 2 GiB (dd bs=1M; CPU seconds per process)"
for ((r = 1; r <= REPS; r++)); do
  [[ $ONLY == publish ]] && break
  NM=$(mktemp -d "$WORK/new-machine-XXXXXX")
  cp "$DRIVE/reel.toml" "$DRIVE/catalog.db" "$NM/"
  "$REEL" mount "$MNT" --drive "$NM" --background >/dev/null
  D=$(pgrep -f "reel mount $MNT" | head -1)
  drop_caches
  perf_start "$D" "$r" cold
  measure "reel (new machine)" daemon="$D" rgw="$RGW" osd="$OSD" -- dd if="$MNT/big.bin" of=/dev/null bs=1M
  perf_stop
  "$REEL" umount "$MNT" >/dev/null
  rm -rf "$NM"

  drop_caches
  export URL="$S3_ENDPOINT/peers/big.bin"
  measure "raw curl, 8 ranged GETs" rgw="$RGW" osd="$OSD" -- bash -c '
    for i in 0 1 2 3 4 5 6 7; do
      "$@" -r $((i * 268435456))-$(((i + 1) * 268435456 - 1)) "$URL" -o /dev/null & done; wait' _ \
    "${C[@]}"
  s3fs peers "$SMNT" -o passwd_file="$WORK/s3fs.passwd",url="$S3_ENDPOINT",use_path_request_style,endpoint=us-east-1
  for _ in $(seq 1 50); do mountpoint -q "$SMNT" && break; sleep 0.1; done
  S=$(pgrep -n s3fs)
  drop_caches
  measure "s3fs" s3fs="$S" rgw="$RGW" osd="$OSD" -- dd if="$SMNT/big.bin" of=/dev/null bs=1M
  fusermount3 -u "$SMNT"
done

[[ $ONLY == cold ]] && exit 0
echo
echo "## A fresh 2 GiB file to the cloud (CPU seconds per process, per phase)"
"$REEL" mount "$MNT" --drive "$DRIVE" --background >/dev/null
D=$(pgrep -f "reel mount $MNT" | head -1)
for ((r = 1; r <= REPS; r++)); do
  head -c $((2048 << 20)) /dev/urandom >"$SRC/fresh.bin"
  sync
  measure "reel: cp" daemon="$D" rgw="$RGW" osd="$OSD" -- cp "$SRC/fresh.bin" "$MNT/fresh-$r.bin"
  measure "reel: sync (commit)" daemon="$D" rgw="$RGW" osd="$OSD" -- "$REEL" sync "$MNT"
  perf_start "$D" "$r" publish
  measure "reel: publish" daemon="$D" rgw="$RGW" osd="$OSD" -- "$REEL" publish "$MNT/fresh-$r.bin"
  perf_stop
done
"$REEL" umount "$MNT" >/dev/null
for ((r = 1; r <= REPS; r++)); do
  head -c $((2048 << 20)) /dev/urandom >"$SRC/fresh.bin"
  sync
  export URL="$S3_ENDPOINT/peers/put-$r.bin"
  measure "raw curl, one PUT" rgw="$RGW" osd="$OSD" -- "${C[@]}" -T "$SRC/fresh.bin" "$URL" -o /dev/null
  s3fs peers "$SMNT" -o passwd_file="$WORK/s3fs.passwd",url="$S3_ENDPOINT",use_path_request_style,endpoint=us-east-1
  for _ in $(seq 1 50); do mountpoint -q "$SMNT" && break; sleep 0.1; done
  S=$(pgrep -n s3fs)
  head -c $((2048 << 20)) /dev/urandom >"$SRC/fresh.bin"
  sync
  measure "s3fs: cp (uploads on close)" s3fs="$S" rgw="$RGW" osd="$OSD" -- cp "$SRC/fresh.bin" "$SMNT/w-$r.bin"
  fusermount3 -u "$SMNT"
done
