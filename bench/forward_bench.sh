#!/usr/bin/env bash
# Events per second through each event forwarder, beside each sink's own limit (docs/benchmarks.md,
# "Event forwarding"). Starts a throwaway PostgreSQL (fsync on, scripts/pg-up.sh) and NATS server
# with JetStream (scripts/nats-up.sh) on loopback, runs bench/forward_bench, stops them.
#
#   bench/forward_bench.sh [--build DIR] [--events N]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
ARGS=()
while (($#)); do
  case $1 in
    --build) BUILD=$(readlink -f "$2"); shift ;;
    --events) ARGS+=("$1" "$2"); shift ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -x $BUILD/bench/forward_bench ]] || { echo "no $BUILD/bench/forward_bench: build it first" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
export PG_DIR NATS_DIR
PG_DIR=$(mktemp -d /tmp/reel-forward-bench-pg-XXXXXX)  # directly under /tmp: postgres runs it
NATS_DIR=$(mktemp -d /tmp/reel-forward-bench-nats-XXXXXX)
cleanup() {
  "$ROOT/scripts/pg-down.sh" >/dev/null 2>&1 || true
  "$ROOT/scripts/nats-down.sh" >/dev/null 2>&1 || true
  rm -rf "$PG_DIR" "$NATS_DIR"
}
trap cleanup EXIT
PG_FSYNC=on PG_PORT=$(free_port) "$ROOT/scripts/pg-up.sh" >/dev/null
source "$PG_DIR/env"  # REEL_TEST_PG_URI
NATS_PORT=$(free_port) NATS_MONITOR_PORT=$(free_port) "$ROOT/scripts/nats-up.sh" >/dev/null
source "$NATS_DIR/env"  # REEL_TEST_NATS_URL
echo "# Event forwarding, $(date -u +%F) (commit $(git -C "$ROOT" rev-parse --short HEAD))"
echo
"$BUILD/bench/forward_bench" "$REEL_TEST_PG_URI" "$REEL_TEST_NATS_URL" "${ARGS[@]}"
