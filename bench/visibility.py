#!/usr/bin/env python3
"""How long a change made on one mount takes to show on the others (bench/team_feed_bench.sh).

  visibility.py WRITER_MNT REEL WRITER_ENV_JSON TRIALS OBSERVER_MNT...

For each trial, on the writer's mount:
  create   a new empty file; the clock starts when its close() returns;
  publish  a new version of one file (a new size each time) and `reel publish`; the clock starts
           when the publish is acknowledged;
  save     a new version of another file, closed and not published (in a workspace with
           share = on-close, which publishes every save once its upload is done); the clock
           starts when close() returns;
(the kinds in $VIS_KINDS, comma-separated; create,publish by default)
then every observer's mount is stat()ed in turn until it shows the change (the new name, the new
size), for up to 10 s. Prints one JSON object: per kind, the latencies (ms) of every observer and
trial, and how many never showed.
"""
import json
import os
import subprocess
import sys
import time

TIMEOUT = 10.0


def wait_all(observers, seen):
    """Latencies (s) from now until seen(mount) is true, per observer; None when never."""
    start = time.monotonic()
    pending = dict.fromkeys(observers)
    out = {}
    while pending and time.monotonic() - start < TIMEOUT:
        for m in list(pending):
            if seen(m):
                out[m] = time.monotonic() - start
                del pending[m]
    for m in pending:
        out[m] = None
    return out


def main():
    writer, reel, env_json, trials = sys.argv[1:5]
    observers = sys.argv[5:]
    env = dict(os.environ, **json.loads(env_json))
    kinds = os.environ.get("VIS_KINDS", "create,publish").split(",")
    results = {k: [] for k in kinds}
    missed = {k: 0 for k in kinds}

    def record(kind, latencies):
        for v in latencies.values():
            if v is None:
                missed[kind] += 1
            else:
                results[kind].append(v * 1000)

    def has_size(name, size):
        def seen(m):
            try:
                return os.stat(os.path.join(m, name)).st_size == size
            except FileNotFoundError:
                return False
        return seen

    name, take = "clip.bin", "take.bin"
    for first in (name, take):
        with open(os.path.join(writer, first), "wb") as f:
            f.write(b"\0")
        subprocess.run([reel, "publish", os.path.join(writer, first)], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        wait_all(observers, has_size(first, 1))
    for i in range(int(trials)):
        if "create" in kinds:
            fresh = f"c{i}.txt"
            open(os.path.join(writer, fresh), "w").close()
            record("create", wait_all(observers, lambda m: os.path.exists(os.path.join(m, fresh))))
        size = 4096 + i + 1
        if "publish" in kinds:
            with open(os.path.join(writer, name), "wb") as f:
                f.write(os.urandom(size))
            subprocess.run([reel, "publish", os.path.join(writer, name)], check=True, env=env,
                           stdout=subprocess.DEVNULL)
            record("publish", wait_all(observers, has_size(name, size)))
        if "save" in kinds:
            with open(os.path.join(writer, take), "wb") as f:
                f.write(os.urandom(size))
            record("save", wait_all(observers, has_size(take, size)))
    print(json.dumps({"latencies_ms": results, "missed": missed}))


if __name__ == "__main__":
    main()
