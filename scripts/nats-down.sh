#!/usr/bin/env bash
# Stops the server scripts/nats-up.sh started in NATS_DIR, by the PID it recorded (SIGTERM;
# SIGKILL after 10 s), then deletes NATS_DIR (KEEP=1 keeps it for a post-mortem).
set -u
NATS_DIR=${NATS_DIR:-/tmp/reel-nats}
if [[ ! -f "$NATS_DIR/pid" ]]; then
  echo "nats-down: nothing recorded in $NATS_DIR/pid"
  exit 0
fi
# shellcheck source=scripts/stop_by_pid.sh
source "$(dirname "$0")/stop_by_pid.sh"
stop_by_pid NATS "$(cat "$NATS_DIR/pid")" TERM
rm -f "$NATS_DIR/pid"
[[ "${KEEP:-0}" == 1 ]] || rm -rf "${NATS_DIR:?}"
