#!/usr/bin/env bash
# The web app's performance budgets (docs/benchmarks.md, "Web app"): its JavaScript gzipped
# (<= 200 KiB), first load with a cold browser cache on loopback (< 1 s), a 10,000-entry folder
# rendered (< 500 ms), each beside its floor in the same run: a static page of the same server,
# and the API's own time for the folder's listing. Debian's Chromium, headless, by Playwright.
# With --team, the same figures for the app served by a team server (`reel server`, on the
# PostgreSQL and S3 gateway of REEL_TEST_PG_URI and REEL_TEST_S3_URI: scripts/pg-up.sh and
# scripts/ceph-up.sh), the folder made on a team mount of the user's home workspace.
#   bench/web_bench.sh [--build DIR] [--runs N] [--team]     (root: it mounts drives)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
RUNS=10
TEAM=0
while (($#)); do
  case $1 in
    --build) BUILD=$(realpath "$2"); shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --team) TEAM=1; shift ;;
    *) echo "usage: $0 [--build DIR] [--runs N] [--team]" >&2; exit 2 ;;
  esac
done
REEL=$BUILD/src/cli/reel
[[ -x $REEL && -f $BUILD/web/app.js ]] || { echo "build first: scripts/build.sh" >&2; exit 1; }
WORK=$(mktemp -d /tmp/reel-web-bench-XXXXXX)
export XDG_RUNTIME_DIR=$WORK/run
mkdir -p "$WORK/mnt" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
DB=""
cleanup() {
  "$REEL" umount "$WORK/mnt" >/dev/null 2>&1 || true
  if ((TEAM)); then
    XDG_CONFIG_HOME=$WORK/u/config XDG_DATA_HOME=$WORK/u/data "$REEL" umount "$WORK/tmnt" >/dev/null 2>&1 || true
    "$REEL" server stop "$WORK/server" >/dev/null 2>&1 || true
    [[ -n $DB ]] && psql "$REEL_TEST_PG_URI" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# fill DIR: the folders the figures read (big/: 10,000 empty files; shots/: 20 small ones).
fill() {
  mkdir -p "$1/big" "$1/shots"
  (cd "$1/big" && seq -f 'frame.%05g.exr' 0 9999 | xargs touch)
  for i in $(seq 1 20); do head -c 100000 /dev/urandom > "$1/shots/take_$i.mov"; done
}
"$REEL" init "$WORK/drive" --name bench >/dev/null
"$REEL" mount "$WORK/mnt" --drive "$WORK/drive" --background >/dev/null
fill "$WORK/mnt"
"$REEL" sync "$WORK/mnt" >/dev/null

# measure ORIGIN COOKIE WORKSPACE FLOOR_PATH TITLE: the table of one server's app.
measure() {
  local origin=$1 cookie=$2 ws=$3 floor=$4 title=$5 api_ms=() total after limit t api_median r
  # The API's floor: the folder's listing read by curl in the app's pages (1,000, then 5,000),
  # gzip as the browser asks.
  api_ms=()
  for _ in $(seq 1 "$RUNS"); do
    total=0; after=""; limit=1000
    while :; do  # curl's own time per page; reading the cursor is not counted
      t=$(curl -s --compressed -o "$WORK/page.json" -w '%{time_total}' -H "Cookie: reel_session=$cookie" \
        "$origin/v1/workspaces/$ws/files?path=big&limit=$limit${after:+&after=$after}")
      total=$(python3 -c "print($total + $t)")
      after=$(python3 -c 'import json,sys; n=json.load(open(sys.argv[1]))["next"]; print("" if n is None else n)' "$WORK/page.json")
      [[ -z $after ]] && break
      limit=5000
    done
    api_ms+=("$(python3 -c "print(round($total * 1000))")")
  done
  api_median=$(printf '%s\n' "${api_ms[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  js_gz=$(gzip -9c "$BUILD/web/app.js" | wc -c)
  css_gz=$(gzip -9c "$BUILD/web/app.css" | wc -c)
  r=$(WEB_ORIGIN=$origin WEB_COOKIE=$cookie WS=$ws FLOOR_PATH=$floor RUNS=$RUNS node "$ROOT/bench/web_bench.mjs")
  f() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$r" "$1"; }
  js_kib=$(python3 -c "print(f'{$js_gz / 1024:.1f}')")
  css_kib=$(python3 -c "print(f'{$css_gz / 1024:.1f}')")
  echo "# $title, $(date -u +%F) (commit $(git -C "$ROOT" rev-parse --short HEAD)), median of $RUNS"
  echo
  echo "| figure | app | floor (same run) | budget |"
  echo "|---|---:|---:|---:|"
  echo "| JavaScript, gzipped (-9) | $js_kib KiB (+ $css_kib KiB CSS) | | <= 200 KiB |"
  printf '| first load, cold cache, to the first row (ms) | %.0f (%s) | %.0f (%s): %s | < 1000 |\n' \
    "$(f load_ms)" "$(f load_spread)" "$(f floor_ms)" "$(f floor_spread)" \
    "$([[ $floor == /v1/health ]] && echo 'the health answer, no script' || echo 'a static page, no script')"
  printf '| 10,000-entry folder: first rows (ms) | %.0f (%s) | | < 500 |\n' "$(f render_ms)" "$(f render_spread)"
  printf '| 10,000-entry folder: all listed (ms) | %.0f (%s) | %s: the API by curl | |\n' \
    "$(f complete_ms)" "$(f complete_spread)" "$api_median"
}

link=$("$REEL" web "$WORK/mnt" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')
origin=${link%%/sign-in*}
cookie=$(curl -s -D - -o /dev/null "$link" | sed -n 's/^Set-Cookie: reel_session=\([0-9a-f]*\).*/\1/p')
measure "$origin" "$cookie" bench '/sign-in?code=x' "Web app of a drive (reel web)"
((TEAM)) || exit 0

: "${REEL_TEST_PG_URI:?--team needs REEL_TEST_PG_URI (scripts/pg-up.sh)}"
: "${REEL_TEST_S3_URI:?--team needs REEL_TEST_S3_URI (scripts/ceph-up.sh)}"
DB="reel_webbench_$$"
psql "$REEL_TEST_PG_URI" -qc "CREATE DATABASE $DB"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$REEL" server init "$WORK/server" --catalog "${REEL_TEST_PG_URI%/*}/$DB" \
  --cloud "${REEL_TEST_S3_URI%%\?*}/webbench-$$?${REEL_TEST_S3_URI#*\?}" --listen "127.0.0.1:$port" >/dev/null
"$REEL" server user add bench --dir "$WORK/server" >/dev/null
token=$("$REEL" server token create bench --dir "$WORK/server" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
"$REEL" server run "$WORK/server" --background >/dev/null
url="http://127.0.0.1:$port"
as_bench() { env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY XDG_CONFIG_HOME=$WORK/u/config XDG_DATA_HOME=$WORK/u/data "$@"; }
echo "$token" | as_bench "$REEL" login "$url" >/dev/null
mkdir -p "$WORK/tmnt"
as_bench "$REEL" mount "$WORK/tmnt" --workspace bench --background >/dev/null
fill "$WORK/tmnt"
as_bench "$REEL" sync "$WORK/tmnt" >/dev/null
tcookie=$(curl -s -D - -o /dev/null -H "Origin: $url" -H 'Content-Type: application/json' \
  -d "{\"token\":\"$token\"}" "$url/v1/sign-in" | sed -n 's/^Set-Cookie: reel_session=\(reel_[0-9a-f]*\).*/\1/p')
echo
measure "$url" "$tcookie" bench /v1/health "Web app of a team server (reel server)"
