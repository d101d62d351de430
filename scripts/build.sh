#!/usr/bin/env bash
# Configures and builds ReelDrive with CMake + Ninja, then the web app into BUILD_DIR/web
# (scripts/build-web.sh; REEL_BUILD_WEB=0 skips it, as the sanitizer builds do).
#   scripts/build.sh [BUILD_DIR] [extra cmake args...]
# REEL_JOBS sets the parallelism (default: number of cores).
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keys on paths relative to the checkout, so a clone in another folder (CI's) reuses the
# objects an earlier build compiled from the same sources.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(pwd)} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
build_dir=${1:-build}
shift || true
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
ninja -C "$build_dir" -j "${REEL_JOBS:-$(nproc)}"
if [[ "${REEL_BUILD_WEB:-1}" != 0 ]]; then
  scripts/build-web.sh "$build_dir/web"
fi
