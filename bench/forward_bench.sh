#!/usr/bin/env bash
# Events per second through each event forwarder, beside each sink's own limit (docs/benchmarks.md,
# "Event forwarding"). Starts a throwaway PostgreSQL (fsync on, scripts/pg-up.sh) and NATS server
# with JetStream (scripts/nats-up.sh) on loopback, runs bench/forward_bench, stops them.
#
#   bench/forward_bench.sh [--build DIR] [--events N]
set -euo pipefail
source "$(dirname "$0")/pg_bench_lib.sh"
VALUE_OPTIONS="--events"
export NATS_DIR
NATS_DIR=$(mktemp -d /tmp/reel-forward-bench-nats-XXXXXX)
CLEANUP_MORE='"$ROOT/scripts/nats-down.sh" >/dev/null 2>&1 || true; rm -rf "$NATS_DIR"'
pg_bench_setup forward_bench 2,6p "$@"
NATS_PORT=$(free_port) NATS_MONITOR_PORT=$(free_port) "$ROOT/scripts/nats-up.sh" >/dev/null
source "$NATS_DIR/env"  # REEL_TEST_NATS_URL
echo "# Event forwarding, $(date -u +%F) (commit $(git -C "$ROOT" rev-parse --short HEAD))"
echo
"$BUILD/bench/forward_bench" "$REEL_TEST_PG_URI" "$REEL_TEST_NATS_URL" "${ARGS[@]}"
