// Ticker: a thread that calls `tick` at once and then every `every` until Stop(), which ends a
// wait at once (a tick running finishes first). For the work a process repeats in the
// background: a mount's reports to its team server, its task polls.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace reel {

class Ticker {
 public:
  Ticker() = default;
  ~Ticker();  // Stop()
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

  void Start(std::chrono::milliseconds every, std::function<void()> tick);
  // Returns once the thread is gone; true the first time (the ticker was running or never ran).
  bool Stop();
  // Ends the wait for the next tick at once (a tick running finishes first; a wake during it
  // makes the next one follow at once).
  void Wake();
  // Whether Stop() was called: a long tick may end early.
  bool stopping() const;

 private:
  mutable std::mutex mu_;  // guards stopping_, woken_
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace reel
