# A team server for a FUSE test, on the test's PostgreSQL (REEL_TEST_PG_URI: a database of its
# own, dropped at the end) and the Ceph S3 gateway (REEL_TEST_S3_URI: a prefix of its own), with
# users who each have their own login and cache. Skipped (77) without them, failed when they are
# required. Usage, after lib.sh:
#   source team_lib.sh NAME USER...
# sets DB, CLOUD, URL (the server, on loopback), `as USER COMMAND...` (run as that user: their
# config and data directories, no store credentials in the environment) and the cleanup hooks
# that unmount WORK/*/mnt, stop the server and drop the database; `within` polls for a check.
TEAM_NAME=${1:?usage: source team_lib.sh NAME USER...}
shift
if [[ -z "${REEL_TEST_PG_URI:-}" || -z "${REEL_TEST_S3_URI:-}" ]]; then
  if [[ "${REEL_REQUIRE_PG:-0}" == 1 || "${REEL_REQUIRE_CEPH:-0}" == 1 ]]; then
    echo "FAIL: a team drive needs REEL_TEST_PG_URI and REEL_TEST_S3_URI" >&2
    exit 1
  fi
  echo "SKIP: REEL_TEST_PG_URI or REEL_TEST_S3_URI is not set"
  exit 77
fi

run_id=$(basename "$WORK" | tr -dc 'a-z0-9' | tail -c 12)
DB="reel_${TEAM_NAME}_$run_id"
psql "$REEL_TEST_PG_URI" -qc "CREATE DATABASE $DB"
drop_db() { psql "$REEL_TEST_PG_URI" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)"; }
stop_server() { "$REEL" server stop "$WORK/server" >/dev/null 2>&1 || true; }
# Every FUSE mount under WORK, live or dead (a killed mount process leaves its mount behind).
unmount_users() {
  local m
  for m in $(awk -v w="$WORK/" '$3 ~ /^fuse/ && index($2, w) == 1 {print $2}' /proc/mounts); do
    "$REEL" umount "$m" >/dev/null 2>&1 || fusermount3 -uz "$m" 2>/dev/null || true
  done
}
CLEANUP_HOOKS+=(unmount_users stop_server drop_db)

s3_base=${REEL_TEST_S3_URI%%\?*}
s3_opts=${REEL_TEST_S3_URI#*\?}
CLOUD="${s3_base%/}/$TEAM_NAME-$run_id?$s3_opts"
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"

log "server: PostgreSQL database $DB, cloud ${CLOUD%%\?*}, $URL"
"$REEL" server init "$WORK/server" --catalog "${REEL_TEST_PG_URI%/*}/$DB" --cloud "$CLOUD" \
  --listen "127.0.0.1:$PORT" >/dev/null
for u in "$@"; do "$REEL" server user add "$u" --dir "$WORK/server" >/dev/null; done
# TEAM_SERVER_TOML: more of server.toml (e.g. a short [locks] lease).
if [[ -n "${TEAM_SERVER_TOML:-}" ]]; then printf '%s\n' "$TEAM_SERVER_TOML" >>"$WORK/server/server.toml"; fi
"$REEL" server run "$WORK/server" --background >/dev/null

as() {
  local user=$1; shift
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u CEPH_CONF \
    XDG_CONFIG_HOME="$WORK/$user/config" XDG_DATA_HOME="$WORK/$user/data" "$@"
}
for u in "$@"; do
  mkdir -p "$WORK/$u/mnt"
  "$REEL" server token create "$u" --dir "$WORK/server" --json >"$WORK/$u.token.json"
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$WORK/$u.token.json" |
    as "$u" "$REEL" login "$URL" >/dev/null
done

# The pid of USER's running mount.
user_mount_pid() {
  sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$XDG_RUNTIME_DIR"/reel/*.json | while read -r p; do
    if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -q "XDG_CONFIG_HOME=$WORK/$1/config"; then echo "$p"; fi
  done
}

# Fails the test on a sanitizer report in any user's mount log (in their team drive directories).
check_team_mount_logs() {
  local mlog
  for mlog in "$WORK"/*/data/reel/team/*/*/mount.log; do
    if grep -Eq "$SANITIZER_REPORT" "$mlog"; then
      fail "sanitizer report in $mlog"
      cat "$mlog" >&2
    fi
  done
}

# holds FILE TEXT: FILE reads exactly TEXT.
holds() { [ "$(cat "$1")" == "$2" ]; }

# within DESCRIPTION COMMAND...: COMMAND comes true within 10 s (polled); a failed check if not.
within() {
  local what=$1 deadline=$((SECONDS + 10)); shift
  until "$@" 2>/dev/null; do
    if ((SECONDS >= deadline)); then fail "$what (not within 10 s)"; return 0; fi
    sleep 0.05
  done
  pass
}
