#!/usr/bin/env bash
# Restarts the server scripts/pg-up.sh started in PG_DIR as a crash would (immediate shutdown:
# every connection is cut mid-statement and the next start recovers from the WAL), on the same
# port and data, and records the new PID for scripts/pg-down.sh. For tests of what the clients
# of the database live through.
#   PG_DIR=/tmp/reel-pg scripts/pg-restart.sh
set -euo pipefail
PG_DIR=${PG_DIR:-/tmp/reel-pg}
[[ -f "$PG_DIR/pid" ]] || { echo "pg-restart: nothing recorded in $PG_DIR/pid" >&2; exit 1; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[[ -n $PGBIN ]] || { echo "pg-restart: no PostgreSQL server installed" >&2; exit 1; }
as_server=(bash -c)
[[ $(id -u) -eq 0 ]] && as_server=(su postgres -s /bin/bash -c)
"${as_server[@]}" "'$PGBIN/pg_ctl' -D '$PG_DIR/data' -l '$PG_DIR/server.log' -m immediate -w \
  -t 60 restart >/dev/null"
head -1 "$PG_DIR/data/postmaster.pid" >"$PG_DIR/pid"
echo "pg-restart: PostgreSQL in $PG_DIR restarted (pid $(cat "$PG_DIR/pid"))"
