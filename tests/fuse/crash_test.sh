#!/usr/bin/env bash
# kill -9 of the drive process: data acknowledged by fsync survives, staged writes are recovered
# and committed at the next mount, creates answered just before the crash are all there, and fsck
# finds every referenced chunk intact.
source "$(dirname "$0")/lib.sh" "$1"
init_drive
mount_drive

head -c $((32 * 1024 * 1024)) /dev/urandom > "$WORK/part1"
head -c $((32 * 1024 * 1024)) /dev/urandom > "$WORK/part2"

log "kill -9 in the middle of a write, after an fsync"
python3 - "$MNT/take.mov" "$WORK/part1" "$WORK/part2" "$WORK/acked" "$WORK/unacked" <<'PY' &
import os, sys, time
path, p1, p2, acked, unacked = sys.argv[1:]
fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o644)
os.write(fd, open(p1, "rb").read())
os.fsync(fd)
open(acked, "w").write("yes")
data = open(p2, "rb").read()
while True:  # keep writing unacknowledged data until the drive dies
    try:
        os.pwrite(fd, data, len(data))
    except OSError:
        break
    if not os.path.exists(unacked):
        open(unacked, "w").write("yes")  # unacknowledged data has reached the drive
    time.sleep(0.01)
PY
writer=$!
for _ in $(seq 1 100); do [[ -f "$WORK/acked" ]] && break; sleep 0.1; done
check "writer got its fsync" [ -f "$WORK/acked" ]
for _ in $(seq 1 100); do [[ -f "$WORK/unacked" ]] && break; sleep 0.1; done
check "writer wrote past its fsync" [ -f "$WORK/unacked" ]
kill_drive
wait "$writer" || true

log "remount recovers"
mount_drive
check "file exists after crash" [ -f "$MNT/take.mov" ]
check "fsynced bytes intact" cmp -n $((32 * 1024 * 1024)) "$WORK/part1" "$MNT/take.mov"
check "recovered version recorded" bash -c "'$REEL' versions '$MNT/take.mov' | grep -q recovered"

log "kill -9 right after close, while the version is being committed"
head -c $((200 * 1024 * 1024)) /dev/urandom > "$WORK/big"
cp "$WORK/big" "$MNT/big.mov"
sync "$MNT/big.mov" 2>/dev/null || python3 -c "import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd)" "$MNT/big.mov"
kill_drive
mount_drive
"$REEL" sync "$MNT"
check "closed file intact after crash" same_file "$WORK/big" "$MNT/big.mov"
check "fsck after crashes" "$REEL" fsck "$MNT"
check "gc after crashes" "$REEL" gc "$MNT"
check "still intact after gc" same_file "$WORK/big" "$MNT/big.mov"

log "kill -9 with creates answered and not yet recorded: the journal brings every one back"
# Another connection holds the catalog's write lock, so the mount can answer creates (they are
# journaled) but cannot record them before it dies. The first create reserves inode numbers
# (a write), before the lock.
: >"$MNT/first"
python3 - "$DRIVE/catalog.db" "$WORK/locked" "$WORK/release" <<'PY' &
import os, sqlite3, sys, time
db, locked, release = sys.argv[1:]
con = sqlite3.connect(db, timeout=30, isolation_level=None)
con.execute("BEGIN EXCLUSIVE")
open(locked, "w").close()
while not os.path.exists(release):
    time.sleep(0.05)
con.execute("ROLLBACK")
PY
locker=$!
for _ in $(seq 1 100); do [[ -f "$WORK/locked" ]] && break; sleep 0.1; done
check "the catalog's write lock is held" [ -f "$WORK/locked" ]
mkdir "$MNT/burst"
for i in $(seq 1 100); do : >"$MNT/burst/c$i"; done
mkdir "$MNT/burst/sub" && : >"$MNT/burst/sub/last"
# A write to a new file, closed, waits for no catalog call (its version is committed later).
check "a new file is written and closed while the catalog is locked" \
  timeout 20 sh -c "echo written >'$MNT/burst/written'"
check "the creates are in the journal" [ "$(wc -l <"$DRIVE/creates.journal")" -ge 104 ]
kill_drive
touch "$WORK/release"
wait "$locker"
mount_drive
check "every file created before the crash is there" [ "$(ls "$MNT/burst" | wc -l)" -eq 102 ]
check "the file written before the crash has its data" [ "$(cat "$MNT/burst/written")" = written ]
check "the last one too, in a directory made just before" [ -f "$MNT/burst/sub/last" ]
check "the journal is empty once they are recorded" [ ! -s "$DRIVE/creates.journal" ]
check "fsck after the burst" "$REEL" fsck "$MNT"
unmount_drive
finish
