// ChunkReader: fetches chunks from the store, verifies each against its hash, and keeps recently
// used ones in memory (LRU, bounded by bytes).
#pragma once

#include <cstdint>
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
  ChunkReader(ObjectStore* store, uint64_t capacity_bytes);

  // The verified content of `ref` (Corruption if the stored bytes do not hash to the id or have
  // the wrong length; NotFound if the store lacks it).
  Result<ChunkData> Get(const ChunkRef& ref);
  // Fetches and verifies without caching (fsck).
  Status Verify(const ChunkId& id, uint64_t* bytes);
  void Drop(const ChunkId& id);

 private:
  struct Entry {
    ChunkData data;
    std::list<ChunkId>::iterator lru_pos;
  };
  void Insert(const ChunkId& id, const ChunkData& data);

  Result<ChunkData> Fetch(const ChunkRef& ref);

  ObjectStore* store_;
  const uint64_t capacity_;
  std::mutex mu_;  // guards lru_, entries_, bytes_, loading_
  // Fetches in progress: a second reader of the same cold chunk waits for the first fetch.
  std::unordered_map<ChunkId, std::shared_future<Result<ChunkData>>, ChunkIdHash> loading_;
  std::list<ChunkId> lru_;  // front = most recently used
  std::unordered_map<ChunkId, Entry, ChunkIdHash> entries_;
  uint64_t bytes_ = 0;
};

}  // namespace reel
