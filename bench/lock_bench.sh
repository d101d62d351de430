#!/usr/bin/env bash
# Lock acquire latency across two mounts of one team workspace, beside the kernel's flock(2) and
# one API round trip (docs/benchmarks.md, "Locks across machines"). Starts a throwaway PostgreSQL
# server on loopback with fsync on, runs bench/lock_bench, stops it.
#
#   bench/lock_bench.sh [--build DIR] [--rounds N]
set -euo pipefail
source "$(dirname "$0")/pg_bench_lib.sh"
VALUE_OPTIONS="--rounds"
pg_bench_setup lock_bench 2,6p "$@"
echo "# Locks across machines, $(date -u +%F) (commit $(git -C "$ROOT" rev-parse --short HEAD))"
echo
"$BUILD/bench/lock_bench" "$REEL_TEST_PG_URI" "${ARGS[@]}"
