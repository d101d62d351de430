// EngineImpl: locks other machines see (engine/file_locks.h): lock-on-open.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "engine/engine_impl.h"
#include "engine/file_locks.h"

namespace reel {

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

FileLock WholeFileOpenLock(LockType type) {
  FileLock lock;
  lock.flavor = LockFlavor::kOpen;
  lock.type = type;
  return lock;
}

}  // namespace

void EngineImpl::SetFileLocks(std::shared_ptr<FileLocks> locks,
                              std::vector<std::string> lock_on_open) {
  locks_ = std::move(locks);
  lock_on_open_.clear();
  for (std::string& ending : lock_on_open) lock_on_open_.push_back(Lower(std::move(ending)));
}

bool EngineImpl::LockedOnOpen(const std::string& name) const {
  if (!locks_ || lock_on_open_.empty()) return false;
  const std::string lower = Lower(name);
  return std::any_of(lock_on_open_.begin(), lock_on_open_.end(), [&](const std::string& e) {
    return lower.size() >= e.size() && lower.compare(lower.size() - e.size(), e.size(), e) == 0;
  });
}

Status EngineImpl::TakeOpenLock(InodeId ino, const std::string& name) {
  {
    std::lock_guard lock(open_locks_mu_);
    auto it = open_locks_.find(ino);
    // Still held (not lost with a lapsed lock session): one more writer under it.
    if (it != open_locks_.end() && locks_->Holds(ino)) {
      ++it->second;
      return Status::Ok();
    }
  }
  REEL_ASSIGN_OR_RETURN(std::optional<LockHolderInfo> holder,
                        locks_->Set(ino, WholeFileOpenLock(LockType::kWrite)));
  if (holder) {
    return Status::Busy("\"" + name + "\" is open for writing by " + holder->user + " on " +
                        holder->host + " (lock-on-open)");
  }
  std::lock_guard lock(open_locks_mu_);
  ++open_locks_[ino];
  return Status::Ok();
}

void EngineImpl::DropOpenLockUser(InodeId ino) {
  {
    std::lock_guard lock(open_locks_mu_);
    auto it = open_locks_.find(ino);
    if (it == open_locks_.end() || it->second == 0) return;
    --it->second;
  }
  ReleaseOpenLockIfIdle(ino);
}

void EngineImpl::ReleaseOpenLockIfIdle(InodeId ino) {
  if (!locks_) return;
  {
    std::lock_guard lock(open_locks_mu_);
    auto it = open_locks_.find(ino);
    if (it == open_locks_.end() || it->second != 0) return;
    // Held until what was written under it is committed, so the next machine opens it.
    if (auto fs = FindFile(ino)) {
      std::shared_lock file_lock(fs->mu);
      if (fs->Dirty()) return;
    }
    open_locks_.erase(it);
  }
  Result<std::optional<LockHolderInfo>> r = locks_->Set(ino, WholeFileOpenLock(LockType::kUnlock));
  if (!r.ok()) {
    spdlog::warn("inode {}: lock-on-open not released ({}); it goes when this mount's lock "
                 "session ends",
                 ino, r.status().ToString());
  }
}

}  // namespace reel
