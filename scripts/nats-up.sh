#!/usr/bin/env bash
# Starts a throwaway NATS server with JetStream (Debian's nats-server) for tests and benchmarks:
# client port 127.0.0.1:NATS_PORT, monitoring (HTTP: /jsz, /varz) on 127.0.0.1:NATS_MONITOR_PORT,
# JetStream's files in NATS_DIR/js. Waits until /healthz says ok.
# Writes NATS_DIR/env (REEL_TEST_NATS_URL=nats://..., REEL_TEST_NATS_MONITOR=http://...) and
# NATS_DIR/pid; scripts/nats-down.sh stops the server by that PID.
#   NATS_DIR=/tmp/reel-nats NATS_PORT=14222 NATS_MONITOR_PORT=18222 scripts/nats-up.sh
set -euo pipefail
NATS_DIR=${NATS_DIR:-/tmp/reel-nats}
NATS_PORT=${NATS_PORT:-14222}
NATS_MONITOR_PORT=${NATS_MONITOR_PORT:-18222}
command -v nats-server >/dev/null || [[ -x /usr/sbin/nats-server ]] ||
  { echo "nats-up: nats-server is not installed (scripts/install-deps.sh --test)" >&2; exit 1; }
server=$(command -v nats-server || echo /usr/sbin/nats-server)
mkdir -p "$NATS_DIR/js"
"$server" -a 127.0.0.1 -p "$NATS_PORT" -m "$NATS_MONITOR_PORT" -js \
  -sd "$NATS_DIR/js" -l "$NATS_DIR/server.log" </dev/null >/dev/null 2>&1 &
echo $! >"$NATS_DIR/pid"
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$NATS_MONITOR_PORT/healthz" 2>/dev/null | grep -q ok; then
    {
      echo "REEL_TEST_NATS_URL=nats://127.0.0.1:$NATS_PORT"
      echo "REEL_TEST_NATS_MONITOR=http://127.0.0.1:$NATS_MONITOR_PORT"
    } >"$NATS_DIR/env"
    echo "nats-up: $("$server" --version) on 127.0.0.1:$NATS_PORT (pid $(cat "$NATS_DIR/pid")), JetStream in $NATS_DIR/js"
    exit 0
  fi
  kill -0 "$(cat "$NATS_DIR/pid")" 2>/dev/null || break
  sleep 0.1
done
echo "nats-up: the server did not become healthy; its log:" >&2
tail -20 "$NATS_DIR/server.log" >&2 || true
kill "$(cat "$NATS_DIR/pid")" 2>/dev/null || true
exit 1
