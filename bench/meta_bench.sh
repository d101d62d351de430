# Metadata rows of bench/run_all.sh, sourced by it (alone: `sudo bench/run_all.sh --only meta`).
# Uses run_all.sh's helpers and variables (record, log, now, elapsed, json_field, drop_caches,
# assert_mounted, remount_reel, WORK, LOCAL, MNT, META, META_N, READDIR_REPS).
#
# Three sides, each phase run on the three back to back so load that drifts hits them alike:
#   local   a plain directory on the work directory's disk (the limit)
#   bindfs  bindfs, a FUSE passthrough, over another directory on that disk: the FUSE floor
#           (what any FUSE filesystem pays for the kernel round trips alone)
#   mount   the ReelDrive mount
# META_N empty files in one directory; the timed loops are bench/meta_bench (C++):
#   create     open(O_CREAT|O_EXCL)+close of each name, kernel caches dropped first. Through
#              ReelDrive every close queues a version; `reel sync` waits for them after each of
#              its batches, timed apart (meta_commit_seconds: the total). In META_CREATE_BATCHES batches (default 20),
#              the three sides taking turns batch by batch, so load that drifts over seconds (a
#              shared machine's) hits them alike; the report gives each side's total rate and
#              the median of the batches' ratios.
#   stat_cold  stat() of each name with nothing cached anywhere: each FUSE side is unmounted and
#              mounted again (a fresh daemon, no state left from the create phase), then the
#              kernel's caches are dropped (page cache, dentries and inodes, for every side and
#              for the disk under bindfs). The local side gets the drop alone, which leaves it as
#              cold as a fresh boot.
#   stat_warm  the same stats again at once. Both FUSE sides tell the kernel to keep names and
#              attributes for 1 s (ReelDrive's attr_timeout, libfuse's default entry_timeout and
#              attr_timeout for bindfs), so the kernel answers the ones still within it.
#   readdir    opendir + readdir to the end + closedir, READDIR_REPS times (warm)
#   ls_cold    `ls -l` of the directory (getdents, then lstat and xattr probes of every entry),
#              cold as for stat_cold; ls_warm: `ls -l` again at once
#   unlink     unlink() of each name (warm; through ReelDrive a delete moves the file to the trash)

META_SIDES=(local bindfs mount)
BINDFS_SRC=$WORK/bindfs-src
BINDFS_MNT=$WORK/bindfs-mnt
BINDFS_PID=""

# wait_for_mount DIR PID: until DIR is a mountpoint, for at most 10 s, while PID lives.
wait_for_mount() {
  local i
  for ((i = 0; i < 200; i++)); do
    mountpoint -q "$1" && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.05
  done
  echo "FATAL: $1 did not become a mountpoint (see $WORK/bindfs.log)" >&2
  exit 1
}

bindfs_mount() {
  bindfs -f "$BINDFS_SRC" "$BINDFS_MNT" 2>>"$WORK/bindfs.log" &
  BINDFS_PID=$!
  wait_for_mount "$BINDFS_MNT" "$BINDFS_PID"
}

# Unmounts bindfs and waits for its process (killed after 10 s); also the cleanup on failure.
bindfs_umount() {
  [[ -n $BINDFS_PID ]] || return 0
  fusermount3 -u "$BINDFS_MNT" 2>/dev/null || fusermount3 -uz "$BINDFS_MNT" 2>/dev/null || true
  local i
  for ((i = 0; i < 200; i++)); do
    kill -0 "$BINDFS_PID" 2>/dev/null || break
    sleep 0.05
  done
  kill -9 "$BINDFS_PID" 2>/dev/null || true
  wait "$BINDFS_PID" 2>/dev/null || true
  BINDFS_PID=""
}
meta_cleanup() { bindfs_umount; }

meta_dir() {
  case $1 in
    local) echo "$LOCAL/meta" ;;
    bindfs) echo "$BINDFS_MNT/meta" ;;
    mount) echo "$MNT/meta" ;;
  esac
}

meta_assert() {
  case $1 in
    bindfs) mountpoint -q "$BINDFS_MNT" || { echo "FATAL: bindfs at $BINDFS_MNT is gone" >&2; exit 1; } ;;
    mount) assert_mounted ;;
  esac
}

# meta_cold SIDE: nothing cached for SIDE (see stat_cold above).
meta_cold() {
  case $1 in
    bindfs) bindfs_umount; bindfs_mount ;;
    mount) remount_reel ;;
  esac
  drop_caches
  meta_assert "$1"
}

# meta_ls SIDE PHASE: times `ls -l` of SIDE's directory; checks it listed every file.
meta_ls() {
  local dir t0 t1 listed
  dir=$(meta_dir "$1")
  t0=$(now)
  ls -l --color=never "$dir" >"$WORK/ls.out"
  t1=$(now)
  listed=$(($(wc -l <"$WORK/ls.out") - 1))  # minus the "total" line
  ((listed == META_N)) || { echo "FATAL: ls -l $dir listed $listed of $META_N" >&2; exit 1; }
  record "meta_ls_${2}_$1" "$(elapsed "$t0" "$t1")"
}

run_meta_rows() {
  local side out t0 t1 phase
  record meta_n "$META_N"
  record meta_bindfs "$(bindfs --version 2>&1 | head -1)"
  mkdir -p "$BINDFS_SRC" "$BINDFS_MNT"
  bindfs_mount
  # Creates in META_CREATE_BATCHES batches, the sides taking turns batch by batch.
  local batch per first secs commit_secs=0
  declare -A create_secs=()
  per=$((META_N / META_CREATE_BATCHES))
  for side in "${META_SIDES[@]}"; do
    meta_assert "$side"
    mkdir "$(meta_dir "$side")"
    create_secs[$side]=0
  done
  log "metadata: create $META_N on each side, $META_CREATE_BATCHES batches taking turns"
  drop_caches
  for ((batch = 0; batch < META_CREATE_BATCHES; batch++)); do
    first=$((batch * per))
    ((batch == META_CREATE_BATCHES - 1)) && per=$((META_N - first))
    for side in "${META_SIDES[@]}"; do
      out=$("$META" create "$(meta_dir "$side")" "$per" "$first")
      record "meta_create_$side" "$(json_field "$out" per_second)"
      secs=$(json_field "$out" seconds)
      create_secs[$side]=$(python3 -c "print(${create_secs[$side]} + $secs)")
      if [[ $side == mount ]]; then
        # Versions still committing would run into the other sides' turns: waited for here,
        # timed apart.
        t0=$(now); reel_sync; t1=$(now)
        commit_secs=$(python3 -c "print($commit_secs + $(elapsed "$t0" "$t1"))")
      fi
    done
  done
  for side in "${META_SIDES[@]}"; do
    record "meta_create_total_$side" "$(python3 -c "print(round($META_N / ${create_secs[$side]}, 1))")"
  done
  record meta_commit_seconds "$(python3 -c "print(round($commit_secs, 3))")"
  for side in "${META_SIDES[@]}"; do
    log "metadata ($side): stat cold, warm; readdir"
    meta_cold "$side"
    for phase in stat_cold stat_warm; do
      out=$("$META" stat "$(meta_dir "$side")" "$META_N")
      record "meta_${phase}_$side" "$(json_field "$out" per_second)"
    done
    out=$("$META" readdir "$(meta_dir "$side")" "$READDIR_REPS")
    record "meta_readdir_$side" "$(json_field "$out" per_second)"
    record "meta_listings_$side" "$(json_field "$out" listings_per_second)"
  done
  for side in "${META_SIDES[@]}"; do
    log "metadata ($side): ls -l cold, warm"
    meta_cold "$side"
    meta_ls "$side" cold
    meta_ls "$side" warm
  done
  for side in "${META_SIDES[@]}"; do
    log "metadata ($side): unlink $META_N"
    meta_assert "$side"
    out=$("$META" unlink "$(meta_dir "$side")" "$META_N")
    record "meta_unlink_$side" "$(json_field "$out" per_second)"
    rmdir "$(meta_dir "$side")"
  done
  bindfs_umount
}
