#!/usr/bin/env bash
# Catalog operation rates, SQLite beside PostgreSQL, in one run (docs/benchmarks.md, "Catalog
# backends"). Starts a throwaway PostgreSQL server on loopback with fsync on (scripts/pg-up.sh),
# runs bench/catalog_bench on both, stops the server, and writes a markdown report with the
# PostgreSQL/SQLite ratio of every row.
#
#   bench/catalog_bench.sh [--build DIR] [--min-time SECONDS] [--out FILE]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
MIN_TIME=1
OUT=""
while (($#)); do
  case $1 in
    --build) BUILD=$(readlink -f "$2"); shift ;;
    --min-time) MIN_TIME=$2; shift ;;
    --out) OUT=$2; shift ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ -x $BUILD/bench/catalog_bench ]] || { echo "no $BUILD/bench/catalog_bench: build it first" >&2; exit 1; }
OUT=${OUT:-$ROOT/bench/results/catalog-$(date -u +%Y%m%d-%H%M%S).md}

WORK=$(mktemp -d /tmp/reel-catalog-bench-XXXXXX)
export PG_DIR
PG_DIR=$(mktemp -d /tmp/reel-catalog-bench-pg-XXXXXX)  # its own: pg-up.sh hands it to the postgres user
PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { "$ROOT/scripts/pg-down.sh" >/dev/null 2>&1 || true; rm -rf "$WORK" "$PG_DIR"; }
trap cleanup EXIT
PG_FSYNC=on PG_PORT=$PG_PORT "$ROOT/scripts/pg-up.sh" >/dev/null
source "$PG_DIR/env"  # REEL_TEST_PG_URI

mkdir -p "$WORK/sqlite"
REEL_BENCH_CATALOGS="sqlite://$WORK/sqlite/catalog.db $REEL_TEST_PG_URI" \
  "$BUILD/bench/catalog_bench" --benchmark_min_time="$MIN_TIME" --benchmark_format=json \
  >"$WORK/result.json"

commit=$(git -C "$ROOT" rev-parse --short HEAD)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pg_version=$("$pg_bin/postgres" --version | awk '{print $3}')
python3 - "$WORK/result.json" "$OUT" "$commit" "$pg_version" <<'PY'
import json, sys, datetime
data = json.load(open(sys.argv[1]))
rates = {}
failed = [b for b in data["benchmarks"] if b.get("error_occurred")]
for b in failed:
    print(f"catalog_bench: {b['name']} failed: {b.get('error_message', '?')}", file=sys.stderr)
if failed:
    sys.exit(1)
for b in data["benchmarks"]:
    backend, op = b["name"].split("/", 1)
    op = op.replace("/real_time", "")
    rates.setdefault(op, {})[backend] = b.get("items_per_second", 0.0)
lines = [f"# Catalog backends, {datetime.date.today()} (commit {sys.argv[3]})", "",
         f"`bench/catalog_bench.sh`: SQLite (WAL, synchronous=NORMAL: its commits are not fsynced "
         f"one by one; the engine fsyncs the WAL when a version must be durable, so its write rows "
         f"are not durable per call) beside PostgreSQL {sys.argv[4]} on loopback with fsync "
         "on and synchronous_commit on (every commit durable). Items per second.", "",
         "| Operation | SQLite | PostgreSQL | PostgreSQL / SQLite |", "|---|---:|---:|---:|"]
for op, r in rates.items():
    s, p = r.get("sqlite", 0.0), r.get("postgresql", 0.0)
    lines.append(f"| {op} | {s:,.0f} | {p:,.0f} | {p / s:.2f}x |" if s else f"| {op} | | {p:,.0f} | |")
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
