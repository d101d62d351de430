#!/usr/bin/env python3
"""Runs one phase of the multi-user POSIX permission cases in a tree and prints one line per
operation: its errno and the resulting attributes, normalised so that the same line is expected
on the local disk (the oracle) and on the mount.

Usage: posix_users_ops.py TREE PHASE      (PHASE: setup, user1, user2, root, list)

The phases run in order, each under its own user (see posix_users_test.sh): root prepares the
directories, reeltest1 creates files of every type and works on them, reeltest2 tries what a
stranger may and may not do to them, root finishes; `list` prints every node of the tree.

Times are reported as which of mtime/ctime changed ("m", "c") for the target and its parent
directory. Before each operation the filesystem's clock is waited past the target's and the
parent's ctime (a probe file is touched until its ctime is later), so a timestamp that should
change always does, whatever the clock's granularity.
"""
import errno
import grp
import os
import pwd
import socket
import stat
import sys
import time

USER1, USER2, GROUP = "reeltest1", "reeltest2", "reeltestg"
TYPES = ["reg", "dir", "fifo", "chr", "blk", "sock", "lnk"]
EFBIG_SIZE = 1 << 50  # past ext4's largest file (16 TiB) and the drive's
NOW = None  # os.utime(times=None): UTIME_NOW for both


def uid(name):
    return pwd.getpwnam(name).pw_uid


def gid(name):
    return grp.getgrnam(name).gr_gid


def name_of_uid(u):
    try:
        return pwd.getpwuid(u).pw_name
    except KeyError:
        return str(u)


def name_of_gid(g):
    try:
        return grp.getgrgid(g).gr_name
    except KeyError:
        return str(g)


def describe(path):
    """Type, mode, owner, group, links, size (not for directories) and rdev of `path`."""
    try:
        st = os.lstat(path)
    except OSError as e:
        return "absent" if e.errno == errno.ENOENT else errno.errorcode[e.errno]
    kind = stat.S_IFMT(st.st_mode)
    letter = {stat.S_IFREG: "f", stat.S_IFDIR: "d", stat.S_IFLNK: "l", stat.S_IFIFO: "p",
              stat.S_IFCHR: "c", stat.S_IFBLK: "b", stat.S_IFSOCK: "s"}[kind]
    out = "%s %04o %s:%s n=%d" % (letter, stat.S_IMODE(st.st_mode), name_of_uid(st.st_uid),
                                  name_of_gid(st.st_gid), st.st_nlink)
    if kind != stat.S_IFDIR:
        out += " size=%d" % st.st_size
    if kind in (stat.S_IFCHR, stat.S_IFBLK):
        out += " rdev=%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
    return out


def times_of(path):
    try:
        st = os.lstat(path)
        return st.st_mtime_ns, st.st_ctime_ns
    except OSError:
        return None


def changed(before, after):
    if before is None or after is None:
        return "-"
    flags = ("m" if after[0] != before[0] else "") + ("c" if after[1] != before[1] else "")
    return flags or "0"


class Runner:
    def __init__(self, tree):
        self.tree = tree
        os.chdir(tree)
        clock_dir = os.path.join(tree, "clock")
        if not os.path.exists(clock_dir):
            os.mkdir(clock_dir)
            os.chmod(clock_dir, 0o1777)
        self.probe = os.path.join(clock_dir, ".probe-%d" % os.getuid())
        if not os.path.exists(self.probe):
            open(self.probe, "w").close()

    def wait_clock_past(self, ns):
        """Touches the probe until the filesystem stamps a ctime later than `ns` (bounded)."""
        deadline = time.monotonic() + 5
        while True:
            os.utime(self.probe, None)
            if os.stat(self.probe).st_ctime_ns > ns:
                return
            if time.monotonic() > deadline:
                sys.exit("the filesystem clock did not pass %d in 5 s" % ns)

    def op(self, label, path, fn, *args, parent=None, was=None):
        """Runs fn(*args) and prints errno, the attributes of `path` and which times changed
        (of `path`, or of `was` before the operation when it moves `was` to `path`)."""
        parent = parent if parent is not None else (os.path.dirname(path) or ".")
        was = was if was is not None else path
        stamps = [t[1] for t in (times_of(was), times_of(parent)) if t]
        if stamps:
            self.wait_clock_past(max(stamps))
        target_before, parent_before = times_of(was), times_of(parent)
        try:
            fn(*args)
            result = "ok"
        except OSError as e:
            result = errno.errorcode.get(e.errno, str(e.errno))
        print("%-44s %-13s %-44s t=%s p=%s" % (label, result, describe(path),
                                                changed(target_before, times_of(path)),
                                                changed(parent_before, times_of(parent))))
        sys.stdout.flush()


def make_node(kind, path):
    """Creates a node of `kind` at `path` (devices: the numbers of /dev/null and /dev/loop0)."""
    if kind == "reg":
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    elif kind == "dir":
        os.mkdir(path, 0o755)
    elif kind == "fifo":
        os.mkfifo(path, 0o644)
    elif kind == "chr":
        os.mknod(path, stat.S_IFCHR | 0o644, os.makedev(1, 3))
    elif kind == "blk":
        os.mknod(path, stat.S_IFBLK | 0o644, os.makedev(7, 0))
    elif kind == "sock":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.bind(path)  # relative to the tree (the current directory): short enough
        finally:
            s.close()
    elif kind == "lnk":
        os.symlink("target-of-" + os.path.basename(path), path)


def write_byte(path):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, b"x")
    finally:
        os.close(fd)


def truncate(path, size):
    os.truncate(path, size)


def chmod(path, mode):
    os.chmod(path, mode)


def create_with_mode(path, mode):
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode))


def lchown(path, u, g):
    os.chown(path, u, g, follow_symlinks=False)


def utime_now(path):
    os.utime(path, None)


def utime_set(path):
    os.utime(path, ns=(1_000_000_000, 2_000_000_000))


def phase_setup(r):
    os.umask(0)
    for d, mode in (("open", 0o777), ("sticky", 0o1777), ("sgid", 0o2777), ("own1", 0o755)):
        r.op("mkdir " + d, d, os.mkdir, d, mode)
    r.op("chgrp sgid to group", "sgid", lchown, "sgid", -1, gid(GROUP))
    r.op("chmod sgid 2777 again", "sgid", chmod, "sgid", 0o2777)
    r.op("chown own1 to user1", "own1", lchown, "own1", uid(USER1), gid(USER1))
    for t in TYPES:
        p = "open/root_" + t
        r.op("create " + p, p, make_node, t, p)
        if t != "lnk":
            r.op("chmod 6755 " + p, p, chmod, p, 0o6755)
            r.op("chown user1:group " + p, p, lchown, p, uid(USER1), gid(GROUP))
            r.op("chmod 0666 " + p, p, chmod, p, 0o666)
        else:
            r.op("lchown user1:group " + p, p, lchown, p, uid(USER1), gid(GROUP))
        if t != "lnk":
            r.op("utime now " + p, p, utime_now, p)
            r.op("utime set " + p, p, utime_set, p)
        r.op("link " + p, p, os.link, p, p + ".hard")
        moved = p if t == "dir" else p + ".hard"
        r.op("rename " + moved + " to sticky", "sticky/r_" + t, os.rename, moved, "sticky/r_" + t,
             parent="sticky", was=moved)
        if t == "dir":
            r.op("rename back", p, os.rename, "sticky/r_" + t, p, was="sticky/r_" + t)
        # A node of each type for the strangers' phase, owned by user1, writable by all.
        q = "sticky/u1_" + t
        r.op("create " + q, q, make_node, t, q)
        if t != "lnk":
            r.op("chmod 0666 " + q, q, chmod, q, 0o666 if t != "dir" else 0o777)
        r.op("chown user1 " + q, q, lchown, q, uid(USER1), gid(USER1))
        # Special and regular files in the setgid directory take its group.
        s = "sgid/root_" + t
        r.op("create " + s, s, make_node, t, s)
    # setuid/setgid files for the write and chmod rules of the user phases.
    for name, owner, group, mode in (("suid_u1", USER1, USER1, 0o6777),
                                     ("suid_root", "root", "root", 0o6777),
                                     ("sgid_noexec", USER1, USER1, 0o2666),
                                     ("grp_u2", USER1, USER2, 0o755),
                                     ("fifo_grp_u2", USER1, USER2, 0o755),
                                     ("root_644", "root", "root", 0o644),
                                     ("fifo_root_644", "root", "root", 0o644)):
        p = "open/" + name
        r.op("create " + p, p, make_node, "fifo" if name.startswith("fifo") else "reg", p)
        r.op("chown " + p, p, lchown, p, uid(owner), gid(group))
        r.op("chmod %o %s" % (mode, p), p, chmod, p, mode)
    r.op("name of 255 bytes", "open/" + "n" * 255, make_node, "reg", "open/" + "n" * 255)
    r.op("name of 256 bytes", "open/" + "n" * 256, make_node, "reg", "open/" + "n" * 256)
    r.op("symlink loop a", "open/loop_a", os.symlink, "loop_b", "open/loop_a")
    r.op("symlink loop b", "open/loop_b", os.symlink, "loop_a", "open/loop_b")
    r.op("open through a loop", "open/loop_a", os.open, "open/loop_a", os.O_RDONLY)
    r.op("O_NOFOLLOW on a symlink", "open/root_lnk", os.open, "open/root_lnk",
         os.O_RDONLY | os.O_NOFOLLOW)
    r.op("truncate past the largest file", "open/root_644", truncate, "open/root_644",
         EFBIG_SIZE)
    r.op("truncate a fifo", "open/fifo_root_644", truncate, "open/fifo_root_644", 0)


def phase_user1(r):
    os.umask(0o022)
    for d in ("open", "sticky", "own1"):
        for t in TYPES:
            p = "%s/mine_%s" % (d, t)
            r.op("create " + p, p, make_node, t, p)
            if t == "lnk":
                continue
            r.op("chmod 0751 " + p, p, chmod, p, 0o751)
            r.op("chgrp to my group " + p, p, lchown, p, -1, gid(GROUP))
            r.op("chgrp to a foreign group " + p, p, lchown, p, -1, gid(USER2))
            r.op("chown to user2 " + p, p, lchown, p, uid(USER2), -1)
            r.op("chown to myself " + p, p, lchown, p, uid(USER1), -1)
            r.op("chmod 2755 (my group) " + p, p, chmod, p, 0o2755)
            r.op("utime set " + p, p, utime_set, p)
            r.op("utime now " + p, p, utime_now, p)
    for t in TYPES:
        p = "open/root_" + t
        if os.path.lexists(p) and t != "lnk":
            r.op("utime now (owner) " + p, p, utime_now, p)
            r.op("chmod 2711 (group member) " + p, p, chmod, p, 0o2711)
    r.op("chmod 2755 (group not mine)", "open/grp_u2", chmod, "open/grp_u2", 0o2755)
    r.op("chmod 2755 fifo (group not mine)", "open/fifo_grp_u2", chmod, "open/fifo_grp_u2",
         0o2755)
    r.op("write to my 6777 file", "open/suid_u1", write_byte, "open/suid_u1")
    r.op("write to root's 6777 file", "open/suid_root", write_byte, "open/suid_root")
    r.op("write to my 2666 file", "open/sgid_noexec", write_byte, "open/sgid_noexec")
    r.op("utime now on root's 644 file", "open/root_644", utime_now, "open/root_644")
    r.op("utime set on root's 644 file", "open/root_644", utime_set, "open/root_644")
    r.op("utime now on root's 644 fifo", "open/fifo_root_644", utime_now, "open/fifo_root_644")
    r.op("chmod root's fifo", "open/fifo_root_644", chmod, "open/fifo_root_644", 0o777)
    r.op("mknod chr as a user", "own1/chr", make_node, "chr", "own1/chr")
    r.op("create 2755 in sgid dir (member)", "sgid/u1_2755", create_with_mode, "sgid/u1_2755",
         0o2755)
    r.op("mkdir in sgid dir", "sgid/u1_dir", os.mkdir, "sgid/u1_dir", 0o755)
    r.op("mkfifo in sgid/u1_dir", "sgid/u1_dir/fifo", os.mkfifo, "sgid/u1_dir/fifo", 0o640)
    r.op("truncate past the largest file", "open/suid_u1", truncate, "open/suid_u1", EFBIG_SIZE)
    r.op("truncate my 6777 file", "open/suid_u1", truncate, "open/suid_u1", 0)
    r.op("rename root's file in sticky", "sticky/r_reg", os.rename, "sticky/r_reg",
         "sticky/r_reg2")
    r.op("unlink root's fifo in sticky", "sticky/r_fifo", os.unlink, "sticky/r_fifo")
    r.op("unlink my fifo in sticky", "sticky/u1_fifo", os.unlink, "sticky/u1_fifo")


def phase_user2(r):
    os.umask(0o022)
    for t in TYPES:
        p = "sticky/u1_" + t
        if t != "lnk":
            r.op("utime now (writable) " + p, p, utime_now, p)
            r.op("utime set (not owner) " + p, p, utime_set, p)
            r.op("chmod (not owner) " + p, p, chmod, p, 0o777)
            r.op("chown (not owner) " + p, p, lchown, p, uid(USER2), -1)
        r.op("chgrp (not owner) " + p, p, lchown, p, -1, gid(USER2))
        r.op("link (not owner) " + p, p, os.link, p, "open/u2_link_" + t, parent="open")
        r.op("rename in sticky (not owner) " + p, p, os.rename, p, p + ".moved")
        mine = "sticky/u2_" + t
        r.op("create " + mine, mine, make_node, t, mine)
        r.op("rename mine over user1's " + p, p, os.rename, mine, p)
        r.op("rename mine to a free name", mine + ".renamed", os.rename, mine, mine + ".renamed",
             was=mine)
        if t == "dir":
            r.op("rmdir in sticky (not owner) " + p, p, os.rmdir, p)
        else:
            r.op("unlink in sticky (not owner) " + p, p, os.unlink, p)
        q = "open/mine_" + t
        if t == "dir":
            r.op("rmdir in open dir (not owner) " + q, q, os.rmdir, q)
        else:
            r.op("unlink in open dir (not owner) " + q, q, os.unlink, q)
        o = "own1/mine_" + t
        r.op("unlink in user1's 755 dir " + o, o, os.unlink if t != "dir" else os.rmdir, o)
    r.op("write to user1's 6777 file", "open/suid_u1", write_byte, "open/suid_u1")
    r.op("mkfifo in sgid dir", "sgid/u2_fifo", make_node, "fifo", "sgid/u2_fifo")
    r.op("mkdir in sgid dir", "sgid/u2_dir", make_node, "dir", "sgid/u2_dir")
    r.op("create in sgid dir", "sgid/u2_reg", make_node, "reg", "sgid/u2_reg")
    r.op("create 2755 in sgid dir (not member)", "sgid/u2_2755", create_with_mode,
         "sgid/u2_2755", 0o2755)
    r.op("mkdir 2755 (sgid ignored by mkdir)", "open/u2_dir2755", os.mkdir, "open/u2_dir2755",
         0o2755)


def phase_root(r):
    for t in TYPES:
        p = "sticky/u1_" + t
        if os.path.lexists(p) and t != "lnk":
            r.op("chmod 4755 as root " + p, p, chmod, p, 0o4755)
            r.op("chown as root " + p, p, lchown, p, uid(USER2), gid(USER2))
            r.op("utime set as root " + p, p, utime_set, p)
        if os.path.lexists(p):
            r.op("rename as root in sticky " + p, p + ".root", os.rename, p, p + ".root", was=p)
    for t in ("chr", "blk", "fifo", "sock"):
        p = "sgid/root_" + t
        r.op("link " + p, p, os.link, p, p + ".2")
        r.op("rename over a file " + p, "sgid/root_reg", os.rename, p + ".2", "sgid/root_reg")
        r.op("unlink " + p, p, os.unlink, p)
    for t in ("fifo", "chr", "sock", "reg"):
        p = "open/root_" + t
        r.op("unlink " + p, p, os.unlink, p)


def phase_list(r):
    for dirpath, dirnames, filenames in sorted(os.walk(".")):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            if name.startswith(".probe") or name == "lost+found" or name == ".reel":
                continue
            p = os.path.join(dirpath, name)[2:]
            print("%-52s %s" % (p, describe(p)))
            if os.path.islink(p):
                print("%-52s -> %s" % ("", os.readlink(p)))


PHASES = {"setup": phase_setup, "user1": phase_user1, "user2": phase_user2, "root": phase_root,
          "list": phase_list}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[2] not in PHASES:
        sys.exit(__doc__)
    PHASES[sys.argv[2]](Runner(sys.argv[1]))
