#include "fuse/lock_waiters.h"

#include <spdlog/spdlog.h>

namespace reel::fuse {

namespace {
constexpr std::chrono::milliseconds kRetryEvery{250};
}  // namespace

LockWaiters::~LockWaiters() { Stop(); }

void LockWaiters::Add(fuse_req_t req, InodeId ino, const FileLock& lock) {
  std::lock_guard l(mu_);
  if (stopping_) {
    fuse_reply_err(req, EINTR);
    return;
  }
  waiting_.push_back({req, ino, lock});
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  cv_.notify_one();
}

void LockWaiters::Stop() {
  std::thread thread;
  {
    std::lock_guard l(mu_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  cv_.notify_all();
  if (thread.joinable()) thread.join();
  std::lock_guard l(mu_);
  for (const Waiter& w : waiting_) fuse_reply_err(w.req, EINTR);
  waiting_.clear();
}

bool LockWaiters::TryAgain(const Waiter& w) {
  if (fuse_req_interrupted(w.req)) {
    fuse_reply_err(w.req, EINTR);
    return true;
  }
  Result<std::optional<LockHolderInfo>> r = locks_->Set(w.ino, w.lock);
  if (!r.ok()) {
    spdlog::warn("lock on inode {}: {}", w.ino, r.status().ToString());
    fuse_reply_err(w.req, ENOLCK);
    return true;
  }
  if (r->has_value()) return false;
  fuse_reply_err(w.req, 0);
  return true;
}

void LockWaiters::Run() {
  for (;;) {
    std::vector<Waiter> batch;
    {
      std::unique_lock l(mu_);
      cv_.wait(l, [this] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;
      batch.swap(waiting_);
    }
    std::vector<Waiter> still;
    for (const Waiter& w : batch) {
      if (!TryAgain(w)) still.push_back(w);
    }
    if (still.empty()) continue;
    locks_->WaitForRelease(0, kRetryEvery);
    std::lock_guard l(mu_);
    waiting_.insert(waiting_.begin(), still.begin(), still.end());
  }
}

}  // namespace reel::fuse
