#!/usr/bin/env bash
# A team mount against a single-user mount on the same machine, PostgreSQL and S3 gateway
# (docs/benchmarks.md, "Team mount"). Starts a throwaway PostgreSQL (fsync on) and Ceph cluster
# (bluestore) on loopback with the project's scripts, then for each side:
#   create   N empty files in one directory (bench/meta_bench create), then `reel sync`
#   stat     stat() of the N names after a remount with the kernel's caches dropped
#   ls -l    of the directory, cold the same way
#   publish  a BIG MiB file to the cloud tier (`reel publish`: every byte uploaded), ROUNDS times
#            with a new file each round, both mounts up and taking turns (the side that goes
#            first alternates), so that load which drifts over minutes and the store's filling up
#            hit both sides alike: each side's median, the range, and the rounds' ratios
#   read     the last round's file cold: the single-user drive evicted from the cache and remounted, the team
#            side on a second machine (another user's mount with an empty cache)
# and on the team side a new machine (empty cache) listing the directory with `ls -l`. With
# --encrypted, publish and cold read also run through an encrypted workspace (chunks sealed with
# AES-256-GCM on the instance, keyed names).
#
#   sudo bench/team_mount_bench.sh [--build DIR] [--files N] [--big-mib M] [--rounds R] [--encrypted]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
FILES=10000
BIG_MIB=1024
ROUNDS=3
ENCRYPTED=0
while (($#)); do
  case $1 in
    --build) BUILD=$(readlink -f "$2"); shift ;;
    --files) FILES=$2; shift ;;
    --big-mib) BIG_MIB=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --encrypted) ENCRYPTED=1 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
REEL=$BUILD/src/cli/reel
META=$BUILD/bench/meta_bench
[[ -x $REEL && -x $META ]] || { echo "build reel and bench/meta_bench first ($BUILD)" >&2; exit 1; }
source "$ROOT/bench/team_servers.sh" team-mount bluestore
S3="s3://bench?endpoint=$S3_ENDPOINT&path_style=true&create_bucket=true"
s3_at() { echo "s3://bench/$1?endpoint=$S3_ENDPOINT&path_style=true&create_bucket=true"; }

now() { date +%s.%N; }
rate() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):,.0f}')" "$@"; }
secs() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$@"; }
drop() { sync; echo 3 >/proc/sys/vm/drop_caches; }
as() {  # as USER COMMAND...: a team user's login and cache, no store credentials
  local user=$1; shift
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY XDG_CONFIG_HOME="$WORK/$user/config" \
    XDG_DATA_HOME="$WORK/$user/data" "$@"
}

# The single-user drive, its cloud on the gateway.
mkdir -p "$WORK/solo/mnt"
"$REEL" init "$WORK/solo/drive" --cloud "$(s3_at solo)" >/dev/null
solo_mount() { "$REEL" mount "$WORK/solo/mnt" --drive "$WORK/solo/drive" --background >/dev/null; }
solo_umount() { "$REEL" umount "$WORK/solo/mnt" >/dev/null; }

# The team drive: a server on the same PostgreSQL server and gateway; alice writes, bob is the
# second machine.
PG_DB=${REEL_TEST_PG_URI%/*}/reel_team_bench
psql "$REEL_TEST_PG_URI" -qc "CREATE DATABASE reel_team_bench"
PORT=$(free_port)
"$REEL" server init "$WORK/server" --catalog "$PG_DB" --cloud "$(s3_at team)" \
  --listen "127.0.0.1:$PORT" >/dev/null
"$REEL" server run "$WORK/server" --background >/dev/null
for u in alice bob; do
  mkdir -p "$WORK/$u/mnt"
  "$REEL" server user add "$u" --dir "$WORK/server" >/dev/null
  "$REEL" server token create "$u" --dir "$WORK/server" 2>/dev/null | as "$u" "$REEL" login "http://127.0.0.1:$PORT" >/dev/null
done
as alice "$REEL" workspace create proj >/dev/null
as alice "$REEL" workspace grant proj bob writer >/dev/null
if ((ENCRYPTED)); then
  as alice "$REEL" workspace create vault --encrypted >/dev/null
  as alice "$REEL" workspace grant vault bob writer >/dev/null
  mkdir -p "$WORK/alice-vault/mnt" "$WORK/bob-vault/mnt"
fi
team_mount() { as "$1" "$REEL" mount "$WORK/$1/mnt" --workspace proj --background >/dev/null 2>&1; }
team_umount() { as "$1" "$REEL" umount "$WORK/$1/mnt" >/dev/null; }
vault_mount() { as "$1" "$REEL" mount "$WORK/$1-vault/mnt" --workspace vault --background >/dev/null 2>&1; }
vault_umount() { as "$1" "$REEL" umount "$WORK/$1-vault/mnt" >/dev/null; }

declare -A R
phase_meta() {  # phase_meta SIDE MNT MOUNTFN UMOUNTFN
  local side=$1 mnt=$2 t0 t1
  mkdir -p "$mnt/meta"
  drop
  R[$side.create]=$("$META" create "$mnt/meta" "$FILES" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["per_second"]))')
  "$REEL" sync "$mnt" >/dev/null
  $4; $3; drop
  R[$side.stat]=$("$META" stat "$mnt/meta" "$FILES" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["per_second"]))')
  $4; $3; drop
  t0=$(now); ls -l "$mnt/meta" >/dev/null; t1=$(now)
  R[$side.ls]=$(secs "$t0" "$t1")
}
publish_once() {  # publish_once SIDE MNT FILE: appends the rate to P[SIDE]
  local side=$1 mnt=$2 file=$3 t0 t1
  cp "$file" "$mnt/${file##*/}"
  "$REEL" sync "$mnt" >/dev/null
  t0=$(now); "$REEL" publish "$mnt/${file##*/}" >/dev/null; t1=$(now)
  P[$side]+=" $(python3 -c "import sys; print(f'{$BIG_MIB / ($t1 - $t0):.0f}')")"
}
cold_read() {  # cold_read SIDE FILE
  local t0 t1
  drop
  t0=$(now); sha256sum "$2" | cut -d' ' -f1 >"$WORK/$1.sha"; t1=$(now)
  R[$1.read]=$(python3 -c "import sys; print(f'{$BIG_MIB / ($t1 - $t0):.0f}')")
  cmp -s "$WORK/$1.sha" "$WORK/big.sha" || { echo "FATAL: $1 read other bytes" >&2; exit 1; }
}

# A new file of random bytes (nothing in it is on any tier yet) and its hash in $WORK/big.sha.
new_big() {
  rm -f "$WORK"/big-*.bin
  head -c $((BIG_MIB << 20)) /dev/urandom >"$WORK/big-$1.bin"
  sha256sum "$WORK/big-$1.bin" | cut -d' ' -f1 >"$WORK/big.sha"
}

solo_mount
phase_meta solo "$WORK/solo/mnt" solo_mount solo_umount
team_mount alice
phase_meta team "$WORK/alice/mnt" "team_mount alice" "team_umount alice"

declare -A P
for ((r = 1; r <= ROUNDS; r++)); do
  new_big "$r"
  if ((r % 2)); then
    publish_once solo "$WORK/solo/mnt" "$WORK/big-$r.bin"
    publish_once team "$WORK/alice/mnt" "$WORK/big-$r.bin"
  else
    publish_once team "$WORK/alice/mnt" "$WORK/big-$r.bin"
    publish_once solo "$WORK/solo/mnt" "$WORK/big-$r.bin"
  fi
done
BIG=big-$ROUNDS.bin

"$REEL" evict "$WORK/solo/mnt/$BIG" >/dev/null
solo_umount; solo_mount
cold_read solo "$WORK/solo/mnt/$BIG"
solo_umount
team_mount bob  # a second machine: its cache is empty
drop
t0=$(now); ls -l "$WORK/bob/mnt/meta" >/dev/null; t1=$(now)
R[team.newls]=$(secs "$t0" "$t1")
cold_read team "$WORK/bob/mnt/$BIG"
team_umount bob; team_umount alice
if ((ENCRYPTED)); then
  vault_mount alice
  publish_once vault "$WORK/alice-vault/mnt" "$WORK/$BIG"
  vault_mount bob
  cold_read vault "$WORK/bob-vault/mnt/$BIG"
  vault_umount bob; vault_umount alice
fi

# The median of a side's rounds, and "median (min-max)" for the table.
median() { python3 -c "import statistics,sys; print(round(statistics.median(map(float, sys.argv[1:]))))" $1; }
spread() {
  python3 -c "import statistics,sys; v=[float(x) for x in sys.argv[1:]]; print(f'{statistics.median(v):.0f} ({min(v):.0f}-{max(v):.0f})' if len(v) > 1 else f'{v[0]:.0f}')" $1
}
# The rounds' ratios team/solo, as "a, b, c".
round_ratios() {
  python3 -c "import sys; a=sys.argv[1].split(); b=sys.argv[2].split(); print(', '.join(f'{float(x)/float(y):.2f}' for x, y in zip(a, b)))" "$1" "$2"
}
R[solo.publish]=$(median "${P[solo]}")
R[team.publish]=$(median "${P[team]}")
((ENCRYPTED)) && R[vault.publish]=$(median "${P[vault]}")

ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}x')" "$@"; }
echo "# Team mount, $(date -u +%F) (commit $(git -C "$ROOT" rev-parse --short HEAD)): $FILES files, a $BIG_MIB MiB file"
echo
echo "| | single-user mount | team mount | team / single |"
echo "|---|---:|---:|---:|"
echo "| creates/s | ${R[solo.create]} | ${R[team.create]} | $(ratio "${R[team.create]}" "${R[solo.create]}") |"
echo "| stats/s (cold) | ${R[solo.stat]} | ${R[team.stat]} | $(ratio "${R[team.stat]}" "${R[solo.stat]}") |"
echo "| \`ls -l\` of $FILES files (cold), s | ${R[solo.ls]} | ${R[team.ls]} | $(ratio "${R[solo.ls]}" "${R[team.ls]}") (speed) |"
echo "| \`ls -l\` on a new machine, s | | ${R[team.newls]} | |"
echo "| publish, MB/s (median of $ROUNDS rounds, range) | $(spread "${P[solo]}") | $(spread "${P[team]}") | $(ratio "${R[team.publish]}" "${R[solo.publish]}") (rounds: $(round_ratios "${P[team]}" "${P[solo]}")) |"
echo "| cold read, MB/s | ${R[solo.read]} | ${R[team.read]} | $(ratio "${R[team.read]}" "${R[solo.read]}") |"
if ((ENCRYPTED)); then
  echo "| publish, encrypted workspace, MB/s | ${R[solo.publish]} | ${R[vault.publish]} | $(ratio "${R[vault.publish]}" "${R[solo.publish]}") |"
  echo "| cold read, encrypted workspace, MB/s | ${R[solo.read]} | ${R[vault.read]} | $(ratio "${R[vault.read]}" "${R[solo.read]}") |"
fi
