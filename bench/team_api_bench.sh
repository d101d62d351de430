#!/usr/bin/env bash
# Metadata calls of 50 clients against 2 team servers on one PostgreSQL database, beside the same
# work straight on the database (docs/benchmarks.md, "Team server"). Starts a throwaway PostgreSQL
# server on loopback with fsync on (scripts/pg-up.sh), runs bench/team_api_bench, stops it.
#
#   bench/team_api_bench.sh [--build DIR] [--clients N] [--seconds S]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
ARGS=()
while (($#)); do
  case $1 in
    --build) BUILD=$(readlink -f "$2"); shift ;;
    --clients|--seconds) ARGS+=("$1" "$2"); shift ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -x $BUILD/bench/team_api_bench ]] || { echo "no $BUILD/bench/team_api_bench: build it first" >&2; exit 1; }
export PG_DIR
PG_DIR=$(mktemp -d /tmp/reel-team-bench-pg-XXXXXX)  # directly under /tmp: pg-up.sh hands it to postgres
PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { "$ROOT/scripts/pg-down.sh" >/dev/null 2>&1 || true; rm -rf "$PG_DIR"; }
trap cleanup EXIT
PG_FSYNC=on PG_PORT=$PG_PORT "$ROOT/scripts/pg-up.sh" >/dev/null
source "$PG_DIR/env"  # REEL_TEST_PG_URI
echo "# Team server, $(date -u +%F) (commit $(git -C "$ROOT" rev-parse --short HEAD))"
echo
"$BUILD/bench/team_api_bench" "$REEL_TEST_PG_URI" "${ARGS[@]}"
