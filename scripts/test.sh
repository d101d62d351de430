#!/usr/bin/env bash
# Installs, builds and runs every test: unit and integration tests (real FUSE mounts driven by
# cp, dd, tar, git, rsync, sqlite3, ffmpeg, exiftool), then again under ASan+UBSan (unit, engine
# and FUSE tests) and under TSan (the same; the FUSE tests run the mount process under TSan).
# A throwaway Ceph cluster (scripts/ceph-up.sh, memstore, ~3 s) and a throwaway PostgreSQL server
# (scripts/pg-up.sh, ~1 s) and a throwaway NATS server with JetStream (scripts/nats-up.sh) run for
# the whole script, so the object store suites exercise a real S3 gateway and RADOS, the
# PostgreSQL suites a real server and the event forwarders a real JetStream (Kafka: librdkafka's
# mock cluster, in the tests' own process): REEL_REQUIRE_CEPH=1, REEL_REQUIRE_PG=1 and
# REEL_REQUIRE_NATS=1 make a missing one a failure instead of a skip, and REEL_REQUIRE_FUSE=1 does
# the same for FUSE (/dev/fuse and fusermount3): no test that needs them is skipped. A run in which ctest finds no test fails.
#   scripts/test.sh            everything
#   scripts/test.sh --quick    the normal build only
# REEL_TEST_MON_PORT / REEL_TEST_RGW_PORT / REEL_TEST_PG_PORT / REEL_TEST_NATS_PORT set the servers' ports (default: free
# ones, so runs and development servers on the same machine do not collide).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[[ "${1:-}" == "--quick" ]] && quick=1

scripts/install-deps.sh --test
# ctest in build dir $1 with the remaining arguments. Every dependency is provided here, so a
# test that skipped (GTEST_SKIP, or a FUSE script's exit 77) fails the run like a failed one.
run_ctest() {
  local dir=$1 log rc=0
  shift
  log=$(mktemp /tmp/reel-test-ctest-XXXXXX)
  (cd "$dir" && ctest --output-on-failure --no-tests=error "$@") | tee "$log" || rc=$?
  if grep -q "(Skipped)" "$log"; then
    echo "FAIL: tests were skipped although every dependency is required:" >&2
    grep "(Skipped)" "$log" >&2
    rc=1
  fi
  rm -f "$log"
  return "$rc"
}

start=$(date +%s)

echo "== ceph (monitor, OSD, S3 gateway on loopback)"
export CEPH_DIR
CEPH_DIR=$(mktemp -d /tmp/reel-test-ceph-XXXXXX)
export PG_DIR
PG_DIR=$(mktemp -d /tmp/reel-test-pg-XXXXXX)
export NATS_DIR
NATS_DIR=$(mktemp -d /tmp/reel-test-nats-XXXXXX)
trap 'scripts/ceph-down.sh >/dev/null || true; rm -rf "$CEPH_DIR" || true
      scripts/pg-down.sh >/dev/null || true; rm -rf "$PG_DIR" || true
      scripts/nats-down.sh >/dev/null || true; rm -rf "$NATS_DIR" || true' EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
MON_PORT=${REEL_TEST_MON_PORT:-$(free_port)} RGW_PORT=${REEL_TEST_RGW_PORT:-$(free_port)} \
  OBJECTSTORE=memstore scripts/ceph-up.sh
# shellcheck disable=SC1091
source "$CEPH_DIR/env"  # CEPH_CONF, S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
echo "== postgresql (loopback)"
PG_PORT=${REEL_TEST_PG_PORT:-$(free_port)} scripts/pg-up.sh
# shellcheck disable=SC1091
source "$PG_DIR/env"  # REEL_TEST_PG_URI
export REEL_TEST_PG_URI
echo "== nats-server with JetStream (loopback)"
NATS_PORT=${REEL_TEST_NATS_PORT:-$(free_port)} NATS_MONITOR_PORT=$(free_port) scripts/nats-up.sh
# shellcheck disable=SC1091
source "$NATS_DIR/env"  # REEL_TEST_NATS_URL, REEL_TEST_NATS_MONITOR
export REEL_TEST_NATS_URL REEL_TEST_NATS_MONITOR
export REEL_REQUIRE_CEPH=1 REEL_REQUIRE_FUSE=1 REEL_REQUIRE_PG=1 REEL_REQUIRE_NATS=1
export REEL_TEST_S3_URI="s3://reel-test/run?endpoint=$S3_ENDPOINT&path_style=true&create_bucket=true"
export REEL_TEST_RADOS_URI="rados://reel-test?conf=$CEPH_CONF&create_pool=true"

# Tests are switched on explicitly: scripts/start.sh configures the same build/ with them off, and
# CMake keeps a cached option until it is given again.
echo "== build (RelWithDebInfo)"
scripts/build.sh build -DREEL_BUILD_TESTS=ON -DREEL_BUILD_BENCH=ON
echo "== tests"
run_ctest build --timeout 900 -j 2

if ((quick == 0)); then
  for san in address thread; do
    echo "== build ($san sanitizer)"
    REEL_BUILD_WEB=0 scripts/build.sh "build-$san" -DREEL_SANITIZE=$san -DREEL_BUILD_TESTS=ON -DREEL_BUILD_BENCH=OFF
    echo "== tests ($san sanitizer)"
    # The slow crash and 100 GiB tests run in the normal build only.
    exclude=slow
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ASAN_OPTIONS="detect_leaks=1" \
      UBSAN_OPTIONS="print_stacktrace=1" run_ctest "build-$san" --timeout 1200 -j 2 -LE "$exclude"
  done
fi
echo "== all tests passed in $(( $(date +%s) - start )) s"
