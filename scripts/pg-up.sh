#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server (Debian's postgresql package) for tests and benchmarks:
# a new cluster in PG_DIR/data, listening on 127.0.0.1:PG_PORT only (its unix socket in PG_DIR),
# one database "reel", user postgres with a random password (scram-sha-256: no other local user
# gets in). fsync is off unless PG_FSYNC=on: a figure measured without fsync is no benchmark. As
# root the server runs as the postgres user.
# Writes PG_DIR/env (REEL_TEST_PG_URI=..., mode 0600) and PG_DIR/pid; scripts/pg-down.sh stops
# the server by that PID. A start that fails part way stops what it started.
#   PG_DIR=/tmp/reel-pg PG_PORT=54329 scripts/pg-up.sh
set -euo pipefail
PG_DIR=${PG_DIR:-/tmp/reel-pg}
PG_PORT=${PG_PORT:-54329}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[[ -n $PGBIN ]] || { echo "pg-up: no PostgreSQL server installed (scripts/install-deps.sh --test)" >&2; exit 1; }
mkdir -p "$PG_DIR"
chmod 700 "$PG_DIR"
as_server=(bash -c)
if [[ $(id -u) -eq 0 ]]; then
  chown postgres:postgres "$PG_DIR"
  as_server=(su postgres -s /bin/bash -c)
fi
password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
(umask 077 && echo "$password" >"$PG_DIR/pwfile")
[[ $(id -u) -eq 0 ]] && chown postgres:postgres "$PG_DIR/pwfile"

stop_on_failure() {
  "${as_server[@]}" "'$PGBIN/pg_ctl' -D '$PG_DIR/data' -m immediate stop" >/dev/null 2>&1 || true
}
trap stop_on_failure ERR
"${as_server[@]}" "set -e
  '$PGBIN/initdb' -D '$PG_DIR/data' -A scram-sha-256 -U postgres --pwfile='$PG_DIR/pwfile' \
    --no-sync -E UTF8 >'$PG_DIR/initdb.log'
  '$PGBIN/pg_ctl' -D '$PG_DIR/data' -l '$PG_DIR/server.log' -w -t 60 \
    -o \"-p $PG_PORT -k '$PG_DIR' -c listen_addresses=127.0.0.1 -c fsync=${PG_FSYNC:-off}\" start >/dev/null"
head -1 "$PG_DIR/data/postmaster.pid" >"$PG_DIR/pid"
PGPASSWORD=$password "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres reel
trap - ERR
rm -f "$PG_DIR/pwfile"
(umask 077 && echo "REEL_TEST_PG_URI=postgresql://postgres:$password@127.0.0.1:$PG_PORT/reel" >"$PG_DIR/env")
echo "pg-up: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (pid $(cat "$PG_DIR/pid")), data in $PG_DIR"
