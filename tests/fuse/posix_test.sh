#!/usr/bin/env bash
# POSIX behaviour through the mount: files, dirs, links, symlinks, rename flags, xattrs, truncate,
# sparse files, open-but-unlinked files, statfs, permissions.
source "$(dirname "$0")/lib.sh" "$1"
init_drive
mount_drive
if [[ $(id -u) == 0 ]]; then
  # The mount raises the kernel readahead (sysfs, root only) and the FUSE handshake keeps it.
  dev=$(awk -v m="$(readlink -f "$MNT")" '$5 == m {print $3}' /proc/self/mountinfo | tail -1)
  ra=$(cat "/sys/class/bdi/$dev/read_ahead_kb" 2>/dev/null || echo "?")
  check "kernel readahead is 16 MiB after the handshake (read_ahead_kb=$ra)" [ "$ra" == 16384 ]
fi
cd "$MNT"

log "files and directories"
mkdir -p a/b/c
echo hello > a/b/c/f.txt
check "read back" [ "$(cat a/b/c/f.txt)" = hello ]
check "ls lists" [ "$(ls a/b/c)" = f.txt ]
check "rmdir non-empty fails" bash -c '! rmdir a/b/c 2>/dev/null'
check "dir nlink" [ "$(stat -c %h a/b)" = 3 ]
check ".reel hidden from ls" bash -c '! ls -a . | grep -qx .reel'
check ".reel reachable" [ -d .reel/versions ]
check ".reel reserved" bash -c '! mkdir .reel 2>/dev/null'

log "attributes"
chmod 640 a/b/c/f.txt
check "chmod" [ "$(stat -c %a a/b/c/f.txt)" = 640 ]
touch -d '2001-02-03 04:05:06' a/b/c/f.txt
check "utimens" [ "$(stat -c %Y a/b/c/f.txt)" = "$(date -d '2001-02-03 04:05:06' +%s)" ]
chown nobody:nogroup a/b/c/f.txt
check "chown" [ "$(stat -c %U a/b/c/f.txt)" = nobody ]

log "links"
ln a/b/c/f.txt hard
check "hard link count" [ "$(stat -c %h hard)" = 2 ]
check "hard link content" [ "$(cat hard)" = hello ]
ln -s a/b/c/f.txt sym
check "symlink target" [ "$(readlink sym)" = a/b/c/f.txt ]
check "symlink follow" [ "$(cat sym)" = hello ]
rm hard
check "link count after unlink" [ "$(stat -c %h a/b/c/f.txt)" = 1 ]

log "rename"
echo one > r1; echo two > r2
mv r1 r2
check "rename replaces" [ "$(cat r2)" = one ]
echo three > r3
check "renameat2 flags" python3 - <<'PY'
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD = -100
# RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2
r = libc.renameat2(AT_FDCWD, b"r3", AT_FDCWD, b"r2", 1)
assert r == -1 and ctypes.get_errno() == 17, ("noreplace", r, ctypes.get_errno())
r = libc.renameat2(AT_FDCWD, b"r3", AT_FDCWD, b"r2", 2)
assert r == 0, ("exchange", ctypes.get_errno())
assert open("r2").read() == "three\n" and open("r3").read() == "one\n"
PY
mkdir d1 && mv d1 a/
check "dir move" [ -d a/d1 ]
check "dir into own subtree refused" bash -c '! mv a a/b/ 2>/dev/null'

log "xattrs"
setfattr -n user.color -v red a/b/c/f.txt
check "getxattr" [ "$(getfattr --only-values -n user.color a/b/c/f.txt)" = red ]
check "listxattr" bash -c 'getfattr -d a/b/c/f.txt | grep -q user.color'
setfattr -x user.color a/b/c/f.txt
check "removexattr" bash -c '! getfattr -n user.color a/b/c/f.txt 2>/dev/null'

log "truncate, sparse, append"
head -c 1000000 /dev/urandom > t.bin
truncate -s 1000 t.bin
check "truncate shrink" [ "$(stat -c %s t.bin)" = 1000 ]
truncate -s 5000 t.bin
check "truncate extend zeros" [ "$(tail -c 4000 t.bin | tr -d '\0' | wc -c)" = 0 ]
dd if=/dev/urandom of=sparse bs=1 count=10 seek=$((20 * 1024 * 1024 * 1024)) status=none
check "sparse size" [ "$(stat -c %s sparse)" = $((20 * 1024 * 1024 * 1024 + 10)) ]
check "sparse hole reads zero" [ "$(dd if=sparse bs=1M skip=10000 count=1 status=none | tr -d '\0' | wc -c)" = 0 ]
echo line1 > app.txt; echo line2 >> app.txt
check "append" [ "$(cat app.txt)" = "$(printf 'line1\nline2')" ]
fallocate -l 1M falloc.bin
check "fallocate extends" [ "$(stat -c %s falloc.bin)" = 1048576 ]

log "open but unlinked"
check "unlinked file works" python3 - <<'PY'
import os
fd = os.open("ghost", os.O_CREAT | os.O_RDWR, 0o644)
os.write(fd, b"boo" * 1000)
os.unlink("ghost")
os.write(fd, b"!")
os.lseek(fd, 0, 0)
data = os.read(fd, 10000)
assert data == b"boo" * 1000 + b"!", len(data)
os.close(fd)
PY
check "unlinked name gone" [ ! -e ghost ]

check "fsync of a directory" python3 -c "import os; fd = os.open('a', os.O_RDONLY | os.O_DIRECTORY); os.fsync(fd); os.close(fd)"

log "reads of a file staged in scattered pages (many slices per read)"
head -c $((4 << 20)) /dev/urandom > "$WORK/scatter.bin"
cp "$WORK/scatter.bin" scatter.bin
"$REEL" sync "$MNT" >/dev/null
check "1 MiB reads of alternating staged and committed pages" python3 - "$WORK/scatter.bin" <<'PY'
import os, sys
expected = bytearray(open(sys.argv[1], "rb").read())
fd = os.open("scatter.bin", os.O_RDWR)
for page in range(0, len(expected) // 4096, 2):  # every other page, over the committed version
    data = os.urandom(4096)
    os.pwrite(fd, data, page * 4096)
    expected[page * 4096:(page + 1) * 4096] = data
os.fsync(fd)  # the pages reach the drive's staging file; the file stays open (not committed)
if os.geteuid() == 0:
    os.system("echo 3 > /proc/sys/vm/drop_caches")  # so reads come from the drive, not the kernel
reader = os.open("scatter.bin", os.O_RDONLY)
got = b"".join(os.pread(reader, 1 << 20, off) for off in range(0, len(expected), 1 << 20))
os.close(reader)
os.close(fd)
sys.exit(0 if got == bytes(expected) else 1)
PY
"$REEL" sync "$MNT" >/dev/null
check "the scattered edit committed" [ "$(sha256sum < scatter.bin)" != "$(sha256sum < "$WORK/scatter.bin")" ]

log "statfs and errors"
check "df works" bash -c 'df "$PWD" | tail -1 | grep -q reel'
check "ENOENT" bash -c '! cat /nonexistent-in-mount 2>/dev/null && ! cat nope 2>/dev/null'
check "long name refused" bash -c '! touch "$(printf "x%.0s" {1..300})" 2>/dev/null'

log "many entries, readdir paging"
mkdir many && (cd many && for i in $(seq 1 3000); do : > "f$i"; done)
check "3000 entries listed" [ "$(ls many | wc -l)" = 3000 ]
check "find counts" [ "$(find many -type f | wc -l)" = 3000 ]

cd /
unmount_drive
log "remount keeps everything"
mount_drive
check "content after remount" [ "$(cat "$MNT/a/b/c/f.txt")" = hello ]
check "entries after remount" [ "$(ls "$MNT/many" | wc -l)" = 3000 ]
check "symlink after remount" [ "$(readlink "$MNT/sym")" = a/b/c/f.txt ]
unmount_drive
finish
