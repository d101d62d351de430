// Bounded waits on a condition, for tests: the way to wait for something another thread or
// process does (a fixed sleep is a guess that fails on a slow machine and wastes time on a fast
// one).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace reel::testing {

// Polls `done` until it returns true (true) or `timeout` passes (false).
template <typename Pred>
[[nodiscard]] bool WaitUntil(Pred done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

// Waits until thread `tid` of this process is blocked (state S or D in /proc: waiting on a lock,
// a condition or I/O) or `timeout` passes (false). Lets a test act only once another thread has
// reached a blocking wait, e.g. to prove that the wait ends because of what the test does next.
[[nodiscard]] inline bool WaitUntilBlocked(pid_t tid, std::chrono::milliseconds timeout) {
  return WaitUntil(
      [tid] {
        std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/stat");
        std::string line;
        std::getline(in, line);
        size_t close = line.rfind(')');  // the name may hold spaces and parentheses
        if (close == std::string::npos || close + 2 >= line.size()) return false;
        char state = line[close + 2];
        return state == 'S' || state == 'D';
      },
      timeout);
}

}  // namespace reel::testing
