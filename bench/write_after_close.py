#!/usr/bin/env python3
"""Latency of a small write right after a big file was written and closed (bench/run_all.sh).

  write_after_close.py FILE --mib M --tries N [--between CMD] [--fresh]

Each try writes FILE (M MiB, 1 MiB blocks, O_TRUNC), closes it, then at once times
open(O_WRONLY) + pwrite of 4 KiB in the middle of the file + close: on a ReelDrive mount the
commit of the big version is running at that moment. CMD (a command line, e.g. `reel sync MNT`
or `sync`) runs after each try, outside the timing, so every try starts with nothing pending; its
run time is reported too (a few seconds through the mount: the commit was indeed running).

Bytes: one random 16 MiB pattern repeated. The first try writes every 1 MiB block with a stamp
(try, block) every 64 KiB, so the whole file is new data (no chunk deduplicates); later tries
rewrite it with only the first block's stamps changed, so each try makes a new version whose
commit re-chunks and hashes the whole file but stores one new chunk. --fresh stamps every block
on every try: every commit stores the whole file (needs N x M MiB free in the drive's store).

Prints one line of JSON: per-try latencies in ms, p50, p99, max, the big write's seconds and the
CMD seconds per try.
"""
import argparse
import json
import os
import shlex
import statistics
import struct
import subprocess
import sys
import time

BLOCK = 1 << 20
STAMP_EVERY = 64 << 10
SMALL = 4096


def stamped(pattern, try_no, block_no):
    buf = bytearray(pattern[(block_no % 16) * BLOCK:(block_no % 16 + 1) * BLOCK])
    for off in range(0, BLOCK, STAMP_EVERY):
        struct.pack_into("<QQQ", buf, off, try_no, block_no, off)
    return buf


def write_big(path, mib, try_no, fresh, pattern):
    t0 = time.monotonic()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        for b in range(mib):
            data = stamped(pattern, try_no if fresh or b == 0 else 0, b)
            if os.write(fd, data) != BLOCK:
                raise OSError(f"short write at block {b} of {path}")
    finally:
        os.close(fd)
    return time.monotonic() - t0


def small_write(path, offset, data):
    t0 = time.monotonic()
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        if os.pwrite(fd, data, offset) != len(data):
            raise OSError(f"short 4 KiB write to {path}")
    finally:
        os.close(fd)
    return time.monotonic() - t0


def percentile(values, q):
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--mib", type=int, default=2048)
    ap.add_argument("--tries", type=int, default=20)
    ap.add_argument("--between", default="", help="command run after each try (not timed)")
    ap.add_argument("--fresh", action="store_true", help="new bytes in every block on every try")
    a = ap.parse_args()
    if a.mib < 1 or a.tries < 1:
        ap.error("--mib and --tries must be positive")
    pattern = os.urandom(16 * BLOCK)
    small = os.urandom(SMALL)
    offset = (a.mib * BLOCK // 2) // SMALL * SMALL
    lat, big, between = [], [], []
    for t in range(a.tries):
        big.append(write_big(a.file, a.mib, t, a.fresh, pattern))
        lat.append(small_write(a.file, offset, small) * 1e3)
        if a.between:
            t0 = time.monotonic()
            subprocess.run(shlex.split(a.between), check=True, stdout=subprocess.DEVNULL)
            between.append(time.monotonic() - t0)
    print(json.dumps({
        "tries": a.tries, "mib": a.mib, "fresh": a.fresh,
        "p50_ms": round(percentile(lat, 50), 3), "p99_ms": round(percentile(lat, 99), 3),
        "max_ms": round(max(lat), 3), "latencies_ms": [round(x, 3) for x in lat],
        "big_write_seconds": [round(x, 3) for x in big],
        "between_seconds": [round(x, 3) for x in between],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
