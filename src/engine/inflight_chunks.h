// InflightChunks: chunk ids a commit in progress has written or reuses but not yet referenced in
// the catalog. Garbage collection never deletes these.
#pragma once

#include <mutex>
#include <unordered_map>

#include "common/chunk_id.h"

namespace reel {

class InflightChunks {
 public:
  void Add(const ChunkId& id) {
    std::lock_guard lock(mu_);
    ++counts_[id];
  }
  void Remove(const ChunkId& id) {
    std::lock_guard lock(mu_);
    auto it = counts_.find(id);
    if (it != counts_.end() && --it->second == 0) counts_.erase(it);
  }
  // Runs `fn(is_inflight)` while no commit can start using `id`: GC checks and deletes under it.
  template <typename Fn>
  auto WithLocked(const ChunkId& id, Fn&& fn) {
    std::lock_guard lock(mu_);
    return fn(counts_.count(id) > 0);
  }

 private:
  std::mutex mu_;  // guards counts_
  std::unordered_map<ChunkId, int, ChunkIdHash> counts_;
};

}  // namespace reel
