#!/usr/bin/env bash
# A mount's Prometheus metrics (`reel mount --metrics HOST:PORT`): every FUSE operation timed by
# name, the engine's counters and the cache scraped from GET /metrics while files are made and
# read, checked against what the test did; a bad address is refused before anything is mounted.
source "$(dirname "$0")/lib.sh" "$1"
init_drive
port=$(free_port)

# A bad address: refused by the command line, nothing mounted.
if "$REEL" mount "$MNT" --drive "$DRIVE" --background --metrics "nowhere" 2>"$WORK/err"; then
  echo "a mount with --metrics nowhere was accepted" >&2; exit 1
fi
grep -q "metrics" "$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
if mountpoint -q "$MNT"; then echo "mounted despite a bad --metrics" >&2; exit 1; fi

mount_drive --metrics "127.0.0.1:$port"
scrape() { curl -fsS "http://127.0.0.1:$port/metrics"; }
# The value of series $1 (name and labels exactly as exposed), 0 when absent.
value() { awk -v s="$1" '$1 == s { print $2; found = 1 } END { if (!found) print 0 }'; }

for i in $(seq 1 25); do head -c 100000 /dev/urandom > "$MNT/f$i.bin"; done
"$REEL" sync "$MNT"
cat "$MNT"/f*.bin > /dev/null
stat "$MNT/f1.bin" > /dev/null
scrape > "$WORK/m"
grep -q '^# TYPE reel_fuse_ops_seconds histogram' "$WORK/m"
creates=$(value 'reel_fuse_ops_seconds_count{op="create"}' < "$WORK/m")
writes=$(value 'reel_fuse_ops_seconds_count{op="write_buf"}' < "$WORK/m")
versions=$(value 'reel_versions_committed_total' < "$WORK/m")
written=$(value 'reel_chunk_bytes_written_total' < "$WORK/m")
python3 - "$creates" "$writes" "$versions" "$written" <<'PY'
import sys
creates, writes, versions, written = (float(x) for x in sys.argv[1:])
assert creates >= 25, f"creates timed: {creates}, want >= 25"
assert writes >= 25, f"writes timed: {writes}, want >= 25"
assert versions >= 25, f"versions committed: {versions}, want >= 25"
assert written >= 25 * 100000, f"chunk bytes written: {written}, want >= 2500000"
PY
grep -q '^reel_cache_bytes ' "$WORK/m"
grep -q '^reel_transfers_queued ' "$WORK/m"
# Nothing but /metrics is served there.
[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/info") == 404 ]]

# The same port cannot serve two mounts: the second mount fails and leaves nothing mounted.
mkdir -p "$WORK/mnt2"
"$REEL" init "$WORK/drive2" >/dev/null
if "$REEL" mount "$WORK/mnt2" --drive "$WORK/drive2" --background --metrics "127.0.0.1:$port" 2>"$WORK/err2"; then
  echo "a second mount on a busy metrics port was accepted" >&2; exit 1
fi
grep -q "cannot listen" "$WORK/err2" || { cat "$WORK/err2" >&2; exit 1; }
if mountpoint -q "$WORK/mnt2"; then echo "the second mount stayed mounted" >&2; exit 1; fi
unmount_drive
if curl -fsS "http://127.0.0.1:$port/metrics" > /dev/null 2>&1; then
  echo "metrics still served after the unmount" >&2; exit 1
fi
echo "metrics: OK"
