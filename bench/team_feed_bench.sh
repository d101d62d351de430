#!/usr/bin/env bash
# Change visibility across the mounts of one team workspace (docs/benchmarks.md, "Change
# visibility"): one mount writes, MOUNTS - 1 others (each with its own cache, as other machines)
# watch, on a throwaway PostgreSQL (fsync on) and Ceph S3 gateway started on loopback. Each
# trial creates a file, then publishes a new version of another one; bench/visibility.py times
# how long every other mount takes to show each change. Two runs of the same mounts:
#   feed  the default: each mount follows the workspace's change feed (metadata_ms = 1000)
#   ttl   the baseline of a 1 s client cache with no push (JuiceFS's default): follow_changes
#         = false, so a change shows when what a mount kept expires
# and a third in a workspace with share = on-close, where each trial saves a new version (closed,
# not published) that reaches the others once its upload to the cloud tier is done.
# Prints a Markdown table (p50, p99, max in ms) to stdout.
#
#   sudo bench/team_feed_bench.sh [--build DIR] [--mounts N] [--trials T]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
MOUNTS=20
TRIALS=30
while (($#)); do
  case $1 in
    --build) BUILD=$(readlink -f "$2"); shift ;;
    --mounts) MOUNTS=$2; shift ;;
    --trials) TRIALS=$2; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
REEL=$BUILD/src/cli/reel
[[ -x $REEL ]] || { echo "build reel first ($BUILD)" >&2; exit 1; }
((MOUNTS >= 2)) || { echo "--mounts: at least 2" >&2; exit 2; }
source "$ROOT/bench/team_servers.sh" feed memstore

psql "$REEL_TEST_PG_URI" -qc "CREATE DATABASE reel_feed_bench"
PORT=$(free_port)
"$REEL" server init "$WORK/server" --catalog "${REEL_TEST_PG_URI%/*}/reel_feed_bench" \
  --cloud "s3://bench/team?endpoint=$S3_ENDPOINT&path_style=true&create_bucket=true" \
  --listen "127.0.0.1:$PORT" >/dev/null
"$REEL" server run "$WORK/server" --background >/dev/null
for u in alice bob; do
  mkdir -p "$WORK/$u/config"
  "$REEL" server user add "$u" --dir "$WORK/server" >/dev/null
  "$REEL" server token create "$u" --dir "$WORK/server" 2>/dev/null |
    env XDG_CONFIG_HOME="$WORK/$u/config" "$REEL" login "http://127.0.0.1:$PORT" >/dev/null
done
for ws in proj team; do
  env XDG_CONFIG_HOME="$WORK/alice/config" "$REEL" workspace create $ws >/dev/null
  env XDG_CONFIG_HOME="$WORK/alice/config" "$REEL" workspace grant $ws bob writer >/dev/null
done
env XDG_CONFIG_HOME="$WORK/alice/config" "$REEL" workspace set team share=on-close >/dev/null
WS=proj

# Mount i: alice's for i = 0 (the writer), bob's on a machine of its own (data dir) otherwise.
user_of() { if (($1 == 0)); then echo alice; else echo bob; fi; }
env_of() {
  echo "XDG_CONFIG_HOME=$WORK/$(user_of "$1")/config" "XDG_DATA_HOME=$WORK/m$1/data"
}
mount_i() { env $(env_of "$1") "$REEL" mount "$WORK/m$1/mnt" --workspace "$WS" --background >/dev/null 2>&1; }
umount_i() { env $(env_of "$1") "$REEL" umount "$WORK/m$1/mnt" >/dev/null; }
configure() {  # configure I FOLLOW: the mount's [team] follow_changes
  local manifest
  manifest=$(find "$WORK/m$1/data/reel/team" -path "*/$WS/*" -name reel.toml | head -1)
  sed -i "s/^follow_changes = .*/follow_changes = $2/" "$manifest"
}

declare -A P
run_mode() {  # run_mode MODE FOLLOW
  local i observers=() out
  for ((i = 0; i < MOUNTS; i++)); do
    mkdir -p "$WORK/m$i/mnt"
    mount_i "$i" && umount_i "$i"
    configure "$i" "$2"
    mount_i "$i"
    mountpoint -q "$WORK/m$i/mnt" || { echo "mount $i failed" >&2; exit 1; }
    if ((i > 0)); then observers+=("$WORK/m$i/mnt/$1"); fi
  done
  out=$(python3 "$ROOT/bench/visibility.py" "$WORK/m0/mnt/$1" "$REEL" \
    "{\"XDG_CONFIG_HOME\": \"$WORK/alice/config\", \"XDG_DATA_HOME\": \"$WORK/m0/data\"}" \
    "$TRIALS" "${observers[@]}" 2>&1) || { echo "$out" >&2; exit 1; }
  P[$1]=$out
  unmount_all
}
# Each run works in its own directory, made (and seen by every mount) before it starts.
mkdir -p "$WORK/m0/mnt"
mount_i 0
mkdir "$WORK/m0/mnt/feed" "$WORK/m0/mnt/ttl"
umount_i 0
run_mode feed true
run_mode ttl false
WS=team
mkdir -p "$WORK/m0/mnt"
mount_i 0
mkdir "$WORK/m0/mnt/onclose"
umount_i 0
VIS_KINDS=save run_mode onclose true

stats() {  # stats MODE KIND: p50 | p99 | max | missed
  python3 - "${P[$1]}" "$2" <<'PY'
import json, statistics, sys
r = json.loads(sys.argv[1]); v = sorted(r["latencies_ms"][sys.argv[2]])
missed = r["missed"][sys.argv[2]]
if not v:
    print(f"- | - | - | 0 | {missed}")
else:
    q = statistics.quantiles(v, n=100, method="inclusive") if len(v) > 1 else v * 99
    print(f"{q[49]:.0f} | {q[98]:.0f} | {v[-1]:.0f} | {len(v)} | {missed}")
PY
}
echo "# Change visibility, $(date -u +%F) (commit $(git -C "$ROOT" rev-parse --short HEAD)): $MOUNTS mounts, $TRIALS trials"
echo
echo "| change, seen on the other $((MOUNTS - 1)) mounts | mounts follow | p50 ms | p99 ms | max ms | samples | not seen in 10 s |"
echo "|---|---|---:|---:|---:|---:|---:|"
for kind in create publish; do
  echo "| $kind | the change feed | $(stats feed $kind) |"
  echo "| $kind | nothing (1 s cache, baseline) | $(stats ttl $kind) |"
done
echo "| save, share = on-close (close to seen: upload, publish, event) | the change feed | $(stats onclose save) |"
