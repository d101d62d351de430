// Committer: the background thread that turns staged writes into versions, so closing a file never
// waits for chunking and hashing. Files are queued by inode; a file queued twice is committed once.
// With the interval policy it also asks for a commit of every dirty file every N seconds.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "catalog/types.h"

namespace reel {

class Committer {
 public:
  // `commit(ino)` does the work; `tick()` runs every `interval_seconds` when that is > 0.
  Committer(std::function<void(InodeId)> commit, std::function<void()> tick,
            uint32_t interval_seconds);
  ~Committer();

  void Enqueue(InodeId ino);
  // Blocks until the queue is empty and no commit runs.
  void WaitIdle();
  size_t Pending();
  // Finishes the queue, then stops the thread.
  void Stop();

 private:
  void Loop();

  std::function<void(InodeId)> commit_;
  std::function<void()> tick_;
  const uint32_t interval_seconds_;
  std::mutex mu_;  // guards queue_, queued_, busy_, stop_
  std::condition_variable cv_;       // work arrived or stop
  std::condition_variable idle_cv_;  // queue drained
  std::deque<InodeId> queue_;
  std::set<InodeId> queued_;
  bool busy_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace reel
