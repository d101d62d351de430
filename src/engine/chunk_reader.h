// ChunkReader: fetches chunks from the store, verifies each against its hash, and keeps recently
// used ones in memory (LRU, bounded by bytes). Prefetch() fetches ahead on a small pool of
// threads (readahead for streaming readers: chunks on a remote tier arrive in parallel); a Get of
// a chunk being prefetched waits for that fetch instead of starting another.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <thread>
#include <future>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "common/chunk_id.h"
#include "common/status.h"

namespace reel {

class ObjectStore;

using ChunkData = std::shared_ptr<const std::vector<uint8_t>>;

class ChunkReader {
 public:
  ChunkReader(ObjectStore* store, uint64_t capacity_bytes, uint32_t prefetch_threads = 8);
  ~ChunkReader();
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;

  // The verified content of `ref` (Corruption if the stored bytes do not hash to the id or have
  // the wrong length; NotFound if the store lacks it).
  Result<ChunkData> Get(const ChunkRef& ref);
  // Fetches and verifies without caching (fsck).
  Status Verify(const ChunkId& id, uint64_t* bytes);
  void Drop(const ChunkId& id);
  // Starts fetching `ref` in the background unless it is cached, loading or the prefetch queue
  // is full. Errors are not reported (the reader that needs the chunk fetches it again).
  void Prefetch(const ChunkRef& ref);
  uint64_t prefetched() const { return prefetched_.load(); }

 private:
  struct Entry {
    ChunkData data;
    std::list<ChunkId>::iterator lru_pos;
  };
  void Insert(const ChunkId& id, const ChunkData& data);

  Result<ChunkData> Fetch(const ChunkRef& ref);
  void PrefetchLoop();

  ObjectStore* store_;
  const uint64_t capacity_;
  std::mutex mu_;  // guards lru_, entries_, bytes_, loading_
  // Fetches in progress: a second reader of the same cold chunk waits for the first fetch.
  std::unordered_map<ChunkId, std::shared_future<Result<ChunkData>>, ChunkIdHash> loading_;
  std::list<ChunkId> lru_;  // front = most recently used
  std::unordered_map<ChunkId, Entry, ChunkIdHash> entries_;
  uint64_t bytes_ = 0;

  std::mutex prefetch_mu_;  // guards prefetch_queue_, stop_
  std::condition_variable prefetch_cv_;
  std::deque<ChunkRef> prefetch_queue_;
  bool stop_ = false;
  std::atomic<uint64_t> prefetched_{0};
  std::vector<std::thread> prefetchers_;
};

}  // namespace reel
