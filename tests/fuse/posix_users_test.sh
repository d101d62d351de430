#!/usr/bin/env bash
# Permission rules for every user of the machine, with the local disk as the oracle: the same
# operations (posix_users_ops.py) run as root and as two unprivileged users, phase by phase, in a
# directory on the local disk and on a mount made by root (other users let in by default); every
# line (errno, resulting type/mode/owner/links/rdev, which times changed) must match. Then: a
# `--private` mount keeps other users out. Needs root: it creates the users and mounts for all.
source "$(dirname "$0")/lib.sh" "$1"
if [[ $(id -u) != 0 ]]; then
  echo "FAIL: this test needs root (it creates users and mounts for every user)" >&2
  exit 1
fi

USERS=(reeltest1 reeltest2)
CREATED_USERS=()
remove_users() {
  local u
  for u in "${CREATED_USERS[@]}"; do userdel "$u" 2>/dev/null || true; done
  if ((${#CREATED_USERS[@]} > 0)); then groupdel reeltestg 2>/dev/null || true; fi
}
U1=$WORK/user1  # a drive and mount of reeltest1
on_exit() {
  local rc=$?
  set +e  # clean up whatever fails
  fusermount3 -uz "$U1/mnt" 2>/dev/null || true
  remove_users
  (exit "$rc")  # lib.sh's cleanup exits with the status it finds
  cleanup
}
trap on_exit EXIT

# reeltest1 is in the extra group reeltestg, reeltest2 is not (the chgrp and setgid rules).
groupadd -f reeltestg
for u in "${USERS[@]}"; do
  if ! id -u "$u" >/dev/null 2>&1; then
    useradd -M -U -s /usr/sbin/nologin "$u"
    CREATED_USERS+=("$u")
  fi
done
usermod -a -G reeltestg reeltest1

# Everything the users run or touch must be reachable by them: $WORK is 0700 from mktemp.
chmod 755 "$WORK"
DRIVER=$WORK/posix_users_ops.py
install -m 755 "$(dirname "$0")/posix_users_ops.py" "$DRIVER"
ORACLE=$WORK/oracle
mkdir -m 755 "$ORACLE"
PYTHON=$(command -v python3)
[[ "$PYTHON" != /root/* ]] || PYTHON=/usr/bin/python3  # a root-only shim is no use to others

run_as() {  # run_as USER TREE PHASE
  local user=$1 tree=$2 phase=$3
  if [[ $user == root ]]; then
    "$PYTHON" "$DRIVER" "$tree" "$phase"
  else
    setpriv --reuid="$user" --regid="$user" --init-groups "$PYTHON" "$DRIVER" "$tree" "$phase"
  fi
}

init_drive
mount_drive
chmod 755 "$MNT"
check "the mount lets other users in by default when mounted by root" \
  setpriv --reuid=reeltest1 --regid=reeltest1 --init-groups stat "$MNT/."

for step in root:setup reeltest1:user1 reeltest2:user2 root:root root:list; do
  user=${step%%:*} phase=${step#*:}
  log "phase $phase as $user"
  run_as "$user" "$ORACLE" "$phase" > "$WORK/oracle.$phase" 2>&1 ||
    fail "phase $phase as $user on the local disk: $(tail -3 "$WORK/oracle.$phase")"
  run_as "$user" "$MNT" "$phase" > "$WORK/mount.$phase" 2>&1 ||
    fail "phase $phase as $user on the mount: $(tail -3 "$WORK/mount.$phase")"
  if diff -u "$WORK/oracle.$phase" "$WORK/mount.$phase" > "$WORK/diff.$phase"; then
    pass
  else
    fail "phase $phase as $user differs from the local disk (- local disk, + mount):"
    cat "$WORK/diff.$phase" >&2
  fi
done
# The oracle makes the rules; these lines make sure the cases ran at all.
check "fifos, devices and sockets were created on the mount" \
  grep -Eq '^sgid/u1_dir/fifo +p 0640 reeltest1:reeltestg' "$WORK/mount.list"
check "a device keeps its numbers" grep -q 'rdev=7,0' "$WORK/mount.list"
check "the stranger phase ran" grep -q '^unlink in sticky (not owner) sticky/u1_chr *EPERM' \
  "$WORK/mount.user2"

log "a --private mount keeps other users out"
unmount_drive
mount_drive --private
check "root still uses a private mount" bash -c "ls '$MNT' >/dev/null"
check "another user gets EACCES on a private mount" \
  bash -c "! setpriv --reuid=reeltest1 --regid=reeltest1 --init-groups ls '$MNT' 2>/dev/null"
unmount_drive

log "a mount by a user other than root"
as_user1() {
  setpriv --reuid=reeltest1 --regid=reeltest1 --init-groups \
    env HOME="$U1" XDG_RUNTIME_DIR="$U1/run" "$@"
}
mkdir -m 755 "$U1"
chown reeltest1: "$U1"
as_user1 mkdir -m 755 "$U1/mnt"
as_user1 mkdir -m 700 "$U1/run"
as_user1 "$REEL" init "$U1/drive" >/dev/null
# The warning comes before the mount is tried, so it is checked even where users may not open
# /dev/fuse (a container): there the mount itself fails and its effect is not checked.
mounted=0
if as_user1 "$REEL" mount "$U1/mnt" --drive "$U1/drive" --background 2> "$WORK/user1.err" \
    >/dev/null; then
  mounted=1
fi
if grep -Eq '^[[:space:]]*user_allow_other' /etc/fuse.conf 2>/dev/null; then
  check "fuse.conf allows others in: no warning" bash -c "! grep -q warning '$WORK/user1.err'"
else
  check "without user_allow_other the mount warns that others are kept out" \
    grep -q 'other users of this machine will get "permission denied".*user_allow_other' \
    "$WORK/user1.err"
fi
if ((mounted)); then
  as_user1 touch "$U1/mnt/mine"
  if grep -Eq '^[[:space:]]*user_allow_other' /etc/fuse.conf 2>/dev/null; then
    check "fuse.conf allows it: another user gets in" \
      setpriv --reuid=reeltest2 --regid=reeltest2 --init-groups ls "$U1/mnt/mine"
  else
    check "without user_allow_other another user gets EACCES" \
      bash -c "! setpriv --reuid=reeltest2 --regid=reeltest2 --init-groups ls '$U1/mnt' 2>/dev/null"
  fi
  as_user1 "$REEL" umount "$U1/mnt"
else
  log "reeltest1 may not open /dev/fuse here ($(stat -c %A /dev/fuse)): its mount is not tried"
  check "the mount failed for /dev/fuse, not for something else" \
    grep -q 'could not mount' "$WORK/user1.err"
fi

finish
