# Sourced by the scripts that stop the servers they started (ceph-down.sh, pg-down.sh).
# stop_by_pid NAME PID SIGNAL: sends SIGNAL (and SIGCONT, so a stopped process can act on it),
# waits up to 10 s for PID to end, then SIGKILL; says what it did, prefixed with the caller's name.
stop_by_pid() {
  local name=$1 pid=$2 signal=$3 me
  me=$(basename "$0" .sh)
  kill -0 "$pid" 2>/dev/null || return 0
  kill "-$signal" "$pid" 2>/dev/null
  kill -CONT "$pid" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$me: $name ($pid) still running after 10 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  echo "$me: stopped $name ($pid)"
}
