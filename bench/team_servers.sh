# The servers of a team benchmark, throwaway, on loopback: a PostgreSQL (fsync on, started by
# scripts/pg-up.sh) and a Ceph cluster with its S3 gateway (scripts/ceph-up.sh), in a work
# directory removed at exit with every mount under it and the team server in WORK/server.
# Usage, with ROOT (the repository) and REEL set:
#   source bench/team_servers.sh NAME OBJECTSTORE   (bluestore or memstore)
# sets WORK, PG_DIR, CEPH_DIR, XDG_RUNTIME_DIR, free_port, and sources the servers' env files
# (REEL_TEST_PG_URI, S3_ENDPOINT...).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d "/tmp/reel-$1-bench-XXXXXX")
export PG_DIR CEPH_DIR=$WORK/ceph XDG_RUNTIME_DIR=$WORK/run
PG_DIR=$(mktemp -d "/tmp/reel-$1-bench-pg-XXXXXX")  # directly under /tmp: postgres runs it
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
unmount_all() {
  local m
  for m in "$WORK"/*/mnt; do
    if mountpoint -q "$m" 2>/dev/null; then
      "$REEL" umount "$m" >/dev/null 2>&1 || fusermount3 -uz "$m" || true
    fi
  done
}
cleanup() {
  unmount_all
  if [[ -n "${REEL_BENCH_KEEP_LOGS:-}" ]]; then  # a directory to keep the server's and mounts' logs in
    mkdir -p "$REEL_BENCH_KEEP_LOGS"
    find "$WORK" -name '*.log' -not -path "$WORK/ceph/*" | while read -r f; do
      cp "$f" "$REEL_BENCH_KEEP_LOGS/$(echo "${f#"$WORK"/}" | tr / _)"
    done
  fi
  "$REEL" server stop "$WORK/server" >/dev/null 2>&1 || true
  "$ROOT/scripts/pg-down.sh" >/dev/null 2>&1 || true
  "$ROOT/scripts/ceph-down.sh" >/dev/null 2>&1 || true
  rm -rf "$WORK" "$PG_DIR"
}
trap cleanup EXIT
PG_FSYNC=on PG_PORT=$(free_port) "$ROOT/scripts/pg-up.sh" >/dev/null
source "$PG_DIR/env"
OBJECTSTORE=$2 MON_PORT=$(free_port) RGW_PORT=$(free_port) "$ROOT/scripts/ceph-up.sh" >/dev/null
source "$CEPH_DIR/env"
