#!/usr/bin/env bash
# A team mount through a load balancer in front of two servers on one PostgreSQL of its own
# (started here by scripts/pg-up.sh) and the real Ceph S3 gateway (REEL_TEST_S3_URI):
#   - one server is killed (kill -9) while the mount creates and commits files: the mount's
#     calls go on through the other one, every file keeps exactly what was written, and every
#     file has exactly one version (no change applied twice, none half recorded);
#   - the database restarts as after a crash, once while idle and once while files are written:
#     the server's connections are replaced and nothing written is lost.
source "$(dirname "$0")/lib.sh" "$1"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

if [[ -z "${REEL_TEST_S3_URI:-}" ]] || ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  if [[ "${REEL_REQUIRE_PG:-0}" == 1 || "${REEL_REQUIRE_CEPH:-0}" == 1 ]]; then
    echo "FAIL: this test needs REEL_TEST_S3_URI and a PostgreSQL server to start" >&2
    exit 1
  fi
  echo "SKIP: REEL_TEST_S3_URI is not set or PostgreSQL is not installed"
  exit 77
fi

run_id=$(basename "$WORK" | tr -dc 'a-z0-9' | tail -c 12)
# Directly under /tmp: the server runs as the postgres user, who cannot enter $WORK.
export PG_DIR
PG_DIR=$(mktemp -d /tmp/reel-failover-pg-XXXXXX)
PG_PORT=$(free_port) "$ROOT/scripts/pg-up.sh" >/dev/null
# shellcheck disable=SC1091
source "$PG_DIR/env"
DB_URI=$REEL_TEST_PG_URI
sql() { psql "$DB_URI" -qtAc "$1"; }

stop_servers() {
  local s
  for s in a b; do "$REEL" server stop "$WORK/server-$s" >/dev/null 2>&1 || true; done
}
stop_balancer() { [[ -f "$WORK/balancer.pid" ]] && kill "$(cat "$WORK/balancer.pid")" 2>/dev/null || true; }
unmount_alice() {
  if mountpoint -q "$WORK/alice/mnt" 2>/dev/null || grep -qs " $WORK/alice/mnt fuse" /proc/mounts; then
    "$REEL" umount "$WORK/alice/mnt" >/dev/null 2>&1 || fusermount3 -uz "$WORK/alice/mnt" 2>/dev/null || true
  fi
}
stop_pg() { "$ROOT/scripts/pg-down.sh" >/dev/null 2>&1 || true; }
CLEANUP_HOOKS+=(unmount_alice stop_balancer stop_servers stop_pg)

s3_base=${REEL_TEST_S3_URI%%\?*}
s3_opts=${REEL_TEST_S3_URI#*\?}
CLOUD="${s3_base%/}/failover-$run_id?$s3_opts"
PORT_A=$(free_port); PORT_B=$(free_port); PORT_LB=$(free_port)
URL="http://127.0.0.1:$PORT_LB"
for s in a b; do
  port=$PORT_A; [[ $s == b ]] && port=$PORT_B
  "$REEL" server init "$WORK/server-$s" --catalog "$DB_URI" --cloud "$CLOUD" \
    --listen "127.0.0.1:$port" >/dev/null
done
"$REEL" server user add alice --dir "$WORK/server-a" >/dev/null
"$REEL" server run "$WORK/server-a" --background >/dev/null
"$REEL" server run "$WORK/server-b" --background >/dev/null
python3 "$(dirname "$0")/tcp_balancer.py" "$PORT_LB" "$PORT_A" "$PORT_B" >"$WORK/balancer.out" 2>&1 &
echo $! >"$WORK/balancer.pid"
for _ in $(seq 1 100); do grep -q ready "$WORK/balancer.out" && break; sleep 0.05; done
check "the balancer is up" grep -q ready "$WORK/balancer.out"
log "two servers on one database behind $URL"

as_alice() {
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u CEPH_CONF \
    XDG_CONFIG_HOME="$WORK/alice/config" XDG_DATA_HOME="$WORK/alice/data" "$@"
}
mkdir -p "$WORK/alice/mnt"
"$REEL" server token create alice --dir "$WORK/server-a" --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' | as_alice "$REEL" login "$URL" >/dev/null
as_alice "$REEL" workspace create show >/dev/null
as_alice "$REEL" mount "$WORK/alice/mnt" --workspace show --background >/dev/null 2>&1
M=$WORK/alice/mnt
check "the mount is up" mountpoint -q "$M"

# write_files DIR FROM TO: files f<i> of 16 to 80 KiB of fresh bytes, each also kept in $WORK/src.
write_files() {
  local dir=$1 i
  mkdir -p "$M/$dir" "$WORK/src/$dir"
  for i in $(seq "$2" "$3"); do
    head -c $((16384 + (i % 5) * 16384)) /dev/urandom >"$WORK/src/$dir/f$i"
    cp "$WORK/src/$dir/f$i" "$M/$dir/f$i"
  done
}
# Every file written is in the mount with its bytes, and has exactly one version.
all_intact() {
  (cd "$WORK/src" && find . -type f | sort | xargs sha256sum) >"$WORK/src.sha"
  (cd "$M" && sha256sum -c --quiet "$WORK/src.sha") || return 1
  [[ "$(cd "$M" && find . -path ./.reel -prune -o -type f -print | wc -l)" == \
     "$(wc -l <"$WORK/src.sha")" ]]
}
one_version_each() {
  [[ "$(sql "SELECT count(*) FROM (SELECT ino FROM versions GROUP BY ino HAVING count(*) <> 1) x")" == 0 &&
     "$(sql "SELECT count(DISTINCT ino) FROM versions")" == "$(wc -l <"$WORK/src.sha")" ]]
}
wait_committed() { as_alice "$REEL" sync "$M" >/dev/null; }  # every pending version committed

log "server A is killed while the mount creates and commits files"
write_files before 1 40
write_files during 1 200 &
writer=$!
for _ in $(seq 1 200); do [[ $(ls "$WORK/src/during" 2>/dev/null | wc -l) -ge 60 ]] && break; sleep 0.05; done
pid_a=$(cat "$WORK/server-a/server.pid")
kill -9 "$pid_a"
log "server A killed with $(ls "$WORK/src/during" | wc -l) of 200 files written"
check "the writes went on through server B" wait "$writer"
check "server A is gone" process_gone "$pid_a"
write_files after 1 40
check "commits drained" wait_committed
check "every file holds what was written" all_intact
check "every file has exactly one version" one_version_each
check "server B committed versions" \
  grep -q "POST /v1/workspaces/show/catalog/commit -> 200" "$WORK/server-b/server.log"

log "the database restarts as after a crash, while idle"
"$ROOT/scripts/pg-restart.sh" >/dev/null
write_files idle 1 40
log "and while files are written"
write_files busy 1 200 &
writer=$!
for _ in $(seq 1 200); do [[ $(ls "$WORK/src/busy" 2>/dev/null | wc -l) -ge 50 ]] && break; sleep 0.05; done
"$ROOT/scripts/pg-restart.sh" >/dev/null
check "the writes went on across the restart" wait "$writer"
check "commits drained" wait_committed
as_alice "$REEL" umount "$M" >/dev/null
as_alice "$REEL" mount "$M" --workspace show --background >/dev/null 2>&1
check "the mount is up again" mountpoint -q "$M"
check "every file holds what was written, after a remount" all_intact
check "every file has exactly one version" one_version_each
as_alice "$REEL" umount "$M" >/dev/null
for mlog in "$WORK"/alice/data/reel/team/*/*/mount.log; do
  if grep -Eq "$SANITIZER_REPORT" "$mlog"; then
    fail "sanitizer report in $mlog"
    cat "$mlog" >&2
  fi
done
finish
