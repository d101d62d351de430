#!/usr/bin/env bash
# The web app's performance budgets (docs/benchmarks.md, "Web app"): its JavaScript gzipped
# (<= 200 KiB), first load with a cold browser cache on loopback (< 1 s), a 10,000-entry folder
# rendered (< 500 ms), each beside its floor in the same run: a static page of the same server,
# and the API's own time for the folder's listing. Debian's Chromium, headless, by Playwright.
#   bench/web_bench.sh [--build DIR] [--runs N]     (root: it mounts a drive)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
RUNS=10
while (($#)); do
  case $1 in
    --build) BUILD=$(realpath "$2"); shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "usage: $0 [--build DIR] [--runs N]" >&2; exit 2 ;;
  esac
done
REEL=$BUILD/src/cli/reel
[[ -x $REEL && -f $BUILD/web/app.js ]] || { echo "build first: scripts/build.sh" >&2; exit 1; }
WORK=$(mktemp -d /tmp/reel-web-bench-XXXXXX)
export XDG_RUNTIME_DIR=$WORK/run
mkdir -p "$WORK/mnt" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
trap '"$REEL" umount "$WORK/mnt" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
"$REEL" init "$WORK/drive" --name bench >/dev/null
"$REEL" mount "$WORK/mnt" --drive "$WORK/drive" --background >/dev/null
mkdir -p "$WORK/mnt/big" "$WORK/mnt/shots"
(cd "$WORK/mnt/big" && seq -f 'frame.%05g.exr' 0 9999 | xargs touch)
for i in $(seq 1 20); do head -c 100000 /dev/urandom > "$WORK/mnt/shots/take_$i.mov"; done
"$REEL" sync "$WORK/mnt" >/dev/null

link=$("$REEL" web "$WORK/mnt" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["url"])')
origin=${link%%/sign-in*}
cookie=$(curl -s -D - -o /dev/null "$link" | sed -n 's/^Set-Cookie: reel_session=\([0-9a-f]*\).*/\1/p')
# The API's floor: the folder's listing read by curl in the app's pages (1,000, then 5,000),
# gzip as the browser asks.
api_ms=()
for _ in $(seq 1 "$RUNS"); do
  total=0; after=""; limit=1000
  while :; do  # curl's own time per page; reading the cursor is not counted
    t=$(curl -s --compressed -o "$WORK/page.json" -w '%{time_total}' -H "Cookie: reel_session=$cookie" \
      "$origin/v1/workspaces/bench/files?path=big&limit=$limit${after:+&after=$after}")
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
r=$(WEB_ORIGIN=$origin WEB_COOKIE=$cookie WS=bench RUNS=$RUNS node "$ROOT/bench/web_bench.mjs")
f() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$r" "$1"; }
js_kib=$(python3 -c "print(f'{$js_gz / 1024:.1f}')")
css_kib=$(python3 -c "print(f'{$css_gz / 1024:.1f}')")
echo "# Web app, $(date -u +%F) (commit $(git -C "$ROOT" rev-parse --short HEAD)), median of $RUNS"
echo
echo "| figure | app | floor (same run) | budget |"
echo "|---|---:|---:|---:|"
echo "| JavaScript, gzipped (-9) | $js_kib KiB (+ $css_kib KiB CSS) | | <= 200 KiB |"
printf '| first load, cold cache, to the first row (ms) | %.0f (%s) | %.0f (%s): a static page, no script | < 1000 |\n' \
  "$(f load_ms)" "$(f load_spread)" "$(f floor_ms)" "$(f floor_spread)"
printf '| 10,000-entry folder: first rows (ms) | %.0f (%s) | | < 500 |\n' "$(f render_ms)" "$(f render_spread)"
printf '| 10,000-entry folder: all listed (ms) | %.0f (%s) | %s: the API by curl | |\n' \
  "$(f complete_ms)" "$(f complete_spread)" "$api_median"
