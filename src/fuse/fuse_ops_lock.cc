// getlk, setlk, flock: locks other machines see (engine/file_locks.h), for a mount that has
// them (a team mount); without, these ops are not registered and the kernel keeps locks for
// this machine alone. A lock another holder has: EAGAIN (F_SETLK, LOCK_NB), or a wait until it
// goes (F_SETLKW, flock without LOCK_NB: fuse/lock_waiters.h). A lock the server cannot be
// asked about: ENOLCK.
#include <fcntl.h>
#include <sys/file.h>

#include <spdlog/spdlog.h>

#include "engine/file_locks.h"
#include "fuse/fuse_reply.h"
#include "fuse/lock_waiters.h"
#include "fuse/op_timing.h"

namespace reel::fuse {
namespace {

FileLocks& Locks(fuse_req_t req) { return *Eng(req).file_locks(); }

LockType TypeOf(short l_type) {
  if (l_type == F_RDLCK) return LockType::kRead;
  if (l_type == F_WRLCK) return LockType::kWrite;
  return LockType::kUnlock;
}

// The bytes of a struct flock the kernel hands over: l_start from the start of the file (the
// kernel resolved SEEK_CUR and SEEK_END), l_len 0 to the end (negative lengths resolved too).
Result<FileLock> PosixLock(const struct flock& fl, uint64_t owner) {
  FileLock lock;
  lock.flavor = LockFlavor::kPosix;
  lock.type = TypeOf(fl.l_type);
  lock.owner = owner;
  if (fl.l_start < 0 || fl.l_len < 0) return Status::InvalidArgument("negative lock range");
  lock.first = static_cast<uint64_t>(fl.l_start);
  lock.last = fl.l_len == 0 ? kLockToEnd
                            : std::min<uint64_t>(kLockToEnd, lock.first +
                                                                 static_cast<uint64_t>(fl.l_len) -
                                                                 1);
  if (lock.first > kLockToEnd) return Status::InvalidArgument("lock range past the end");
  lock.pid = fl.l_pid > 0 ? static_cast<uint32_t>(fl.l_pid) : 0;
  return lock;
}

// Sets `lock`; answers the request, or hands it to the mount's waiters when `wait`.
void SetAndReply(fuse_req_t req, fuse_ino_t ino, const FileLock& lock, bool wait) {
  Result<std::optional<LockHolderInfo>> r = Locks(req).Set(ino, lock);
  if (!r.ok()) {
    spdlog::warn("lock on inode {}: {}", ino, r.status().ToString());
    return (void)fuse_reply_err(req, ENOLCK);
  }
  if (!r->has_value()) return (void)fuse_reply_err(req, 0);
  if (!wait || Ctx(req).lock_waiters == nullptr) return (void)fuse_reply_err(req, EAGAIN);
  Ctx(req).lock_waiters->Add(req, ino, lock);
}

void GetLk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* fl) {
  Result<FileLock> lock = PosixLock(*fl, fi->lock_owner);
  if (!lock.ok()) return (void)fuse_reply_err(req, EINVAL);
  Result<std::optional<LockHolderInfo>> r = Locks(req).Test(ino, *lock);
  if (!r.ok()) {
    spdlog::warn("lock test on inode {}: {}", ino, r.status().ToString());
    return (void)fuse_reply_err(req, ENOLCK);
  }
  struct flock out = *fl;
  if (!r->has_value()) {
    out.l_type = F_UNLCK;
  } else {
    const FileLock& held = (*r)->lock;
    out.l_type = held.type == LockType::kWrite ? F_WRLCK : F_RDLCK;
    out.l_whence = SEEK_SET;
    out.l_start = static_cast<off_t>(held.first);
    out.l_len = held.last == kLockToEnd ? 0 : static_cast<off_t>(held.last - held.first + 1);
    out.l_pid = static_cast<pid_t>(held.pid);
  }
  fuse_reply_lock(req, &out);
}

void SetLk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* fl, int sleep) {
  Result<FileLock> lock = PosixLock(*fl, fi->lock_owner);
  if (!lock.ok()) return (void)fuse_reply_err(req, EINVAL);
  if (lock->pid == 0) lock->pid = static_cast<uint32_t>(fuse_req_ctx(req)->pid);
  SetAndReply(req, ino, *lock, sleep != 0 && lock->type != LockType::kUnlock);
}

void Flock(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, int op) {
  FileLock lock;
  lock.flavor = LockFlavor::kFlock;
  lock.owner = fi->lock_owner;
  lock.pid = static_cast<uint32_t>(fuse_req_ctx(req)->pid);
  switch (op & (LOCK_SH | LOCK_EX | LOCK_UN)) {
    case LOCK_SH:
      lock.type = LockType::kRead;
      break;
    case LOCK_EX:
      lock.type = LockType::kWrite;
      break;
    case LOCK_UN:
      lock.type = LockType::kUnlock;
      break;
    default:
      return (void)fuse_reply_err(req, EINVAL);
  }
  SetAndReply(req, ino, lock, (op & LOCK_NB) == 0 && lock.type != LockType::kUnlock);
}

}  // namespace

void ReleaseLocksOf(fuse_ino_t ino, uint64_t owner, bool flock, Engine& engine) {
  FileLocks* locks = engine.file_locks();
  if (locks == nullptr || !locks->Holds(ino)) return;
  FileLock unlock;
  unlock.flavor = flock ? LockFlavor::kFlock : LockFlavor::kPosix;
  unlock.type = LockType::kUnlock;
  unlock.owner = owner;
  Result<std::optional<LockHolderInfo>> r = locks->Set(ino, unlock);
  if (!r.ok()) {
    spdlog::warn("inode {}: locks of a closed file not released ({}); they go when this "
                 "mount's lock session ends",
                 ino, r.status().ToString());
  }
}

void AddLockOps(fuse_lowlevel_ops& ops) {
  ops.getlk = Timed<Op::getlk, GetLk>::Call;
  ops.setlk = Timed<Op::setlk, SetLk>::Call;
  ops.flock = Timed<Op::flock, Flock>::Call;
}

}  // namespace reel::fuse
