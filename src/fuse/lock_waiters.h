// LockWaiters: the lock requests of a mount that wait for another holder to let go (F_SETLKW,
// flock without LOCK_NB). The handler that found the lock taken hands its request over and
// returns, so waiting processes never hold the mount's request threads; one thread of its own
// tries them again whenever a lock is released (here, or elsewhere as the change feed says) and
// every 250 ms, and answers each when it gets its lock, when its process is interrupted (EINTR)
// or when the server cannot be asked (ENOLCK). Stop() answers the rest EINTR.
#pragma once

#include <fuse_lowlevel.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/file_locks.h"

namespace reel::fuse {

class LockWaiters {
 public:
  explicit LockWaiters(FileLocks* locks) : locks_(locks) {}
  ~LockWaiters();  // Stop()
  LockWaiters(const LockWaiters&) = delete;
  LockWaiters& operator=(const LockWaiters&) = delete;

  // `req` waits for `lock` on `ino`; it is answered later, from another thread.
  void Add(fuse_req_t req, InodeId ino, const FileLock& lock);
  void Stop();

 private:
  struct Waiter {
    fuse_req_t req;
    InodeId ino;
    FileLock lock;
  };
  void Run();
  // Tries `w` again: true when it was answered.
  bool TryAgain(const Waiter& w);

  FileLocks* const locks_;
  std::mutex mu_;  // guards waiting_, stopping_, thread_
  std::condition_variable cv_;
  std::vector<Waiter> waiting_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace reel::fuse
