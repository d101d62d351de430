#!/usr/bin/env bash
# Stops the cluster scripts/ceph-up.sh started in CEPH_DIR, by the PIDs it recorded (never by
# process name: other clusters may run on the same machine), then deletes CEPH_DIR.
#   CEPH_DIR=/tmp/reel-ceph scripts/ceph-down.sh
#   KEEP=1 scripts/ceph-down.sh      keep the directory (logs, data) for a post-mortem
set -u
CEPH_DIR=${CEPH_DIR:-/tmp/reel-ceph}
if [[ ! -f "$CEPH_DIR/pids" ]]; then
  echo "ceph-down: nothing recorded in $CEPH_DIR/pids"
  exit 0
fi
# Reverse start order: gateway, OSD, monitor. A stopped (SIGSTOP) daemon is continued first so
# it can act on SIGTERM.
# shellcheck source=scripts/stop_by_pid.sh
source "$(dirname "$0")/stop_by_pid.sh"
tac "$CEPH_DIR/pids" | while read -r name pid; do
  stop_by_pid "$name" "$pid" TERM
done
rm -f "$CEPH_DIR/pids" "$CEPH_DIR/.ready"
[[ "${KEEP:-0}" == 1 ]] || rm -rf "${CEPH_DIR:?}"
