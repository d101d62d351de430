#!/usr/bin/env python3
"""Helpers of bench/tiers_bench.sh (not run on its own).

  tiers_bench.py reader SOCKET OUT           copy the gateway's ops log (a unix socket) to OUT
  tiers_bench.py ops OUT MARK BUCKET [KEY]   summary of the ops logged after line MARK (JSON)
  tiers_bench.py wait-upload OUT MARK BUCKET KEY TIMEOUT   wait for a completed upload of KEY
  tiers_bench.py randread FILE N SEED        N random 4 KiB preads, latency stats (JSON)
  tiers_bench.py sample-dir DIR STOPFILE OUT max bytes of files under DIR until STOPFILE exists
  tiers_bench.py sample-fuse FILE STOPFILE OUT   max/mean of a /sys/fs/fuse .../waiting counter
  tiers_bench.py report RESULTS              the markdown report
"""
import json
import os
import random
import socket
import statistics
import sys
import time


def ops_entries(path, mark):
    out = []
    with open(path, "rb") as f:
        lines = f.read().decode("utf-8", "replace").split("\n")
    for line in lines[mark:]:
        line = line.strip().lstrip("[").rstrip(",").rstrip("]").strip()
        if not line.startswith("{"):
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            pass  # a line still being written
    return out


def cmd_reader(sock_path, out):
    for _ in range(100):
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(sock_path)
            break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit(f"cannot connect to {sock_path}")
    with open(out, "ab") as f:
        while True:
            d = s.recv(1 << 16)
            if not d:
                return
            f.write(d)
            f.flush()


def key_of(e):
    # "GET /bucket/key?x=y HTTP/1.1" -> "key"
    uri = e.get("uri", "").split(" ")
    path = uri[1] if len(uri) > 1 else ""
    path = path.split("?")[0]
    parts = path.split("/", 2)
    return parts[2] if len(parts) > 2 else ""


def cmd_ops(out, mark, bucket, key=None):
    es = [e for e in ops_entries(out, int(mark)) if e.get("bucket") == bucket]
    if key:
        es = [e for e in es if key_of(e) == key]
    by_op = {}
    for e in es:
        by_op[e["operation"]] = by_op.get(e["operation"], 0) + 1
    gets = [e for e in es if e["operation"] == "get_obj"]
    puts = [e for e in es if e["operation"] == "put_obj"]
    completes = [e for e in es if e["operation"] in ("complete_multipart", "complete_multipart_upload")]
    res = {
        "ops": by_op,
        "bytes_received": sum(e.get("bytes_received", 0) for e in es),
        "bytes_sent": sum(e.get("bytes_sent", 0) for e in es),
        "gets": len(gets),
        "get_bytes": sum(e.get("bytes_sent", 0) for e in gets),
        "puts": len(puts),
        "put_bytes": sum(e.get("bytes_received", 0) for e in puts),
        # Bytes the gateway wrote as new objects (a multipart upload's parts may be copies).
        "copy_parts": sum(1 for e in puts if "uploadId" in e.get("uri", "") and e.get("bytes_received", 0) == 0),
        "objects_written_bytes": sum(e.get("object_size", 0) for e in completes)
        + sum(e.get("bytes_received", 0) for e in puts if "uploadId" not in e.get("uri", "")),
    }
    for name, sel, field in (("get", gets, "bytes_sent"), ("put", puts, "bytes_received")):
        if not sel:
            continue
        sizes = sorted(e.get(field, 0) for e in sel)
        ms = [e.get("total_time", 0) for e in sel]
        res[f"{name}_size_mean"] = statistics.mean(sizes)
        res[f"{name}_size_p50"] = sizes[len(sizes) // 2]
        res[f"{name}_size_max"] = sizes[-1]
        res[f"{name}_ms_mean"] = statistics.mean(ms)
        # Concurrency: requests overlapping in time (start = logged time, end = + total_time).
        ev = []
        for e in sel:
            hms = e["time"].split("T")[1].rstrip("Z")  # "2026-11-22T10:53:18.616431Z"
            h, m, sec = hms.split(":")
            start = int(h) * 3600 + int(m) * 60 + float(sec)
            ev.append((start, 1))
            ev.append((start + e.get("total_time", 0) / 1000.0, -1))
        ev.sort(key=lambda x: (x[0], x[1]))
        cur = peak = 0
        for _, d in ev:
            cur += d
            peak = max(peak, cur)
        span = max(x[0] for x in ev) - min(x[0] for x in ev)
        res[f"{name}_concurrency_max"] = peak
        res[f"{name}_concurrency_mean"] = (sum(ms) / 1000.0 / span) if span > 0 else 1.0
        res[f"{name}_span_s"] = span
    print(json.dumps(res))


def cmd_wait_upload(out, mark, bucket, key, timeout):
    deadline = time.time() + float(timeout)
    while time.time() < deadline:
        for e in ops_entries(out, int(mark)):
            if e.get("bucket") != bucket or key_of(e) != key or not e.get("http_status", "").startswith("2"):
                continue
            op, uri = e.get("operation"), e.get("uri", "")
            if op.startswith("complete_multipart") or (op == "put_obj" and "uploadId" not in uri):
                print(f"{time.time():.3f}")
                return
        time.sleep(0.05)
    sys.exit(f"no completed upload of {bucket}/{key} within {timeout} s")


def cmd_randread(path, n, seed):
    n = int(n)
    rng = random.Random(int(seed))
    size = os.stat(path).st_size
    blocks = size // 4096
    offs = [rng.randrange(blocks) * 4096 for _ in range(n)]
    fd = os.open(path, os.O_RDONLY)
    lat = []
    t0 = time.perf_counter()
    for off in offs:
        a = time.perf_counter()
        got = os.pread(fd, 4096, off)
        lat.append((time.perf_counter() - a) * 1000.0)
        if len(got) != 4096:
            sys.exit(f"short read at {off}")
    total = time.perf_counter() - t0
    os.close(fd)
    lat.sort()
    print(json.dumps({
        "n": n, "seconds": total, "mean_ms": statistics.mean(lat), "p50_ms": lat[len(lat) // 2],
        "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))], "max_ms": lat[-1],
    }))


def coexisting_bytes(d):
    # A walk is not atomic: with files deleted behind it and created ahead of it, its sum can
    # exceed what was ever on disk at once. Re-stat what the walk found and count only files
    # still there, so every byte counted was present at the end of the walk.
    found = []
    for root, _, files in os.walk(d):
        found.extend(os.path.join(root, f) for f in files)
    total = 0
    for path in found:
        try:
            total += os.stat(path).st_size
        except FileNotFoundError:
            pass
    return total


def cmd_sample_dir(d, stop, out):
    peak = 0
    while not os.path.exists(stop):
        peak = max(peak, coexisting_bytes(d))
        time.sleep(0.25)
    peak = max(peak, coexisting_bytes(d))
    open(out, "w").write(str(peak))


def cmd_sample_fuse(f, stop, out):
    vals = []
    while not os.path.exists(stop):
        try:
            vals.append(int(open(f).read().strip()))
        except OSError:
            pass
        time.sleep(0.01)
    busy = [v for v in vals if v > 0]
    open(out, "w").write(json.dumps({
        "samples": len(vals), "max": max(vals) if vals else 0,
        "mean_when_busy": statistics.mean(busy) if busy else 0,
    }))


# ------------------------------------------------------------------------------------ report
def cmd_report(path):
    R = {}
    for line in open(path):
        k, _, v = line.rstrip("\n").partition("=")
        R.setdefault(k, []).append(v)
    one = lambda k: R[k][-1] if k in R else None
    nums = lambda k: [float(x) for x in R.get(k, []) if x not in ("", "-")]

    def med(k):
        v = nums(k)
        return statistics.median(v) if v else None

    def spread(k, fmt=",.0f"):
        v = nums(k)
        return "" if len(v) < 2 else f" ({min(v):{fmt}}-{max(v):{fmt}})"

    def f(k, fmt=",.0f"):
        m = med(k)
        return "-" if m is None else f"{m:{fmt}}{spread(k, fmt)}"

    def met(ok):
        return "-" if ok is None else ("**met**" if ok else "**NOT met**")

    MiB = 1048576
    big, edit = int(one("big_mib")), int(one("edit_mib"))
    out = []
    p = out.append
    p(f"# ReelDrive tiers benchmark {one('date')}\n")
    p(f"- machine: {one('machine')}; work dir: {one('filesystem')}")
    p(f"- code: {one('git')}; binary: `{one('reel')}`")
    p(f"- gateway: {one('ceph')}, bluestore, 1 OSD, on 127.0.0.1; peers: {one('peers')}")
    p(f"- ReelDrive chunking: {one('chunking')}; transfer threads {one('transfer_threads')}")
    p(f"- mode: {'--quick' if one('quick') == '1' else 'full'}; repetitions of rows 1, 2 and the listing: {one('reps')} (median, range in brackets)")
    p(f"- load average at start / end: {one('load_start')} / {one('load_end')}")
    if one("can_drop") != "1":
        p("- WARNING: page cache could not be dropped (not root): 'cold' rows are not cold")
    p("")
    rows, crit = [], []

    def ratio(a, b):
        return None if a is None or not b else a / b

    # Row 1
    r, s, c, w = med("read_reel"), med("read_s3fs"), med("read_rclone"), med("read_raw")
    rs, rc, rw = ratio(r, s), ratio(r, c), ratio(r, w)
    if r is not None:
        rows.append((f"1. Cold sequential read, {big} MiB file, 1 MiB blocks (MB/s)", f("read_reel"), f("read_s3fs"), f("read_rclone"), f("read_raw"),
                     f"{rs:.2f}x s3fs, {rc:.2f}x rclone, {rw * 100:.0f}% of raw" if None not in (rs, rc, rw) else "-",
                     ">= 1.5x s3fs, >= 2x rclone, >= 60% raw",
                     met(None if None in (rs, rc, rw) else (rs >= 1.5 and rc >= 2 and rw >= 0.6))))
        if rs is not None:
            crit.append(("cold read >= 1.5x s3fs", rs >= 1.5, f"{rs:.2f}x"))
        if rc is not None:
            crit.append(("cold read >= 2x rclone", rc >= 2, f"{rc:.2f}x"))
        if rw is not None:
            crit.append(("cold read >= 60% of raw parallel GET", rw >= 0.6, f"{rw * 100:.0f}%"))
        rows.append(("   GETs to the gateway during one read: count / mean size (MiB) / max in flight",
                     f"{one('read_reel_gets')} / {float(one('read_reel_get_mib')):.2f} / {one('read_reel_get_conc')}",
                     f"{one('read_s3fs_gets')} / {float(one('read_s3fs_get_mib')):.2f} / {one('read_s3fs_get_conc')}",
                     f"{one('read_rclone_gets')} / {float(one('read_rclone_get_mib')):.2f} / {one('read_rclone_get_conc')}",
                     f"{one('read_raw_gets')} / {float(one('read_raw_get_mib')):.2f} / {one('read_raw_get_conc')}", "", "", ""))
    # Row 2
    pe, pp, s, c, w = med("pub_reel_total"), med("pub_reel_publish"), med("write_s3fs"), med("write_rclone"), med("put_raw")
    if pe is not None:
        r1, r2 = ratio(pe, s), ratio(pp, s)
        rows.append((f"2. Fresh {big} MiB file to the cloud: cp .. upload done (MB/s)", f"{f('pub_reel_total')}", f("write_s3fs"), f("write_rclone"), f("put_raw"),
                     f"{r1:.2f}x s3fs" if r1 else "-", ">= 1x s3fs write", met(None if r1 is None else r1 >= 1)))
        rows.append(("   reel: cp / `reel sync` / `reel publish` alone (s); publish alone (MB/s)",
                     f"{f('pub_reel_cp_s', '.1f')} / {f('pub_reel_sync_s', '.1f')} / {f('pub_reel_publish_s', '.1f')}; {f('pub_reel_publish')}",
                     "", "", "", f"publish alone {r2:.2f}x s3fs" if r2 else "", "", ""))
        if "pub_reel_puts" in R:
            rows.append(("   reel publish: PUTs / mean size (MiB) / max (mean) in flight / mean PUT time on the gateway (ms)",
                         f"{f('pub_reel_puts')} / {f('pub_reel_put_mib', '.2f')} / {f('pub_reel_put_conc')} ({f('pub_reel_put_conc_mean', '.1f')}) / {f('pub_reel_put_ms', '.1f')}",
                         "", "", "", "", "", ""))
        if r1 is not None:
            crit.append(("publish (cp through publish returning) >= s3fs write", r1 >= 1, f"{r1:.2f}x"))
    # Row 3
    if "edit_reel_bytes" in R:
        ch = int(one("edit_reel_chunks"))
        rows.append((f"3. 1 MiB edit in a {edit} MiB published file, re-upload: bytes sent to the gateway (MiB)",
                     f"{int(one('edit_reel_gw_rx')) / MiB:,.2f} ({ch} chunk(s); transfers: {int(one('edit_reel_bytes')) / MiB:,.2f} MiB)",
                     f"{int(one('edit_s3fs_gw_rx')) / MiB:,.2f}", f"{int(one('edit_rclone_gw_rx')) / MiB:,.2f}", "-",
                     f"{int(one('edit_reel_gw_rx')) / max(1, int(one('edit_s3fs_gw_rx'))) * 100:.1f}% of s3fs, "
                     f"{int(one('edit_reel_gw_rx')) / max(1, int(one('edit_rclone_gw_rx'))) * 100:.1f}% of rclone",
                     "reel <= 2 chunks", met(ch <= 2)))
        rows.append(("   bytes read back from the gateway (MiB); requests",
                     *[f"{int(one(f'edit_{s}_gw_tx')) / MiB:,.2f}; {one(f'edit_{s}_ops')}".replace("'", "") for s in ("reel", "s3fs", "rclone")],
                     "-", "", "", ""))
        rows.append(("   time: edit .. upload done (s)", f"{float(one('edit_reel_s')):.2f}", f"{float(one('edit_s3fs_s')):.2f}",
                     f"{float(one('edit_rclone_s')):.2f}", "-", "", "", ""))
        crit.append(("re-publish after a 1 MiB edit <= 2 chunks", ch <= 2, f"{ch} chunk(s), {int(one('edit_reel_bytes')) / MiB:.2f} MiB"))
    # Row 4
    if "rand_reel" in R:
        def rr(side):
            j = json.loads(one(f"rand_{side}"))
            return j
        js = {s: rr(s) for s in ("reel", "s3fs", "rclone") if f"rand_{s}" in R}
        n = js["reel"]["n"]
        rows.append((f"4. {n} random 4 KiB reads, cold {big} MiB file: latency mean / p50 / p99 (ms)",
                     *[f"{js[s]['mean_ms']:.1f} / {js[s]['p50_ms']:.1f} / {js[s]['p99_ms']:.1f}" if s in js else "-" for s in ("reel", "s3fs", "rclone")],
                     "-", "", "", ""))
        rows.append(("   bytes fetched from the gateway (MiB) / GETs",
                     *[f"{int(one(f'rand_{s}_gw_tx')) / MiB:,.1f} / {one(f'rand_{s}_gets')}" if s in js else "-" for s in ("reel", "s3fs", "rclone")],
                     "-", "", "", ""))
        rows.append(("   reel: local cache after the reads (MiB of chunk files)", f"{int(one('rand_reel_cache')) / MiB:,.1f}", "-", "-", "-", "", "", ""))
    # Listing and cache
    if "list_reel_s" in R:
        m = med("list_reel_s")
        rows.append((f"New machine: `ls -l` of a {int(one('list_n')):,}-file directory, nothing cached (s)", f("list_reel_s", ".3f"), "-", "-", "-", "", "< 2 s", met(m < 2)))
        crit.append((f"new-machine listing of {int(one('list_n')):,} files < 2 s", m < 2, f"{m:.3f} s"))
    if "cache_peak" in R:
        lim, peak, end = int(one("cache_limit")), int(one("cache_peak")), int(one("cache_end"))
        ok = peak <= lim
        rows.append((f"New machine, cache limit {lim / MiB:,.0f} MiB, reading {big} MiB: peak / final chunk bytes in the cache (MiB)",
                     f"{peak / MiB:,.1f} / {end / MiB:,.1f} ({one('cache_read_mbps')} MB/s, content {one('cache_content')})", "-", "-", "-", "", "<= limit", met(ok)))
        crit.append(("cache stays under its limit while reading 3x its size", ok, f"peak {peak / MiB:,.1f} MiB of {lim / MiB:,.0f} MiB"))

    p("| Row | ReelDrive | s3fs | rclone | raw curl | Ratio | Target | Met? |")
    p("|---|---:|---:|---:|---:|---|---|---|")
    for row in rows:
        p("| " + " | ".join(str(x) for x in row) + " |")
    p("")
    p("## Targets\n")
    for what, ok, val in crit:
        p(f"- {what}: {val} — {'met' if ok else 'NOT met'}")
    p("")
    if "fuse_read" in R:
        p("## Where the time goes in the ReelDrive cold read\n")
        j = json.loads(one("fuse_read"))
        p(f"- FUSE requests waiting in the kernel for the daemon during the read (sampled every 10 ms): max {j['max']}, mean while busy {j['mean_when_busy']:.1f}")
        for k in ("reel", "s3fs", "rclone", "raw"):
            if f"read_{k}_ops" in R:
                p(f"- {k}: gateway ops during the read: {one(f'read_{k}_ops')}")
        p("")
    if "read_reel_ra" in R:
        p("## Diagnosis: the ReelDrive cold read with one cause removed at a time (first repetition)\n")
        p(f"Kernel readahead of the mount as mounted: {one('read_ahead_kb_default')} KiB; FUSE max_background: {one('fuse_max_background')}.\n")
        p("| Variant | MB/s | GETs | mean GET size (MiB) | max GETs in flight | mean GET time (ms) |")
        p("|---|---:|---:|---:|---:|---:|")
        for k, label in (("reel", "as shipped (drive on disk, readahead as mounted)"),
                         ("reel_ra", "readahead raised to 16 MiB (sysfs, after mount)"),
                         ("reel_tmpfs", "drive (local cache) on tmpfs: fsync free"),
                         ("reel_both", "both")):
            vals = R.get(f"read_{k}")
            if not vals:
                continue
            v = vals[0]
            p(f"| {label} | {float(v):,.0f} | {R[f'read_{k}_gets'][0]} | {float(R[f'read_{k}_get_mib'][0]):.2f} | {R[f'read_{k}_get_conc'][0]} | {float(R[f'read_{k}_get_ms'][0]):.1f} |")
        p("")
    p("## Raw values\n")
    p("```")
    for k, v in R.items():
        p(f"{k} = {', '.join(v)}")
    p("```")
    print("\n".join(out))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"reader": cmd_reader, "ops": cmd_ops, "wait-upload": cmd_wait_upload, "randread": cmd_randread,
     "sample-dir": cmd_sample_dir, "sample-fuse": cmd_sample_fuse, "report": cmd_report}[cmd](*args)
