#!/usr/bin/env python3
"""Two processes, two handles each, writing the same files in a seeded interleaving.

    two_writers.py DIR SEED STEPS [--reel REEL]  > log

Runs STEPS operations drawn from SEED in DIR: pwrite, ftruncate, fsync, close, open (some with
O_APPEND or O_TRUNC), pread and rename, each done by one of two child processes, one at a time:
the parent sends a step over a pipe and waits for its answer, so the order is the same on every
run. With --reel, commits run too (`reel save FILE` and `reel sync`, started in the background
so they overlap the next steps); on a local directory, the oracle, they do nothing. Prints one
line per step (its result: bytes read as a hash, or the errno) and then every file's size and
hash, so the logs of a run on the mount and on the local disk must be identical.
"""
import argparse
import errno
import hashlib
import json
import os
import random
import subprocess
import sys

NAMES = ["f", "g"]
SLOTS = 2
MAX_OFFSET = 3 << 20
MAX_WRITE = 256 << 10


def payload(seed, step, size):
    """Deterministic bytes for a write: the same on every run."""
    out = bytearray()
    block = hashlib.sha256(f"{seed}:{step}".encode()).digest()
    while len(out) < size:
        out += block
        block = hashlib.sha256(block).digest()
    return bytes(out[:size])


def child(root, commands, answers):
    """Runs steps from `commands` in `root`; one JSON answer line per step."""
    fds = [None] * SLOTS
    for line in commands:
        step = json.loads(line)
        op, slot = step["op"], step.get("slot", 0)
        try:
            result = run_step(root, fds, op, slot, step)
        except OSError as e:
            result = "errno " + errno.errorcode.get(e.errno, str(e.errno))
        answers.write(json.dumps(result) + "\n")
        answers.flush()
    for fd in fds:
        if fd is not None:
            os.close(fd)


def run_step(root, fds, op, slot, step):
    fd = fds[slot]
    if op == "open":
        if fd is not None:
            os.close(fd)
            fds[slot] = None
        fds[slot] = os.open(os.path.join(root, step["name"]), step["flags"], 0o644)
        return "opened"
    if fd is None:
        return "no handle"
    if op == "pwrite":
        return os.pwrite(fd, payload(step["seed"], step["n"], step["size"]), step["offset"])
    if op == "pread":
        return hashlib.sha256(os.pread(fd, step["size"], step["offset"])).hexdigest()[:16]
    if op == "ftruncate":
        os.ftruncate(fd, step["size"])
        return "truncated"
    if op == "fsync":
        os.fsync(fd)
        return "synced"
    if op == "fstat":
        return os.fstat(fd).st_size
    if op == "close":
        fds[slot] = None
        os.close(fd)
        return "closed"
    raise ValueError(op)


def make_step(rng, seed, n):
    kind = rng.choices(
        ["pwrite", "pread", "ftruncate", "fsync", "fstat", "close", "open", "rename", "commit"],
        weights=[30, 10, 6, 6, 4, 6, 10, 5, 6])[0]
    step = {"op": kind, "who": rng.randrange(2), "slot": rng.randrange(SLOTS), "n": n}
    if kind == "open":
        flags = os.O_RDWR | os.O_CREAT
        extra = rng.random()
        if extra < 0.15:
            flags |= os.O_APPEND
        elif extra < 0.25:
            flags |= os.O_TRUNC
        step.update(name=rng.choice(NAMES), flags=flags)
    elif kind == "pwrite":
        step.update(seed=seed, offset=rng.randrange(MAX_OFFSET), size=rng.randrange(1, MAX_WRITE))
    elif kind == "pread":
        step.update(offset=rng.randrange(MAX_OFFSET), size=rng.randrange(1, MAX_WRITE))
    elif kind == "ftruncate":
        step.update(size=rng.randrange(MAX_OFFSET))
    elif kind == "rename":
        step.update(src=rng.choice(NAMES), dst=rng.choice(NAMES + ["h"]))
    elif kind == "commit":
        step.update(how=rng.choice(["save", "sync"]), name=rng.choice(NAMES))
    return step


class Commits:
    """Background `reel save`/`reel sync` runs: at most one at a time, overlapping the steps."""

    def __init__(self, reel, root):
        self.reel, self.root, self.running = reel, root, None

    def start(self, step):
        self.wait()
        if self.reel is None:
            return "commit"
        path = os.path.join(self.root, step["name"])
        if step["how"] == "save":
            cmd = [self.reel, "save", path, "-m", f"step {step['n']}"]
        else:
            cmd = [self.reel, "sync", self.root]
        self.running = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return "commit"

    def wait(self):
        """A save of a file that is not there (renamed away) may fail; nothing else may."""
        if self.running is None:
            return
        _, err = self.running.communicate()
        gone = any(m in err.lower() for m in (b"no such file", b"no entry", b"not found"))
        if self.running.returncode != 0 and not gone:
            sys.exit(f"commit failed: {' '.join(self.running.args)}: {err.decode()}")
        self.running = None


def rename(root, step):
    try:
        os.rename(os.path.join(root, step["src"]), os.path.join(root, step["dst"]))
        if step["dst"] == "h":  # keep the names in play: move it back under the source name
            os.rename(os.path.join(root, "h"), os.path.join(root, step["src"]))
        return "renamed"
    except OSError as e:
        return "errno " + errno.errorcode.get(e.errno, str(e.errno))


def spawn(root, parent_ends):
    """Forks a child running steps; `parent_ends` holds the parent's ends of earlier children's
    pipes, which the child closes so those children see EOF when the parent closes them."""
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        for fd in parent_ends + [to_child_w, from_child_r]:
            os.close(fd)
        child(root, os.fdopen(to_child_r), os.fdopen(from_child_w, "w"))
        os._exit(0)
    os.close(to_child_r)
    os.close(from_child_w)
    parent_ends += [to_child_w, from_child_r]
    return pid, os.fdopen(to_child_w, "w"), os.fdopen(from_child_r)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("seed", type=int)
    ap.add_argument("steps", type=int)
    ap.add_argument("--reel")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    parent_ends = []
    children = [spawn(args.root, parent_ends) for _ in range(2)]
    commits = Commits(args.reel, args.root)
    for n in range(args.steps):
        step = make_step(rng, args.seed, n)
        if step["op"] == "commit":
            result = commits.start(step)
        elif step["op"] == "rename":
            result = rename(args.root, step)
        else:
            _, to_child, from_child = children[step["who"]]
            to_child.write(json.dumps(step) + "\n")
            to_child.flush()
            result = json.loads(from_child.readline())
        print(n, step["who"], step["op"], json.dumps(result))
    for pid, to_child, _ in children:
        to_child.close()
        os.waitpid(pid, 0)
    commits.wait()
    for name in sorted(os.listdir(args.root)):
        if name.startswith("."):
            continue
        data = open(os.path.join(args.root, name), "rb").read()
        print("final", name, len(data), hashlib.sha256(data).hexdigest())


if __name__ == "__main__":
    main()
