#!/usr/bin/env bash
# Installs everything ReelDrive needs on Debian 12, from Debian's packages only.
#   scripts/install-deps.sh          build + run dependencies
#   scripts/install-deps.sh --test   plus the real tools the tests and benchmarks drive
#                                    (s3fs and rclone: the peers of bench/tiers_bench.sh;
#                                    bindfs: the FUSE floor of bench/run_all.sh's metadata rows;
#                                    nats-server: the event forwarders' JetStream;
#                                    chromium: the web app's end-to-end tests)
# Node.js and npm build the web app (scripts/build-web.sh): a machine that has them (any
# packaging) keeps them, else Debian's nodejs and npm are installed.
set -euo pipefail

BUILD_PKGS=(
  g++ cmake ninja-build ccache pkg-config
  libfuse3-dev fuse3 libssl-dev libsqlite3-dev libpq-dev libzstd-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libtomlplusplus-dev
  libcpp-httplib-dev libgtest-dev libgmock-dev libbenchmark-dev
  libcurl4-openssl-dev libtinyxml2-dev librados-dev libradospp-dev
  libnats-dev librdkafka-dev prometheus-cpp-dev
  ffmpeg
)
TEST_PKGS=(
  git rsync tar sqlite3 libimage-exiftool-perl attr xxd fio restic python3
  coreutils psmisc procps e2fsprogs mount
  ceph-mon ceph-osd radosgw ceph-common curl postgresql openssl
  s3fs rclone bindfs nats-server
  chromium fonts-dejavu-core
)

pkgs=("${BUILD_PKGS[@]}")
if [[ "${1:-}" == "--test" ]]; then pkgs+=("${TEST_PKGS[@]}"); fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
