#include "engine/committer.h"

#include <chrono>

namespace reel {

Committer::Committer(std::function<void(InodeId)> commit, std::function<void()> tick,
                     uint32_t interval_seconds)
    : commit_(std::move(commit)), tick_(std::move(tick)), interval_seconds_(interval_seconds),
      thread_([this] { Loop(); }) {}

Committer::~Committer() { Stop(); }

void Committer::Enqueue(InodeId ino) {
  std::lock_guard lock(mu_);
  if (queued_.insert(ino).second) queue_.push_back(ino);
  cv_.notify_one();
}

void Committer::WaitIdle() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [&] { return queue_.empty() && !busy_; });
}

size_t Committer::Pending() {
  std::lock_guard lock(mu_);
  return queue_.size() + (busy_ ? 1 : 0);
}

void Committer::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Committer::Loop() {
  using Clock = std::chrono::steady_clock;
  auto next_tick = Clock::now() + std::chrono::seconds(interval_seconds_);
  std::unique_lock lock(mu_);
  for (;;) {
    if (interval_seconds_ > 0) {
      cv_.wait_until(lock, next_tick, [&] { return stop_ || !queue_.empty(); });
    } else {
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    }
    if (interval_seconds_ > 0 && Clock::now() >= next_tick && !stop_) {
      next_tick = Clock::now() + std::chrono::seconds(interval_seconds_);
      busy_ = true;
      lock.unlock();
      tick_();
      lock.lock();
      busy_ = false;
    }
    if (!queue_.empty()) {
      InodeId ino = queue_.front();
      queue_.pop_front();
      queued_.erase(ino);
      busy_ = true;
      lock.unlock();
      commit_(ino);
      lock.lock();
      busy_ = false;
    }
    if (queue_.empty() && !busy_) idle_cv_.notify_all();
    if (stop_ && queue_.empty()) return;
  }
}

}  // namespace reel
