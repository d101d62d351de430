#!/usr/bin/env bash
# Stops the server scripts/pg-up.sh started in PG_DIR, by the PID it recorded (fast shutdown:
# SIGINT; SIGKILL after 10 s), then deletes PG_DIR (KEEP=1 keeps it for a post-mortem).
set -u
PG_DIR=${PG_DIR:-/tmp/reel-pg}
if [[ ! -f "$PG_DIR/pid" ]]; then
  echo "pg-down: nothing recorded in $PG_DIR/pid"
  exit 0
fi
# shellcheck source=scripts/stop_by_pid.sh
source "$(dirname "$0")/stop_by_pid.sh"
stop_by_pid PostgreSQL "$(cat "$PG_DIR/pid")" INT  # SIGINT: PostgreSQL's fast shutdown
rm -f "$PG_DIR/pid"
[[ "${KEEP:-0}" == 1 ]] || rm -rf "${PG_DIR:?}"
