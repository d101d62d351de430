#include "common/ticker.h"

namespace reel {

Ticker::~Ticker() { Stop(); }

void Ticker::Start(std::chrono::milliseconds every, std::function<void()> tick) {
  thread_ = std::thread([this, every, tick = std::move(tick)] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      woken_ = false;
      lock.unlock();
      tick();
      lock.lock();
      cv_.wait_for(lock, every, [this] { return stopping_ || woken_; });
    }
  });
}

bool Ticker::Stop() {
  bool first = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    first = !stopping_;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  return first;
}

void Ticker::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

bool Ticker::stopping() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_;
}

}  // namespace reel
