#!/usr/bin/env bash
# ReelDrive side-by-side benchmarks: every row runs against a plain directory on the same
# filesystem ("local", the limit) and against a fresh ReelDrive mount, in one run.
# What each row measures and the results of a full run: docs/benchmarks.md.
#
#   bench/run_all.sh [--quick] [--build DIR] [--workdir DIR] [--reps N] [--only LIST]
#                    [--media FILE] [--out FILE] [--keep]
#
#   --quick        small sizes (256 MiB sequential, 2,000 files, 5 writes after closing 256 MiB,
#                  128 MiB edit file, 15 s video)
#   --build DIR    build directory with src/cli/reel, bench/meta_bench, bench/chunker_bench
#                  (default: build; make one with: scripts/build.sh build -DREEL_BUILD_BENCH=ON)
#   --workdir DIR  where the temp local dir, drive and mountpoint go (default: $TMPDIR or /tmp);
#                  must be a disk filesystem, not tmpfs
#   --reps N       repetitions of the sequential rows; the median is reported (default 3, quick 1)
#                  (each repetition times WARM_PAIRS local/mount warm-read pairs: env, default 3)
#   --only LIST    comma-separated subset of: seq,meta,afterclose,edit,media,chunker (default: all)
#   --media FILE   use this video for the media row instead of generating one with ffmpeg
#   --out FILE     where to write the report (markdown; default: bench/results/run-DATE.md)
#   --keep         keep the work directory (the drive, restic repo, raw fio JSON) for inspection
#
# Needs: fio, python3, bindfs for the metadata rows, and for the media row ffmpeg, exiftool and
# restic (all in scripts/install-deps.sh --test). Run as root to drop the page cache between
# phases (otherwise the "cold" rows are not cold and the report says so).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
WORKBASE=${TMPDIR:-/tmp}
QUICK=0
REPS=""
ONLY="seq,meta,afterclose,edit,media,chunker"
MEDIA_IN=""
OUT=""
KEEP=0

usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --build) BUILD=$(readlink -f "$2"); shift ;;
    --workdir) WORKBASE=$2; shift ;;
    --reps) REPS=$2; shift ;;
    --only) ONLY=$2; shift ;;
    --media) MEDIA_IN=$(readlink -f "$2"); shift ;;
    --out) OUT=$2; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) usage 0 ;;
    *) echo "unknown option: $1" >&2; usage 2 ;;
  esac
  shift
done

if ((QUICK)); then
  WARM_PAIRS=${WARM_PAIRS:-1}; SEQ_MIB=256; META_N=2000; META_CREATE_BATCHES=4; READDIR_REPS=10; EDIT_MIB=128; MEDIA_SECONDS=15
  CHUNKER_MIN_TIME=0.1; REPS=${REPS:-1}; AFTER_MIB=${AFTER_MIB:-256}; AFTER_TRIES=${AFTER_TRIES:-5}
else
  WARM_PAIRS=${WARM_PAIRS:-3}; SEQ_MIB=4096; META_N=10000; META_CREATE_BATCHES=20; READDIR_REPS=20; EDIT_MIB=1024; MEDIA_SECONDS=90
  CHUNKER_MIN_TIME=0.5; REPS=${REPS:-3}; AFTER_MIB=${AFTER_MIB:-2048}; AFTER_TRIES=${AFTER_TRIES:-20}
fi
want() { [[ ",$ONLY," == *",$1,"* ]]; }

REEL=$BUILD/src/cli/reel
META=$BUILD/bench/meta_bench
CHUNKER=$BUILD/bench/chunker_bench
need_bin() {
  [[ -x $1 ]] && return 0
  echo "missing $1; build it with: scripts/build.sh ${BUILD#"$ROOT"/} -DREEL_BUILD_BENCH=ON" >&2
  exit 1
}
need_tool() { command -v "$1" >/dev/null || { echo "missing tool: $1" >&2; exit 1; }; }
need_bin "$REEL"
need_tool fio
need_tool python3
want meta && need_bin "$META" && need_tool bindfs && need_tool fusermount3
want chunker && need_bin "$CHUNKER"
if want media; then
  need_tool exiftool; need_tool restic
  [[ -n $MEDIA_IN ]] || need_tool ffmpeg
fi

# ---------------------------------------------------------------------------------- setup
WORK=$(mktemp -d "$WORKBASE/reel-bench-XXXXXX")
LOCAL=$WORK/local
DRIVE=$WORK/drive
MNT=$WORK/mnt
RES=$WORK/results.txt
export XDG_RUNTIME_DIR=$WORK/run  # a private mount registry and API socket dir
mkdir -p "$LOCAL" "$MNT" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
: >"$RES"

cleanup() {
  local rc=$?
  set +e
  if declare -F meta_cleanup >/dev/null; then meta_cleanup; fi
  # A mount whose process died is no mountpoint to `mountpoint` (ENOTCONN) but still listed.
  if mountpoint -q "$MNT" 2>/dev/null || grep -qs " $MNT fuse" /proc/mounts; then
    "$REEL" umount "$MNT" >/dev/null 2>&1 || fusermount3 -uz "$MNT" 2>/dev/null
  fi
  for rec in "$XDG_RUNTIME_DIR"/reel/*.json; do  # a mount process of this run still around
    [[ -f $rec ]] || continue
    pid=$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$rec")
    [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null
  done
  if ((rc != 0)) && [[ -s $RES ]]; then  # keep what was measured before the failure
    local partial
    partial=$WORKBASE/reel-bench-partial-$(date +%Y%m%d-%H%M%S).txt
    cp "$RES" "$partial" && echo "run failed (exit $rc); values measured so far: $partial" >&2
  fi
  if ((KEEP)); then echo "kept $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'echo "run_all.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

log() { echo "[$(date +%T)] $*" >&2; }
record() { echo "$1=$2" >>"$RES"; }  # a key recorded several times is a list (repetitions)
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }
# json_field JSON KEY: one field of a JSON object; a list as space-separated values.
json_field() {
  python3 -c "import json,sys; v=json.loads(sys.argv[1])[sys.argv[2]]; print(' '.join(map(str, v)) if isinstance(v, list) else v)" "$1" "$2"
}

FSTYPE=$(findmnt -no FSTYPE -T "$WORK" 2>/dev/null || stat -f -c %T "$WORK")
if [[ $FSTYPE == tmpfs || $FSTYPE == ramfs ]]; then
  echo "$WORK is on $FSTYPE: pick a disk filesystem with --workdir" >&2
  exit 1
fi

CAN_DROP=0
if [[ -w /proc/sys/vm/drop_caches ]]; then CAN_DROP=1; fi
drop_caches() {
  sync
  if ((CAN_DROP)); then echo 3 >/proc/sys/vm/drop_caches; fi
}

assert_mounted() {
  mountpoint -q "$MNT" || { echo "FATAL: $MNT is not a mountpoint (mount failed or died)" >&2; exit 1; }
}

mount_reel() {
  "$REEL" mount "$MNT" --drive "$DRIVE" --background >/dev/null
  assert_mounted
  MOUNT_PID=$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$XDG_RUNTIME_DIR"/reel/*.json | head -1)
  [[ -n $MOUNT_PID ]] || { echo "no mount pid in the registry" >&2; exit 1; }
}
# A fresh mount process of the same drive: nothing cached in the daemon.
remount_reel() { "$REEL" umount "$MNT" >/dev/null; mount_reel; }
"$REEL" init "$DRIVE" >/dev/null
mount_reel

reel_sync() { "$REEL" sync "$MNT" >/dev/null; }

# CPU seconds (user+system, all threads) used so far by the mount process.
mount_cpu() { awk -v t="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / t}' "/proc/$MOUNT_PID/stat"; }
# Bytes and count of the chunks in the drive's store (not its marker or catalog backups).
store_bytes() { find "$DRIVE/store/objects" -path "*/objects/chunks/*" -type f -printf '%s\n' | awk '{s += $1} END {printf "%.0f\n", s}'; }
store_objects() { find "$DRIVE/store/objects" -path "*/objects/chunks/*" -type f | wc -l; }

# fio_mbps JSON read|write: MB/s (10^6 bytes/s) from fio's JSON output.
fio_mbps() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
job = json.load(open(sys.argv[1]))["jobs"][0]
print(f"{job[sys.argv[2]]['bw_bytes'] / 1e6:.1f}")
EOF
}
# fio_job NAME FILE RW [extra]: 1 MiB blocks, SEQ_MIB MiB, JSON in $WORK/fio-NAME.json.
fio_job() {
  local name=$1 file=$2 rw=$3
  shift 3
  fio --name="$name" --filename="$file" --rw="$rw" --bs=1M --size="${SEQ_MIB}M" --ioengine=psync \
    --fallocate=none --invalidate=0 "$@" --output-format=json --output="$WORK/fio-$name.json" >/dev/null
}

record date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
record machine "$(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.0f GiB RAM", $2 / 1048576}' /proc/meminfo), kernel $(uname -r)"
record filesystem "$FSTYPE on $(df --output=source "$WORK" | tail -1)"
record git "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' + uncommitted changes in src/')"
record reel "$REEL"
record quick "$QUICK"
record reps "$REPS"
record can_drop "$CAN_DROP"
record load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
log "work dir $WORK ($FSTYPE); mount pid $MOUNT_PID; load $(cut -d' ' -f1-3 /proc/loadavg)"

# ----------------------------------------------------------------------------- sequential
# Write: fio, 1 MiB blocks, fresh random data in every block (--refill_buffers), one fsync at the
# end included in the time. The mount's version commit (chunk, hash, store) runs after close;
# `reel sync` waits for it and is timed separately. Reads: the file written just before, caches
# dropped, read once (cold), then again (warm: page cache).
if want seq; then
  record seq_mib "$SEQ_MIB"
  for ((r = 1; r <= REPS; r++)); do
    log "sequential $r/$REPS: local write ${SEQ_MIB} MiB"
    rm -f "$LOCAL/seq.bin"
    drop_caches
    fio_job "local-write-$r" "$LOCAL/seq.bin" write --end_fsync=1 --refill_buffers --randrepeat=0
    record seq_write_local "$(fio_mbps "$WORK/fio-local-write-$r.json" write)"

    log "sequential $r/$REPS: mount write ${SEQ_MIB} MiB"
    drop_caches
    assert_mounted
    c0=$(mount_cpu)
    t0=$(now)
    fio_job "mount-write-$r" "$MNT/seq-$r.bin" write --end_fsync=1 --refill_buffers --randrepeat=0
    t1=$(now)
    c1=$(mount_cpu)
    reel_sync
    t2=$(now)
    c2=$(mount_cpu)
    record seq_write_mount "$(fio_mbps "$WORK/fio-mount-write-$r.json" write)"
    record seq_write_mount_fio_wall "$(elapsed "$t0" "$t1")"
    record seq_commit_seconds "$(elapsed "$t1" "$t2")"
    record seq_write_to_committed_mbps "$(python3 -c "print(f'{$SEQ_MIB * 1048576 / 1e6 / ($t2 - $t0):.1f}')")"
    record seq_write_mount_cpu "$(elapsed "$c0" "$c1")"
    record seq_commit_mount_cpu "$(elapsed "$c1" "$c2")"

    log "sequential $r/$REPS: reads"
    drop_caches
    fio_job "local-cold-$r" "$LOCAL/seq.bin" read
    fio_job "local-warm-$r" "$LOCAL/seq.bin" read  # first warm pass: settles the cache, not timed
    record seq_cold_read_local "$(fio_mbps "$WORK/fio-local-cold-$r.json" read)"
    drop_caches
    assert_mounted
    c0=$(mount_cpu)
    fio_job "mount-cold-$r" "$MNT/seq-$r.bin" read
    c1=$(mount_cpu)
    fio_job "mount-warm-$r" "$MNT/seq-$r.bin" read  # first warm pass, as for local
    c2=$(mount_cpu)
    record seq_cold_read_mount "$(fio_mbps "$WORK/fio-mount-cold-$r.json" read)"
    record seq_cold_read_mount_cpu "$(elapsed "$c0" "$c1")"
    record seq_warm_read_mount_cpu "$(elapsed "$c1" "$c2")"
    # Warm reads: both files are in the page cache now. WARM_PAIRS back-to-back local/mount
    # pairs, each pair one ratio, so load that drifts over the run hits both sides alike. The
    # local file left the cache with the drop above: read it once more first (not timed).
    fio_job "local-rewarm-$r" "$LOCAL/seq.bin" read
    for w in $(seq 1 "$WARM_PAIRS"); do
      fio_job "local-warm-$r-$w" "$LOCAL/seq.bin" read
      fio_job "mount-warm-$r-$w" "$MNT/seq-$r.bin" read
      record seq_warm_read_local "$(fio_mbps "$WORK/fio-local-warm-$r-$w.json" read)"
      record seq_warm_read_mount "$(fio_mbps "$WORK/fio-mount-warm-$r-$w.json" read)"
    done
  done
  rm -f "$LOCAL/seq.bin"
fi

# ------------------------------------------------------------------------------- metadata
# Creates, stats (cold and warm), readdir, `ls -l` and unlinks of META_N files on the local disk,
# through bindfs (the FUSE floor) and through the mount: bench/meta_bench.sh says what each
# phase does and what "cold" means on each side.
source "$ROOT/bench/meta_bench.sh"
if want meta; then run_meta_rows; fi

# ----------------------------------------------------------------------------- afterclose
# A 4 KiB write (open, pwrite, close) to an AFTER_MIB MiB file right after the file was written
# and closed: through the mount the big version's commit is running at that moment. AFTER_TRIES
# tries per side by bench/write_after_close.py; after each try it waits, untimed, for `reel sync`
# (mount) or `sync` (local) so the next try starts with nothing pending. The environment may set
# AFTER_MIB, AFTER_TRIES, and AFTER_FRESH=1 for all-new bytes on every try (the store then grows
# by AFTER_MIB per try; otherwise only the first try's bytes are new).
if want afterclose; then
  record after_mib "$AFTER_MIB"
  record after_tries "$AFTER_TRIES"
  record after_fresh "${AFTER_FRESH:-0}"
  fresh_arg=()
  if [[ ${AFTER_FRESH:-0} == 1 ]]; then fresh_arg=(--fresh); fi
  for side in local mount; do
    if [[ $side == local ]]; then
      f=$LOCAL/after.bin; between=sync
    else
      f=$MNT/after.bin; between="$(printf '%q ' "$REEL" sync "$MNT")"; assert_mounted
    fi
    log "write after close ($side): $AFTER_TRIES tries of ${AFTER_MIB} MiB then 4 KiB"
    out=$(python3 "$ROOT/bench/write_after_close.py" "$f" --mib "$AFTER_MIB" --tries "$AFTER_TRIES" \
      --between "$between" "${fresh_arg[@]}")
    for k in p50_ms p99_ms max_ms latencies_ms between_seconds; do
      record "after_${k}_$side" "$(json_field "$out" "$k")"
    done
    rm -f "$f"
  done
  assert_mounted
fi

# ----------------------------------------------------------------------------------- edit
# A 1 MiB in-place overwrite (dd conv=notrunc) in the middle of an EDIT_MIB MiB random file
# already committed in the drive; new chunk bytes = growth of the store's objects.
if want edit; then
  record edit_file_mib "$EDIT_MIB"
  log "edit: ${EDIT_MIB} MiB random file"
  head -c "$((EDIT_MIB * 1048576))" /dev/urandom >"$WORK/edit-src.bin"
  head -c 1048576 /dev/urandom >"$WORK/edit-patch.bin"
  assert_mounted
  mkdir -p "$MNT/edit"
  cp "$WORK/edit-src.bin" "$MNT/edit/big.bin"
  reel_sync
  b0=$(store_bytes); o0=$(store_objects)
  seek=$((EDIT_MIB / 2))
  assert_mounted
  t0=$(now)
  dd if="$WORK/edit-patch.bin" of="$MNT/edit/big.bin" bs=1M seek="$seek" conv=notrunc status=none
  reel_sync
  t1=$(now)
  b1=$(store_bytes); o1=$(store_objects)
  record edit_new_bytes "$((b1 - b0))"
  record edit_new_objects "$((o1 - o0))"
  record edit_commit_seconds "$(elapsed "$t0" "$t1")"
  record edit_version "$("$REEL" status "$MNT/edit/big.bin" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['current']['number'])")"
  # The same edit on a local copy: the mount must now hold exactly those bytes.
  dd if="$WORK/edit-patch.bin" of="$WORK/edit-src.bin" bs=1M seek="$seek" conv=notrunc status=none
  drop_caches
  if cmp -s "$WORK/edit-src.bin" "$MNT/edit/big.bin"; then record edit_content_ok yes; else record edit_content_ok NO; fi
  rm -f "$WORK/edit-src.bin"
fi

# ---------------------------------------------------------------------------------- media
# Ten successive edits of a video (5 exiftool tag writes, 5 ffmpeg stream copies written to a
# temp file and renamed over the original). After the import and after each edit: `reel sync`,
# store size, and a `restic backup` of the same file into a local restic repository.
if want media; then
  if [[ -n $MEDIA_IN ]]; then
    src=$MEDIA_IN
  else
    log "media: generating a ${MEDIA_SECONDS} s 1080p30 H.264+AAC clip with ffmpeg"
    src=$WORK/clip-src.mp4
    ffmpeg -hide_banner -loglevel error -y \
      -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=$MEDIA_SECONDS" \
      -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=$MEDIA_SECONDS" \
      -c:v libx264 -preset veryfast -b:v 16M -maxrate 16M -bufsize 32M -g 60 -pix_fmt yuv420p \
      -c:a aac -b:a 192k "$src"
  fi
  dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$src" 2>/dev/null || echo 60)
  trim_to=$(python3 -c "print(f'{max(1.0, float($dur) - max(2.0, float($dur) / 18)):.3f}')")
  export RESTIC_REPOSITORY=$WORK/restic RESTIC_PASSWORD_FILE=$WORK/restic.pass
  echo "benchmark" >"$RESTIC_PASSWORD_FILE"
  restic init -q >/dev/null
  restic_bytes() { du -sb "$RESTIC_REPOSITORY" | cut -f1; }
  restic_backup() { restic backup -q --host bench "$MNT/media" >/dev/null; }

  assert_mounted
  mkdir -p "$MNT/media"
  clip=$MNT/media/clip.mp4
  tmp=$MNT/media/.clip.tmp.mp4
  rb0=$(restic_bytes)
  b0=$(store_bytes)
  log "media: import $(stat -c %s "$src") bytes"
  cp "$src" "$clip"
  reel_sync
  restic_backup
  record media_size_0 "$(stat -c %s "$clip")"
  record media_store_0 "$(($(store_bytes) - b0))"
  record media_restic_0 "$(($(restic_bytes) - rb0))"
  record media_restic_empty "$rb0"
  ff() { ffmpeg -hide_banner -loglevel error -y -i "$clip" -map 0 -c copy "$@" -f mp4 "$tmp" && mv -f "$tmp" "$clip"; }
  edits=(
    "exiftool -q -overwrite_original -Title='ReelDrive edit 1' CLIP"
    "exiftool -q -overwrite_original -Artist='Bench Artist' CLIP"
    "exiftool -q -overwrite_original -Comment='second pass notes' CLIP"
    "exiftool -q -overwrite_original -XMP-dc:Description='edit 4 description' CLIP"
    "exiftool -q -overwrite_original -Copyright='(c) 2026 Bench' CLIP"
    "ffmpeg -c copy -metadata title='Remux 6' (remux, new title)"
    "ffmpeg -c copy -metadata:s:a:0 language=eng (stream metadata)"
    "ffmpeg -c copy -t $trim_to (trim the end)"
    "ffmpeg -ss 2 -c copy (trim the start at a key frame)"
    "ffmpeg -c copy -movflags +faststart (index moved to the front)"
  )
  for i in "${!edits[@]}"; do
    n=$((i + 1))
    log "media: edit $n: ${edits[$i]}"
    assert_mounted
    b_before=$(store_bytes); rb_before=$(restic_bytes)
    case $n in
      1) exiftool -q -overwrite_original -Title='ReelDrive edit 1' "$clip" ;;
      2) exiftool -q -overwrite_original -Artist='Bench Artist' "$clip" ;;
      3) exiftool -q -overwrite_original -Comment='second pass notes' "$clip" ;;
      4) exiftool -q -overwrite_original -XMP-dc:Description='edit 4 description' "$clip" ;;
      5) exiftool -q -overwrite_original -Copyright='(c) 2026 Bench' "$clip" ;;
      6) ff -metadata title='Remux 6' ;;
      7) ff -metadata:s:a:0 language=eng ;;
      8) ff -t "$trim_to" ;;
      9) ffmpeg -hide_banner -loglevel error -y -ss 2 -i "$clip" -map 0 -c copy -f mp4 "$tmp" && mv -f "$tmp" "$clip" ;;
      10) ff -movflags +faststart ;;
    esac
    reel_sync
    restic_backup
    record "media_edit_$n" "${edits[$i]}"
    record "media_size_$n" "$(stat -c %s "$clip")"
    record "media_store_$n" "$(($(store_bytes) - b_before))"
    record "media_restic_$n" "$(($(restic_bytes) - rb_before))"
  done
  record media_versions "$("$REEL" versions "$clip" --json 2>/dev/null | python3 -c "import json,sys; j=json.load(sys.stdin); v=j.get('versions', j) if isinstance(j, dict) else j; print(len(v))" 2>/dev/null || echo '?')"
  record media_catalog_bytes "$(du -sb "$DRIVE"/catalog.db* | awk '{s += $1} END {printf "%.0f", s}')"
  record media_source "$( [[ -n $MEDIA_IN ]] && echo "$MEDIA_IN" || echo "ffmpeg testsrc2 1920x1080 30 fps ${MEDIA_SECONDS} s, libx264 veryfast 16 Mbit/s, AAC 192 kbit/s")"
fi

# -------------------------------------------------------------------------------- chunker
# Google Benchmark, one thread: FastCDC cut points, SHA-256 of the chunks, and both together,
# over 128 MiB of random bytes and a 128 MiB synthetic media stream, default chunking options.
if want chunker; then
  log "chunker_bench (min_time $CHUNKER_MIN_TIME s)"
  "$CHUNKER" --benchmark_filter='^(FastCdc|Sha256|CutAndHash)/(random|media)/default' \
    --benchmark_min_time="$CHUNKER_MIN_TIME" --benchmark_format=json \
    >"$WORK/chunker.json" 2>"$WORK/chunker.err" || { cat "$WORK/chunker.err" >&2; exit 1; }
  python3 - "$WORK/chunker.json" >>"$RES" <<'EOF'
import json, sys
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if "bytes_per_second" in b:
        print(f"chunker_{b['name'].replace('/', '_')}={b['bytes_per_second'] / 1e9:.3f}")
EOF
fi

record load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
assert_mounted  # the mount survived the whole run

# --------------------------------------------------------------------------------- report
if [[ -z $OUT ]]; then
  mkdir -p "$ROOT/bench/results"
  OUT=$ROOT/bench/results/run-$(date +%Y%m%d-%H%M%S)
  if ((QUICK)); then OUT+=-quick; fi
  OUT+=.md
fi
python3 - "$RES" >"$OUT" <<'EOF'
import statistics, sys
R = {}
for line in open(sys.argv[1]):
    k, _, v = line.rstrip("\n").partition("=")
    R.setdefault(k, []).append(v)
one = lambda k: R[k][-1] if k in R else None
def nums(k):
    return [float(x) for x in R.get(k, [])]
def med(k):
    v = nums(k)
    return statistics.median(v) if v else None
def spread(k, fmt=",.0f"):
    v = nums(k)
    return "" if len(v) < 2 else f" ({min(v):{fmt}}-{max(v):{fmt}})"
MB = 1e6
MiB = 1048576
def met(ok):
    return "**met**" if ok else "**NOT met**"

print(f"# ReelDrive benchmark run {one('date')}\n")
print(f"- machine: {one('machine')}; filesystem: {one('filesystem')}")
print(f"- code: {one('git')}; binary: `{one('reel')}`")
print(f"- mode: {'--quick' if one('quick') == '1' else 'full'}; sequential repetitions: {one('reps')} (median, range in brackets)")
print(f"- load average at start / end: {one('load_start')} / {one('load_end')}")
if one("can_drop") != "1":
    print("- WARNING: page cache could not be dropped (not root): 'cold' rows are not cold")
print()
rows = []
crit = []
if "seq_mib" in R:
    size = int(one("seq_mib"))
    def paired(lk, mk):
        # Median of per-repetition ratios: each repetition runs local and mount back to back,
        # so a ratio is less exposed to load that drifts over the run than a ratio of medians.
        rs = [m / l for l, m in zip(nums(lk), nums(mk)) if l]
        if not rs:
            return None, "-"
        r = statistics.median(rs)
        each = "" if len(rs) < 2 else " (" + ", ".join(f"{x * 100:.0f}%" for x in rs) + ")"
        return r, f"{r * 100:.0f}%{each}"
    wl, wm = med("seq_write_local"), med("seq_write_mount")
    wr, wtxt = paired("seq_write_local", "seq_write_mount")
    rows.append((f"Sequential write {size} MiB, 1 MiB blocks, end_fsync (MB/s)", f"{wl:,.0f}{spread('seq_write_local')}", f"{wm:,.0f}{spread('seq_write_mount')}", wtxt, ">= 70%", met(wr >= 0.7)))
    crit.append(("sequential write >= 70% of local", wr >= 0.7, f"{wr * 100:.0f}%"))
    rows.append((f"  ... then `reel sync` until the version is committed (s)", "-", f"{med('seq_commit_seconds'):.1f}{spread('seq_commit_seconds', '.1f')}", "-", "", ""))
    er, etxt = paired("seq_write_local", "seq_write_to_committed_mbps")
    rows.append((f"  write + commit, end to end (MB/s)", f"{wl:,.0f}", f"{med('seq_write_to_committed_mbps'):,.0f}{spread('seq_write_to_committed_mbps')}", etxt, "", ""))
    cl, cm = med("seq_cold_read_local"), med("seq_cold_read_mount")
    cr, ctxt = paired("seq_cold_read_local", "seq_cold_read_mount")
    rows.append((f"Sequential read, cold (caches dropped) (MB/s)", f"{cl:,.0f}{spread('seq_cold_read_local')}", f"{cm:,.0f}{spread('seq_cold_read_mount')}", ctxt, "", ""))
    rl, rm = med("seq_warm_read_local"), med("seq_warm_read_mount")
    rr, rtxt = paired("seq_warm_read_local", "seq_warm_read_mount")
    rows.append((f"Sequential read, warm (page cache; median of back-to-back pairs) (MB/s)", f"{rl:,.0f}{spread('seq_warm_read_local')}", f"{rm:,.0f}{spread('seq_warm_read_mount')}", rtxt, ">= 70%", met(rr >= 0.7)))
    crit.append(("warm sequential read >= 70% of local", rr >= 0.7, f"{rr * 100:.0f}%"))
    cpu_rows = [("write (fio, incl. end fsync)", "seq_write_mount_cpu"), ("commit (`reel sync`)", "seq_commit_mount_cpu"),
                ("cold read", "seq_cold_read_mount_cpu"), ("warm read", "seq_warm_read_mount_cpu")]
    cpu_note = "; ".join(f"{label} {med(key):.2f} s" for label, key in cpu_rows if key in R)
if "after_mib" in R:
    asize, tries = int(one("after_mib")), int(one("after_tries"))
    lp50, lp99 = float(one("after_p50_ms_local")), float(one("after_p99_ms_local"))
    mp50, mp99 = float(one("after_p50_ms_mount")), float(one("after_p99_ms_mount"))
    rows.append((f"4 KiB write (open, pwrite, close) right after closing a {asize:,} MiB file: p50 / p99 of {tries} (ms)",
                 f"{lp50:.2f} / {lp99:.2f}", f"{mp50:.2f} / {mp99:.2f}", f"p99 {mp99 / lp99:,.1f}x local's" if lp99 else "-",
                 "p99 < 50 ms", met(mp99 < 50)))
    crit.append((f"4 KiB write right after closing a {asize:,} MiB file: p99 < 50 ms", mp99 < 50, f"{mp99:.2f} ms"))
if "edit_new_bytes" in R:
    nb = int(one("edit_new_bytes"))
    rows.append((f"1 MiB in-place edit in a {one('edit_file_mib')} MiB file: new chunk bytes stored", "-", f"{nb / MiB:.2f} MiB in {one('edit_new_objects')} new chunk(s)", "-", "<= 8 MiB", met(nb <= 8 * MiB)))
    rows.append((f"  ... dd + `reel sync` (s); content check", "-", f"{float(one('edit_commit_seconds')):.2f}; {'identical to local copy' if one('edit_content_ok') == 'yes' else 'MISMATCH'}", "-", "", ""))
    crit.append(("1 MiB edit <= 8 MiB new chunk bytes", nb <= 8 * MiB, f"{nb / MiB:.2f} MiB"))
chunk = {k[len("chunker_"):]: float(v[-1]) for k, v in R.items() if k.startswith("chunker_")}
if chunk:
    for ds in ("random", "media"):
        f, s, c = chunk.get(f"FastCdc_{ds}_default"), chunk.get(f"Sha256_{ds}_default_chunks"), chunk.get(f"CutAndHash_{ds}_default")
        rows.append((f"Chunker, one core, {ds} data: FastCDC / SHA-256 / chunk+hash (GB/s)", "-", f"{f:.2f} / {s:.2f} / {c:.2f}", "-", ">= 1.5 / - / >= 1.0", met(f >= 1.5 and c >= 1.0)))
    f, c = chunk.get("FastCdc_random_default"), chunk.get("CutAndHash_random_default")
    crit.append(("FastCDC >= 1.5 GB/s on one core (random data)", f >= 1.5, f"{f:.2f} GB/s"))
    crit.append(("chunk+hash >= 1 GB/s on one core (random data)", c >= 1.0, f"{c:.2f} GB/s"))

if rows:
    print("| Benchmark | Local disk | ReelDrive mount | Mount / local | Target | |")
    print("|---|---:|---:|---:|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()
if "after_mib" in R:
    fresh = "all-new bytes on every try" if one("after_fresh") == "1" else "all-new bytes on the first try, one new block on each later one"
    print(f"Each try rewrote the {one('after_mib')} MiB file ({fresh}), closed it, timed the 4 KiB write, "
          f"then waited untimed for `reel sync` / `sync`; through the mount that took {one('after_between_seconds_mount')} s "
          f"(what was left of the commits once the 4 KiB write had returned). Mount latencies (ms): {one('after_latencies_ms_mount')}.\n")
if "meta_n" in R:
    n = int(one("meta_n"))
    sides = ("local", "bindfs", "mount")
    print(f"## Metadata: {n:,} empty files in one directory\n")
    print(f"{one('meta_bindfs')}: a FUSE passthrough over a directory on the same disk. Cold: the FUSE "
          "sides unmounted and mounted again, then the kernel's caches dropped; local: the drop alone. "
          "Ratios are ReelDrive's speed over the other side's: above 1.00x ReelDrive is faster.\n")
    print("| Row | Local disk | bindfs | ReelDrive | ReelDrive / bindfs | ReelDrive / local | Target | |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    def speed(a, b):
        return f"{a / b:.2f}x" if a and b else "-"
    meta_rows = [("create", "Create (open O_CREAT\\|O_EXCL + close) (files/s)", 2000),
                 ("stat_cold", "stat() of each name, cold (stats/s)", 20000),
                 ("stat_warm", "stat() of each name again, warm (stats/s)", None),
                 ("readdir", "readdir, full listing repeated (entries/s)", None),
                 ("unlink", "unlink() of each name (unlinks/s)", None)]
    def batch_ratio(key, other):
        # Creates run in batches, the sides taking turns: the median of the batches' ratios.
        pairs = list(zip(nums(f"meta_{key}_mount"), nums(f"meta_{key}_{other}")))
        if len(pairs) < 2:
            return None, ""
        rs = [m / o for m, o in pairs if o]
        return statistics.median(rs), f" ({min(rs):.2f}-{max(rs):.2f}, {len(rs)} batches)"
    for key, label, floor in meta_rows:
        # A row timed in batches reports each side's total rate (all its files over all its time).
        v = {s_: med(f"meta_{key}_total_{s_}") or med(f"meta_{key}_{s_}") for s_ in sides}
        beats = key in ("create", "stat_cold", "stat_warm")
        target = (f">= bindfs, >= {floor:,}/s" if floor else ">= bindfs") if beats else ""
        rb, rb_spread = batch_ratio(key, "bindfs")
        rl, rl_spread = batch_ratio(key, "local")
        vs_bindfs = f"{rb:.2f}x{rb_spread}" if rb else speed(v['mount'], v['bindfs'])
        vs_local = f"{rl:.2f}x{rl_spread}" if rl else speed(v['mount'], v['local'])
        ok = (rb >= 1 if rb else v["mount"] >= v["bindfs"]) and (floor is None or v["mount"] >= floor)
        print(f"| {label} | {v['local']:,.0f} | {v['bindfs']:,.0f} | {v['mount']:,.0f} | {vs_bindfs} "
              f"| {vs_local} | {target} | {met(ok) if beats else ''} |")
        if beats:
            crit.append((f"{key} through the mount >= bindfs" + (f" and >= {floor:,}/s" if floor else ""), ok,
                         f"{v['mount']:,.0f}/s against bindfs {v['bindfs']:,.0f}/s"))
        if key == "create":
            print(f"| ... and `reel sync` after each batch ({n:,} versions committed; total) (s) | - | - | {med('meta_commit_seconds'):.2f} | | | | |")
    for phase in ("cold", "warm"):
        t = {s_: med(f"meta_ls_{phase}_{s_}") for s_ in sides}
        print(f"| `ls -l` of the {n:,} files, {phase} (s) | {t['local']:.3f} | {t['bindfs']:.3f} | {t['mount']:.3f} "
              f"| {speed(t['bindfs'], t['mount'])} | {speed(t['local'], t['mount'])} | | |")
    print()
if "seq_mib" in R:
    print(f"CPU time of the mount process (user+system, all threads; median per {size} MiB): {cpu_note}.\n")

if "media_size_0" in R:
    print(f"## Ten successive edits of a video\n\nSource: {one('media_source')}.\n")
    print("| State | File bytes | New bytes in ReelDrive store | New bytes in restic repo |")
    print("|---|---:|---:|---:|")
    tot = {"size": 0, "store": 0, "restic": 0}
    edits = {"size": 0, "store": 0, "restic": 0}
    for i in range(0, 11):
        s, st, rs = int(one(f"media_size_{i}")), int(one(f"media_store_{i}")), int(one(f"media_restic_{i}"))
        label = "0: import" if i == 0 else f"{i}: {one(f'media_edit_{i}')}".replace("CLIP", "").replace("|", "\\|")
        print(f"| {label} | {s:,} | {st:,} | {rs:,} |")
        for d in (tot,) + ((edits,) if i else ()):
            d["size"] += s; d["store"] += st; d["restic"] += rs
    print()
    print("| | Full copies (sum of file sizes) | ReelDrive store | restic repo |")
    print("|---|---:|---:|---:|")
    print(f"| the ten edits only | {edits['size'] / MB:,.1f} MB | {edits['store'] / MB:,.1f} MB ({edits['store'] / edits['size'] * 100:.1f}%) | {edits['restic'] / MB:,.1f} MB ({edits['restic'] / edits['size'] * 100:.1f}%) |")
    print(f"| import + ten edits (11 states) | {tot['size'] / MB:,.1f} MB | {tot['store'] / MB:,.1f} MB ({tot['store'] / tot['size'] * 100:.1f}%) | {tot['restic'] / MB:,.1f} MB ({tot['restic'] / tot['size'] * 100:.1f}%) |")
    print(f"\nVersions of the clip in ReelDrive: {one('media_versions')}. ReelDrive catalog (SQLite, all rows) at the end: {int(one('media_catalog_bytes')) / MB:.1f} MB; empty restic repo: {int(one('media_restic_empty')) / 1e3:.0f} kB (restic 0.14, repository v2, compression auto).\n")

if crit:
    print("## Done criteria\n")
    for what, ok, val in crit:
        print(f"- {what}: {val} — {'met' if ok else 'NOT met'}")
    print()

print("## Raw values\n")
print("```")
for k, v in R.items():
    print(f"{k} = {', '.join(v)}")
print("```")
EOF
cat "$OUT"
echo
echo "report: $OUT"
