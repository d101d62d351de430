// ChunkReader: fetches chunks from the store, verifies each against its hash, and keeps recently
// used ones in memory (LRU, bounded by bytes). Prefetch() fetches ahead on a small pool of
// threads (readahead for streaming readers): a streaming reader's consecutive chunks are cut
// into runs of up to kPrefetchRunBytes, and each run is fetched with one ObjectStore::GetChunks
// call (a tiered store reads chunks that lie next to each other in a pack with ONE ranged GET),
// several runs in parallel. A Get of a chunk being fetched waits for that fetch instead of
// starting another.
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
#include <span>
#include <unordered_map>
#include <vector>

#include "chunking/chunk_names.h"
#include "common/chunk_id.h"
#include "common/shared_bytes.h"
#include "common/status.h"

namespace reel {

class ObjectStore;

// A chunk's verified bytes (maybe a slice of a fetched pack run's buffer).
using ChunkData = SharedBytes;

// The most bytes one prefetch run asks the store for at once (about one pack; a 64 MiB window is
// four runs fetched in parallel).
inline constexpr uint64_t kPrefetchRunBytes = 16ull << 20;

class ChunkReader {
 public:
  // Chunks are checked against their names under `names`.
  ChunkReader(ObjectStore* store, const ChunkNames& names, uint64_t capacity_bytes,
              uint32_t prefetch_threads = 8);
  ~ChunkReader();
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;

  // The verified content of `ref` (Corruption if the stored bytes do not hash to the id or have
  // the wrong length; NotFound if the store lacks it).
  Result<ChunkData> Get(const ChunkRef& ref);
  // Fetches and verifies without caching (fsck).
  Status Verify(const ChunkId& id, uint64_t* bytes);
  void Drop(const ChunkId& id);
  // Starts fetching `refs` (consecutive chunks of a file, in read order) in the background,
  // except those cached, loading or queued, and those that do not fit in the prefetch queue.
  // Errors are not reported (the reader that needs a chunk fetches it again).
  void Prefetch(std::span<const ChunkRef> refs);
  uint64_t prefetched() const { return prefetched_.load(); }

 private:
  struct Entry {
    ChunkData data;
    std::list<ChunkId>::iterator lru_pos;
  };
  // Ends a fetch this thread claimed in loading_: caches a success, wakes the waiting readers.
  void Settle(const ChunkId& id, std::promise<Result<ChunkData>>& promise,
              const Result<ChunkData>& result);
  void Insert(const ChunkId& id, const ChunkData& data);

  Result<ChunkData> Fetch(const ChunkRef& ref);
  // `got` as the content of `ref`: Corruption unless its length matches and it hashes to the id
  // (hashed here unless the store `verified` it).
  Result<ChunkData> Checked(const ChunkRef& ref, Result<SharedBytes> got, bool verified) const;
  // Fetches the chunks of `run` that are neither cached nor loading, with one GetChunks call;
  // readers of any of them wait for it.
  void FetchRun(const std::vector<ChunkRef>& run);
  void PrefetchLoop();

  ObjectStore* store_;
  const ChunkNames names_;
  const uint64_t capacity_;
  // Drops `id`'s entry (must exist) and what it counted.
  using EntryMap = std::unordered_map<ChunkId, Entry, ChunkIdHash>;
  void EraseLocked(EntryMap::iterator it);

  std::mutex mu_;  // guards lru_, entries_, buffers_, bytes_, loading_
  // Fetches in progress: a second reader of the same cold chunk waits for the first fetch.
  std::unordered_map<ChunkId, std::shared_future<Result<ChunkData>>, ChunkIdHash> loading_;
  std::list<ChunkId> lru_;  // front = most recently used
  EntryMap entries_;
  // Chunks that are slices of one fetched buffer (a pack run) keep all of it alive, so the bound
  // counts buffers: a buffer's whole size while any of its chunks is cached. (Counting slices, a
  // few chunks kept from many runs could hold many times the capacity.)
  struct BufferUse {
    size_t bytes = 0;
    size_t chunks = 0;
  };
  std::unordered_map<const void*, BufferUse> buffers_;
  uint64_t bytes_ = 0;

  std::mutex prefetch_mu_;  // guards prefetch_queue_, queued_chunks_, stop_
  std::condition_variable prefetch_cv_;
  std::deque<std::vector<ChunkRef>> prefetch_queue_;  // runs of consecutive chunks
  size_t queued_chunks_ = 0;
  bool stop_ = false;
  std::atomic<uint64_t> prefetched_{0};
  std::vector<std::thread> prefetchers_;
};

}  // namespace reel
