#!/usr/bin/env bash
# Stops the server scripts/pg-up.sh started in PG_DIR, by the PID it recorded (fast shutdown:
# SIGINT; SIGKILL after 10 s), then deletes PG_DIR (KEEP=1 keeps it for a post-mortem).
set -u
PG_DIR=${PG_DIR:-/tmp/reel-pg}
if [[ ! -f "$PG_DIR/pid" ]]; then
  echo "pg-down: nothing recorded in $PG_DIR/pid"
  exit 0
fi
pid=$(cat "$PG_DIR/pid")
if kill -0 "$pid" 2>/dev/null; then
  kill -INT "$pid" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "pg-down: PostgreSQL ($pid) still running after 10 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null
  fi
  echo "pg-down: stopped PostgreSQL ($pid)"
fi
rm -f "$PG_DIR/pid"
[[ "${KEEP:-0}" == 1 ]] || rm -rf "${PG_DIR:?}"
