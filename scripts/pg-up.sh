#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server (Debian's postgresql package) for tests and benchmarks:
# a new cluster in PG_DIR/data, listening on 127.0.0.1:PG_PORT only (its unix socket in PG_DIR),
# trust authentication, one database "reel". fsync is off unless PG_FSYNC=on: a figure measured
# without fsync is no benchmark. As root the server runs as the postgres user.
# Writes PG_DIR/env (REEL_TEST_PG_URI=...) and PG_DIR/pid; scripts/pg-down.sh stops it by that PID.
#   PG_DIR=/tmp/reel-pg PG_PORT=54329 scripts/pg-up.sh
set -euo pipefail
PG_DIR=${PG_DIR:-/tmp/reel-pg}
PG_PORT=${PG_PORT:-54329}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -n $PGBIN ]] || { echo "pg-up: no PostgreSQL server installed (scripts/install-deps.sh --test)" >&2; exit 1; }
mkdir -p "$PG_DIR"
as_server=(bash -c)
if [[ $(id -u) -eq 0 ]]; then
  chown postgres:postgres "$PG_DIR"
  as_server=(su postgres -s /bin/bash -c)
fi
"${as_server[@]}" "set -e
  '$PGBIN/initdb' -D '$PG_DIR/data' -A trust -U postgres --no-sync -E UTF8 >'$PG_DIR/initdb.log'
  '$PGBIN/pg_ctl' -D '$PG_DIR/data' -l '$PG_DIR/server.log' -w -t 60 \
    -o \"-p $PG_PORT -k '$PG_DIR' -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off}\" start >/dev/null
  '$PGBIN/createdb' -h 127.0.0.1 -p $PG_PORT -U postgres reel"
head -1 "$PG_DIR/data/postmaster.pid" >"$PG_DIR/pid"
echo "REEL_TEST_PG_URI=postgresql://postgres@127.0.0.1:$PG_PORT/reel" >"$PG_DIR/env"
echo "pg-up: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (pid $(cat "$PG_DIR/pid")), data in $PG_DIR"
