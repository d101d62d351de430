// PublishRequests: versions this machine committed whose publish the team server recorded with
// the commit (a workspace with share = "on-close" publishes every save), handed from the engine's
// commit to Placement, which queues their uploads to the cloud tier. Thread-safe. A request that
// is never taken (the drive closed first, or crashed) is not lost: the catalog keeps it as a
// pending publish, and Placement queues the uploads of those whose chunks this machine holds
// when it starts.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

#include "catalog/types.h"

namespace reel {

class PublishRequests {
 public:
  // Version `number` of `ino` awaits its uploads; wakes the taker (under the lock, so that
  // SetWake(nullptr) returns only once no wake of the taker is under way).
  void Add(InodeId ino, uint64_t number) {
    std::lock_guard lock(mu_);
    pending_.emplace_back(ino, number);
    if (wake_) wake_();
  }
  // Everything added since the last call.
  std::vector<std::pair<InodeId, uint64_t>> Take() {
    std::lock_guard lock(mu_);
    return std::exchange(pending_, {});
  }
  // Called after each Add (nullptr: nobody to wake); it must not block.
  void SetWake(std::function<void()> wake) {
    std::lock_guard lock(mu_);
    wake_ = std::move(wake);
  }

 private:
  std::mutex mu_;  // guards pending_ and wake_
  std::vector<std::pair<InodeId, uint64_t>> pending_;
  std::function<void()> wake_;
};

}  // namespace reel
