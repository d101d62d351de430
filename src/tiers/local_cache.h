// LocalCache: the index of the chunks held by this machine's local tier (a file:// store), and
// its size limit. Chunks are in LRU order; when the cache is over its limit, the least recently
// used chunks that are *clean* (durable on a shared tier, per the catalog) and not *protected*
// (pinned files) are deleted from the local store. Chunks that exist nowhere else (unsaved work)
// are never evicted, so a cache can be over its limit by that much: the limit is for clean data.
//
// The index is rebuilt at startup by listing the local store (LRU order approximated by object
// modification time), then kept current by the TieredStore that owns it.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "catalog/types.h"
#include "common/chunk_id.h"
#include "common/status.h"

namespace reel {

class Catalog;
class ObjectStore;

struct CacheStats {
  uint64_t limit_bytes = 0;  // 0: no limit
  uint64_t bytes = 0;        // chunk bytes held locally
  uint64_t chunks = 0;
  uint64_t evicted_chunks = 0;  // since start
  uint64_t evicted_bytes = 0;
};

class LocalCache {
 public:
  // Whether a chunk must stay (pinned). Called without the cache lock held.
  using ProtectedFn = std::function<bool(const ChunkId&)>;

  // `limit_bytes` 0 means unbounded (a drive with no shared tier: nothing is clean anyway).
  LocalCache(ObjectStore* local, Catalog* catalog, uint64_t limit_bytes);

  // Builds the index from the local store's listing.
  [[nodiscard]] Status Load();
  void SetProtected(ProtectedFn fn);

  bool Contains(const ChunkId& id);
  // Marks `id` most recently used (a read hit).
  void Touch(const ChunkId& id);
  // Records a chunk just stored locally (most recently used). `reserved`: it was counted by
  // Reserve() before.
  void Added(const ChunkId& id, uint64_t size, bool reserved = false);
  // Records a chunk removed from the local store by someone else (GC).
  void Removed(const ChunkId& id);
  // Evicts clean, unprotected chunks, least recently used first, until the cache is within its
  // limit or nothing more can go. Safe to call often: it returns at once when within the limit.
  [[nodiscard]] Status MakeRoom();
  // Before storing a fetched chunk of `size` bytes: counts it against the limit (so concurrent
  // fetches cannot overshoot it together) and makes room for it. Added() or Unreserve() ends the
  // reservation.
  [[nodiscard]] Status Reserve(uint64_t size);
  void Unreserve(uint64_t size);
  // Evicts these chunks if they are clean (explicit `reel evict`); returns bytes freed (and, with
  // `chunks`, adds the number of chunks evicted to it). Pinned
  // chunks are evicted too only when `include_protected` (unpinning a file first is the norm).
  [[nodiscard]] Result<uint64_t> Evict(const std::vector<ChunkId>& ids, bool include_protected,
                                       uint64_t* chunks = nullptr);
  CacheStats Stats();

 private:
  struct Entry {
    uint64_t size = 0;
    std::list<ChunkId>::iterator lru_pos;
  };
  // Deletes one chunk from the local store if it is still indexed; updates the counters. Returns
  // the bytes freed (0 when it was not there).
  Result<uint64_t> EvictOne(const ChunkId& id);

  ObjectStore* local_;
  Catalog* catalog_;
  const uint64_t limit_;

  std::mutex evict_mu_;  // serializes eviction passes (held while calling the catalog and store)
  std::mutex mu_;        // guards everything below; never held across store or catalog calls
  ProtectedFn protected_;
  std::list<ChunkId> lru_;  // front = most recently used
  std::unordered_map<ChunkId, Entry, ChunkIdHash> entries_;
  uint64_t bytes_ = 0;
  uint64_t reserved_ = 0;  // bytes of fetches about to be stored
  uint64_t evicted_chunks_ = 0;
  uint64_t evicted_bytes_ = 0;
};

}  // namespace reel
