#!/usr/bin/env bash
# Installs, builds and mounts ReelDrive on the embedded default (SQLite catalog, local store in
# ~/.local/share/reel/default). The drive runs in the background; stop it with
# `build/src/cli/reel umount MOUNTPOINT`.
#   scripts/start.sh [MOUNTPOINT]      (default: ~/ReelDrive)
set -euo pipefail
cd "$(dirname "$0")/.."
mountpoint=${1:-$HOME/ReelDrive}
scripts/install-deps.sh
REEL_BUILD_ARGS=(-DREEL_BUILD_TESTS=OFF -DREEL_BUILD_BENCH=OFF)
scripts/build.sh build "${REEL_BUILD_ARGS[@]}"
mkdir -p "$mountpoint"
build/src/cli/reel mount "$mountpoint" --background
echo "ReelDrive is mounted at $mountpoint"
echo "  versions:  build/src/cli/reel versions $mountpoint/FILE"
echo "  stop:      build/src/cli/reel umount $mountpoint"
