#!/usr/bin/env bash
# Installs, builds and runs every test: unit and integration tests (real FUSE mounts driven by
# cp, dd, tar, git, rsync, sqlite3, ffmpeg, exiftool), then again under ASan+UBSan (unit, engine
# and FUSE tests) and under TSan (the same; the FUSE tests run the mount process under TSan).
#   scripts/test.sh            everything
#   scripts/test.sh --quick    the normal build only
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[[ "${1:-}" == "--quick" ]] && quick=1

scripts/install-deps.sh --test
start=$(date +%s)

echo "== build (RelWithDebInfo)"
scripts/build.sh build -DREEL_BUILD_BENCH=ON
echo "== tests"
(cd build && ctest --output-on-failure --timeout 900 -j 2)

if ((quick == 0)); then
  for san in address thread; do
    echo "== build ($san sanitizer)"
    scripts/build.sh "build-$san" -DREEL_SANITIZE=$san -DREEL_BUILD_BENCH=OFF
    echo "== tests ($san sanitizer)"
    # The slow crash and 100 GiB tests run in the normal build only.
    exclude=slow
    (cd "build-$san" && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
      ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="print_stacktrace=1" \
      ctest --output-on-failure --timeout 1200 -j 2 -LE "$exclude")
  done
fi
echo "== all tests passed in $(( $(date +%s) - start )) s"
