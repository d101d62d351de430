#!/usr/bin/env bash
# Locks across machines: two mounts of one team workspace (alice's and bob's, on a real
# PostgreSQL and the Ceph S3 gateway, the server's lock lease 3 s). flock and POSIX byte-range
# locks taken on one mount hold on the other (real flock(1) and Python's fcntl); a waiting lock
# is granted when the holder lets go; `reel status` names the holder; lock-on-open refuses a
# second machine's open for writing with EBUSY; a mount killed with -9 has its locks freed within
# the lease; a holder stopped (SIGSTOP) past its lease loses its lock, and what it wrote under it
# is kept as a rejected version when it wakes, never made current over the next holder's; so are
# the fsynced writes of a holder killed with -9, recovered at its next mount after the next holder
# saved.
source "$(dirname "$0")/lib.sh" "$1"
TEAM_SERVER_TOML=$'[locks]\nlease_seconds = 3'
source "$(dirname "$0")/team_lib.sh" locks alice bob
as alice "$REEL" workspace create film >/dev/null
as alice "$REEL" workspace grant film bob writer >/dev/null
A=$WORK/alice/mnt
B=$WORK/bob/mnt
mount_alice() { as alice "$REEL" mount "$A" --workspace film --background >/dev/null 2>&1; }
mount_alice
as bob "$REEL" mount "$B" --workspace film --background >/dev/null 2>&1
mountpoint -q "$A" && mountpoint -q "$B" || { fail "the mounts are not up"; exit 1; }

fails() { ! "$@" >/dev/null 2>&1; }
# hold NAME COMMAND...: runs COMMAND in the background; it makes $WORK/NAME.ready once it holds
# its lock and keeps it until `release NAME`.
hold() {
  local name=$1; shift
  rm -f "$WORK/$name.ready"
  mkfifo "$WORK/$name.go"
  "$@" &
  eval "${name}_pid=$!"
  within "$name holds its lock" test -e "$WORK/$name.ready"
}
release() {
  local pid_var="${1}_pid"
  echo >"$WORK/$1.go"
  wait "${!pid_var}" || true
  rm -f "$WORK/$1.go"
}

printf 'v1' >"$A/shot.nk.txt"
as alice "$REEL" publish "$A/shot.nk.txt" >/dev/null
within "bob sees the file" holds "$B/shot.nk.txt" v1

log "flock: alice's lock holds on bob's mount"
hold aflock bash -c "exec 9>>'$A/shot.nk.txt'; flock -x 9; touch '$WORK/aflock.ready'; read -r _ <'$WORK/aflock.go'"
check "bob cannot take it" fails flock -n -x "$B/shot.nk.txt" true
check "nor share it" fails flock -n -s "$B/shot.nk.txt" true
as bob "$REEL" status "$B/shot.nk.txt" >"$WORK/status.txt"
check "reel status names the holder" grep -Eq '^locked: +write flock by alice on .*instance m-' "$WORK/status.txt"
flock -x -w 20 "$B/shot.nk.txt" touch "$WORK/bob-got-it" &
waiter=$!
release aflock
wait "$waiter"
check "bob's waiting flock is granted once alice lets go" [ -e "$WORK/bob-got-it" ]
# bob's flock ends when its process exits; the kernel sends that release to the mount
# asynchronously (FUSE_RELEASE is not waited for by close), so the server frees it a moment later.
within "the lock is free for alice again once bob's flock exited" flock -n -x "$A/shot.nk.txt" true

log "POSIX byte-range locks"
cat >"$WORK/lockf.py" <<'PY'
import fcntl, os, struct, sys
# lockf.py hold|try|test PATH START LEN [NAME]
mode, path, start, length = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
fd = os.open(path, os.O_RDWR)
if mode == "hold":
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, length, start)
    open(sys.argv[5] + ".ready", "w").close()
    open(sys.argv[5] + ".go").read()
elif mode == "try":
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, length, start)
    except BlockingIOError:
        sys.exit(1)
elif mode == "test":  # prints the conflicting lock F_GETLK finds: "TYPE START LEN", or "free"
    got = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, start, length, 0))
    kind, _, at, n, _ = struct.unpack("hhqqi4x", got)
    print("free" if kind == fcntl.F_UNLCK else f"{'write' if kind == fcntl.F_WRLCK else 'read'} {at} {n}")
PY
hold arange python3 "$WORK/lockf.py" hold "$A/shot.nk.txt" 0 100 "$WORK/arange"
check "bob cannot lock bytes alice holds" fails python3 "$WORK/lockf.py" try "$B/shot.nk.txt" 50 10
check "bob locks the bytes after them" python3 "$WORK/lockf.py" try "$B/shot.nk.txt" 100 100
check "F_GETLK on bob's mount shows alice's range" \
  [ "$(python3 "$WORK/lockf.py" test "$B/shot.nk.txt" 10 5)" == "write 0 100" ]
check "and nothing past it" [ "$(python3 "$WORK/lockf.py" test "$B/shot.nk.txt" 100 5)" == free ]
release arange
within "alice's close released her range" python3 "$WORK/lockf.py" try "$B/shot.nk.txt" 0 100

log "lock-on-open: a .nk open for writing on one machine is busy on the other"
printf 'script' >"$A/comp.nk"
as alice "$REEL" publish "$A/comp.nk" >/dev/null
within "bob sees comp.nk" holds "$B/comp.nk" script
hold aopen bash -c "exec 7>>'$A/comp.nk'; touch '$WORK/aopen.ready'; read -r _ <'$WORK/aopen.go'"
check "bob's open for writing is refused with EBUSY" \
  bash -c "! { printf x >>'$B/comp.nk'; } 2>'$WORK/busy.txt' && grep -q 'Device or resource busy' '$WORK/busy.txt'"
check "bob still reads it" holds "$B/comp.nk" script
as bob "$REEL" status "$B/comp.nk" >"$WORK/status.txt"
check "reel status names who has it open" grep -Eq '^locked: +write lock-on-open by alice' "$WORK/status.txt"
check "a file of another kind is not locked on open" bash -c "printf ok >'$B/notes.txt'"
release aopen
within "bob may write it once alice closed it" bash -c "printf ' and more' >>'$B/comp.nk'"

log "a mount killed with -9 has its locks freed within the lease"
hold kflock bash -c "exec 9>>'$A/shot.nk.txt'; flock -x 9; touch '$WORK/kflock.ready'; read -r _ <'$WORK/kflock.go'"
check "held" fails flock -n -x "$B/shot.nk.txt" true
alice_pid=$(user_mount_pid alice)
kill -9 "$alice_pid"
start=$SECONDS
check "bob gets the lock after the lease" flock -x -w 20 "$B/shot.nk.txt" true
check "within 10 s of the kill" [ $((SECONDS - start)) -le 10 ]
release kflock
fusermount3 -uz "$A"
rm -f "$(grep -l "\"pid\": *$alice_pid\b" "$XDG_RUNTIME_DIR"/reel/*.json 2>/dev/null)" 2>/dev/null || true
mount_alice
mountpoint -q "$A" || { fail "alice's mount is not up again"; exit 1; }

log "a holder stopped past its lease: its writes are kept as a rejected version"
within "alice's mount sees the file" holds "$A/shot.nk.txt" v1
hold stale bash -c "exec 9>>'$A/shot.nk.txt'; flock -x 9; printf ' stale' >&9; touch '$WORK/stale.ready'; read -r _ <'$WORK/stale.go'"
alice_pid=$(user_mount_pid alice)
kill -STOP "$alice_pid"
check "bob gets the lock once alice's lease lapsed" \
  flock -x -w 20 "$B/shot.nk.txt" bash -c "printf 'v2 by bob' >'$B/shot.nk.txt'"
as bob "$REEL" sync "$B/shot.nk.txt" >/dev/null
as bob "$REEL" publish "$B/shot.nk.txt" >/dev/null
kill -CONT "$alice_pid"
release stale
as alice "$REEL" sync "$A/shot.nk.txt" >/dev/null 2>&1 || true
versions_of() {
  as "$1" "$REEL" versions "$2" --json |
    python3 -c 'import json,sys
for v in json.load(sys.stdin)["versions"]: print(v["kind"])' | tail -1
}
within "alice's stale write is a rejected version (hers: bob does not see it)" [ "$(versions_of alice "$A/shot.nk.txt")" == rejected ]
check "bob's write stays current" holds "$B/shot.nk.txt" "v2 by bob"
within "alice reads bob's write once her file is closed" holds "$A/shot.nk.txt" "v2 by bob"
as alice "$REEL" status "$A/shot.nk.txt" >"$WORK/status.txt"
check "reel status shows alice the rejected version" grep -q '^rejected: ' "$WORK/status.txt"
within "a lock works again on alice's mount" flock -n -x "$A/shot.nk.txt" true
as alice "$REEL" events "$A" --json >"$WORK/events.json"
check "the change feed has lock_taken and lock_released" \
  bash -c "grep -q '\"kind\":\"lock_taken\"' '$WORK/events.json' && grep -q '\"kind\":\"lock_released\"' '$WORK/events.json'"

log "a holder killed with -9 after an fsync: its writes, recovered once the next holder saved, are a rejected version"
hold crashed bash -c "exec 9>>'$A/shot.nk.txt'; flock -x 9; printf ' crashed' >&9; python3 -c 'import os; os.fsync(9)'; touch '$WORK/crashed.ready'; read -r _ <'$WORK/crashed.go'"
alice_pid=$(user_mount_pid alice)
kill -9 "$alice_pid"
check "bob gets the lock once the dead mount's lease lapsed" \
  flock -x -w 20 "$B/shot.nk.txt" bash -c "printf 'v3 by bob' >'$B/shot.nk.txt'"
as bob "$REEL" sync "$B/shot.nk.txt" >/dev/null
as bob "$REEL" publish "$B/shot.nk.txt" >/dev/null
release crashed
fusermount3 -uz "$A"
rm -f "$(grep -l "\"pid\": *$alice_pid\b" "$XDG_RUNTIME_DIR"/reel/*.json 2>/dev/null)" 2>/dev/null || true
mount_alice
mountpoint -q "$A" || { fail "alice's mount is not up after the crash"; exit 1; }
within "alice's recovered write is a rejected version" [ "$(versions_of alice "$A/shot.nk.txt")" == rejected ]
check "bob's save stays current for bob" holds "$B/shot.nk.txt" "v3 by bob"
within "and for alice" holds "$A/shot.nk.txt" "v3 by bob"
recovered_bytes() {
  local n
  n=$(as alice "$REEL" versions "$A/shot.nk.txt" --json | python3 -c 'import json,sys
print(json.load(sys.stdin)["versions"][-1]["number"])')
  cat "$A/.reel/versions/shot.nk.txt/$n"
}
check "the rejected version holds every byte alice fsynced" \
  [ "$(recovered_bytes)" == "v2 by bob crashed" ]

as bob "$REEL" umount "$B" >/dev/null
as alice "$REEL" umount "$A" >/dev/null
check_team_mount_logs
finish
