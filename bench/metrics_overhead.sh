#!/usr/bin/env bash
# What timing every FUSE request costs (docs/benchmarks.md, "Metrics"): the same drive mounted
# with and without `--metrics`, taking turns, REPS times: N creates (open O_CREAT + close, then
# `reel sync`, not timed) and N unlinks in one directory with bench/meta_bench, and a scrape of
# /metrics while mounted. Run as root on a quiet machine.
#
#   sudo bench/metrics_overhead.sh [--build DIR] [--files N] [--reps R]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
FILES=5000
REPS=5
while (($#)); do
  case $1 in
    --build) BUILD=$(readlink -f "$2"); shift ;;
    --files) FILES=$2; shift ;;
    --reps) REPS=$2; shift ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
REEL=$BUILD/src/cli/reel
META=$BUILD/bench/meta_bench
[[ -x $REEL && -x $META ]] || { echo "build reel and bench/meta_bench first" >&2; exit 1; }
WORK=$(mktemp -d /var/tmp/reel-metrics-bench-XXXXXX)
export XDG_RUNTIME_DIR=$WORK/run
mkdir -p "$XDG_RUNTIME_DIR" "$WORK/mnt" && chmod 700 "$XDG_RUNTIME_DIR"
cleanup() {
  mountpoint -q "$WORK/mnt" && "$REEL" umount "$WORK/mnt" >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT
"$REEL" init "$WORK/drive" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
rate() { python3 -c 'import json,sys; print(round(json.load(sys.stdin)["per_second"]))'; }
echo "# Metrics overhead, $(date -u +%F) (commit $(git -C "$ROOT" rev-parse --short HEAD)), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| rep | side | creates/s | unlinks/s | scrape ms |"
echo "|---:|---|---:|---:|---:|"
for rep in $(seq 1 "$REPS"); do
  for side in off on; do
    args=()
    [[ $side == on ]] && args=(--metrics "127.0.0.1:$port")
    "$REEL" mount "$WORK/mnt" --drive "$WORK/drive" --background "${args[@]}" >/dev/null
    mountpoint -q "$WORK/mnt"
    mkdir "$WORK/mnt/d"
    c=$("$META" create "$WORK/mnt/d" "$FILES" | rate)
    "$REEL" sync "$WORK/mnt" >/dev/null
    u=$("$META" unlink "$WORK/mnt/d" "$FILES" | rate)
    rmdir "$WORK/mnt/d"
    s=-
    if [[ $side == on ]]; then
      s=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/metrics" |
          python3 -c 'import sys; print(round(float(sys.stdin.read()) * 1000, 1))')
    fi
    "$REEL" umount "$WORK/mnt" >/dev/null
    echo "| $rep | metrics $side | $c | $u | $s |"
  done
done
