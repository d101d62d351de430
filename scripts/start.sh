#!/usr/bin/env bash
# Installs, builds and mounts ReelDrive on the embedded default (SQLite catalog, local store in
# ~/.local/share/reel/default). The drive runs in the background; stop it with
# `reel umount MOUNTPOINT`. `reel` is put on the PATH as a symlink to the build: in /usr/local/bin
# as root, else in ~/.local/bin (the script says so when that directory is not on the PATH).
#   scripts/start.sh [MOUNTPOINT]      (default: ~/ReelDrive)
set -euo pipefail
cd "$(dirname "$0")/.."
mountpoint=${1:-$HOME/ReelDrive}
scripts/install-deps.sh
REEL_BUILD_ARGS=(-DREEL_BUILD_TESTS=OFF -DREEL_BUILD_BENCH=OFF)
scripts/build.sh build "${REEL_BUILD_ARGS[@]}"

# `reel` on the PATH: a symlink, so later builds are picked up.
reel_bin=$(pwd)/build/src/cli/reel
if [[ $(id -u) == 0 ]]; then bin_dir=/usr/local/bin; else bin_dir=$HOME/.local/bin; fi
mkdir -p "$bin_dir"
ln -sfn "$reel_bin" "$bin_dir/reel"
echo "reel is installed as $bin_dir/reel (a link to $reel_bin)"
reel=reel
case ":$PATH:" in
  *":$bin_dir:"*) ;;
  *)
    reel=$bin_dir/reel
    echo "  $bin_dir is not on your PATH: add it, e.g. echo 'export PATH=\"$bin_dir:\$PATH\"' >> ~/.bashrc"
    echo "  (Debian's ~/.profile adds ~/.local/bin at the next login once the directory exists)"
    ;;
esac

mkdir -p "$mountpoint"
"$reel_bin" mount "$mountpoint" --background
echo "ReelDrive is mounted at $mountpoint"
echo "  versions:  $reel versions $mountpoint/FILE"
echo "  stop:      $reel umount $mountpoint"
