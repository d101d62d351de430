// The wait between attempts of work that failed on contention (a busy or conflicting database
// transaction): the delay doubles from `first` up to `cap`, plus a random jitter of up to half of
// it, so the attempts that collided spread out instead of colliding again. One per retry loop.
#pragma once

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

namespace reel {

class RetryBackoff {
 public:
  RetryBackoff(std::chrono::microseconds first, std::chrono::microseconds cap)
      : delay_(first), cap_(cap) {}

  // Sleeps for the current delay plus jitter, then doubles the delay (up to the cap).
  void Wait() {
    thread_local std::minstd_rand rng(std::random_device{}());
    const auto jitter = std::chrono::microseconds(rng() % (delay_.count() / 2 + 1));
    std::this_thread::sleep_for(delay_ + jitter);
    delay_ = std::min(delay_ * 2, cap_);
  }

 private:
  std::chrono::microseconds delay_;
  const std::chrono::microseconds cap_;
};

}  // namespace reel
