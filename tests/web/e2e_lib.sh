# What the web app's end-to-end harnesses share (web_e2e_test.sh, team_web_e2e_test.sh), sourced
# after tests/fuse/lib.sh: the tools they need (node, ffmpeg, Debian's Chromium, playwright-core
# from web/node_modules) and the test video. Sets ROOT (the source tree) and CHROMIUM.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
for tool in node ffmpeg curl; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is required (scripts/install-deps.sh --test)" >&2; exit 1; }
done
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[[ -x "$CHROMIUM" ]] || { echo "FAIL: $CHROMIUM is required (Debian's chromium)" >&2; exit 1; }
[[ -d "$ROOT/web/node_modules/playwright-core" ]] ||
  { echo "FAIL: web/node_modules is missing: build with scripts/build.sh" >&2; exit 1; }

# make_clip OUT: a 20 s 640x360 webm video (VP8, a keyframe a second), about 3.7 MB.
make_clip() {
  ffmpeg -v error -f lavfi -i testsrc2=size=640x360:rate=25 -t 20 -c:v libvpx -b:v 1500k \
    -deadline realtime -cpu-used 8 -g 25 "$1"
}
