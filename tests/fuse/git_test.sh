#!/usr/bin/env bash
# git inside the mount: init, commit, clone, checkout, gc, fsck.
source "$(dirname "$0")/lib.sh" "$1"
init_drive
mount_drive
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
export GIT_CONFIG_NOSYSTEM=1 HOME=$WORK

log "git init + commits in the mount"
git init -q -b main "$MNT/repo"
cd "$MNT/repo"
for i in $(seq 1 20); do
  seq 1 $((i * 100)) > "file$((i % 5)).txt"
  mkdir -p "dir$((i % 3))" && echo "$i" > "dir$((i % 3))/n.txt"
  git add -A && git commit -q -m "commit $i"
done
check "log length" [ "$(git rev-list --count HEAD)" = 20 ]
git checkout -q -b feature HEAD~5
echo feature > feature.txt && git add feature.txt && git commit -q -m feature
git checkout -q main
check "checkout switches content" [ ! -e feature.txt ]
git checkout -q feature
check "checkout back" [ "$(cat feature.txt)" = feature ]
check "git fsck" git fsck --full --strict --no-progress
git checkout -q main
git gc -q
check "git fsck after gc" git fsck --full --no-progress

log "clone out of and into the mount"
git clone -q "$MNT/repo" "$WORK/out"
check "clone out" [ "$(git -C "$WORK/out" rev-list --count HEAD)" = 20 ]
git clone -q "$WORK/out" "$MNT/clone"
check "clone into mount" [ "$(git -C "$MNT/clone" rev-list --count HEAD)" = 20 ]
check "clone fsck" git -C "$MNT/clone" fsck --full --no-progress
check "worktree matches" diff -r --exclude=.git "$WORK/out" "$MNT/clone"
cd /
unmount_drive
mount_drive
check "fsck after remount" git -C "$MNT/repo" fsck --full --no-progress
check "status clean after remount" [ -z "$(git -C "$MNT/repo" status --porcelain)" ]
unmount_drive
finish
