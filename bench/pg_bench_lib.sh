# Sourced by the benchmark scripts of a program that talks to PostgreSQL (team_api_bench,
# forward_bench, lock_bench). pg_bench_setup PROGRAM ARG...: reads --build DIR and the options
# named in VALUE_OPTIONS (each with a value: they go to ARGS for the program), checks that
# $BUILD/bench/PROGRAM is built, and starts a throwaway PostgreSQL on loopback with fsync on
# (scripts/pg-up.sh; REEL_TEST_PG_URI), stopped on exit with whatever CLEANUP_MORE runs.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build
ARGS=()
CLEANUP_MORE=:
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pg_bench_setup() {
  local program=$1 help_lines=$2
  shift 2
  while (($#)); do
    if [[ $1 == --build ]]; then
      BUILD=$(readlink -f "$2"); shift
    elif [[ " $VALUE_OPTIONS " == *" $1 "* ]]; then
      ARGS+=("$1" "$2"); shift
    elif [[ $1 == -h || $1 == --help ]]; then
      sed -n "$help_lines" "$0" | sed 's/^# \{0,1\}//'; exit 0
    else
      echo "unknown option: $1" >&2; exit 2
    fi
    shift
  done
  [[ -x $BUILD/bench/$program ]] || { echo "no $BUILD/bench/$program: build it first" >&2; exit 1; }
  export PG_DIR
  PG_DIR=$(mktemp -d "/tmp/reel-$program-pg-XXXXXX")  # directly under /tmp: postgres runs it
  trap '"$ROOT/scripts/pg-down.sh" >/dev/null 2>&1 || true; rm -rf "$PG_DIR"; eval "$CLEANUP_MORE"' EXIT
  PG_FSYNC=on PG_PORT=$(free_port) "$ROOT/scripts/pg-up.sh" >/dev/null
  source "$PG_DIR/env"  # REEL_TEST_PG_URI
}
