#!/usr/bin/env bash
# Metadata calls of 50 clients against 2 team servers on one PostgreSQL database, beside the same
# work straight on the database (docs/benchmarks.md, "Team server"). Starts a throwaway PostgreSQL
# server on loopback with fsync on (scripts/pg-up.sh), runs bench/team_api_bench, stops it.
#
#   bench/team_api_bench.sh [--build DIR] [--clients N] [--seconds S]
set -euo pipefail
source "$(dirname "$0")/pg_bench_lib.sh"
VALUE_OPTIONS="--clients --seconds"
pg_bench_setup team_api_bench 2,6p "$@"
echo "# Team server, $(date -u +%F) (commit $(git -C "$ROOT" rev-parse --short HEAD))"
echo
"$BUILD/bench/team_api_bench" "$REEL_TEST_PG_URI" "${ARGS[@]}"
