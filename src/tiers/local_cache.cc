#include "tiers/local_cache.h"

#include <algorithm>

#include "catalog/catalog.h"
#include "store/chunk_keys.h"
#include "store/object_store.h"

namespace reel {

LocalCache::LocalCache(ObjectStore* local, Catalog* catalog, uint64_t limit_bytes)
    : local_(local), catalog_(catalog), limit_(limit_bytes) {}

Status LocalCache::Load() {
  struct Found {
    ChunkId id;
    uint64_t size;
    int64_t mtime;
  };
  std::vector<Found> found;
  REEL_RETURN_IF_ERROR(local_->List(kChunkPrefix, [&](const ObjectInfo& info) {
    if (auto id = ChunkIdFromKey(info.key)) found.push_back({*id, info.size, info.mtime_unix_ns});
    return true;
  }));
  // Oldest first, so the newest ends up at the front.
  std::sort(found.begin(), found.end(),
            [](const Found& a, const Found& b) { return a.mtime < b.mtime; });
  std::lock_guard lock(mu_);
  lru_.clear();
  entries_.clear();
  bytes_ = 0;
  for (const Found& f : found) {
    lru_.push_front(f.id);
    entries_[f.id] = Entry{f.size, lru_.begin()};
    bytes_ += f.size;
  }
  return Status::Ok();
}

void LocalCache::SetProtected(ProtectedFn fn) {
  std::lock_guard lock(mu_);
  protected_ = std::move(fn);
}

bool LocalCache::Contains(const ChunkId& id) {
  std::lock_guard lock(mu_);
  return entries_.count(id) != 0;
}

void LocalCache::Touch(const ChunkId& id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it != entries_.end()) lru_.splice(lru_.begin(), lru_, it->second.lru_pos);
}

void LocalCache::Added(const ChunkId& id, uint64_t size, bool reserved) {
  std::lock_guard lock(mu_);
  if (reserved) reserved_ -= std::min(reserved_, size);
  auto it = entries_.find(id);
  if (it != entries_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru_pos);
    return;
  }
  lru_.push_front(id);
  entries_[id] = Entry{size, lru_.begin()};
  bytes_ += size;
}

void LocalCache::Removed(const ChunkId& id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  bytes_ -= it->second.size;
  lru_.erase(it->second.lru_pos);
  entries_.erase(it);
}

Result<uint64_t> LocalCache::EvictOne(const ChunkId& id) {
  if (!Contains(id)) return uint64_t{0};
  REEL_RETURN_IF_ERROR(local_->Delete(ChunkKey(id)));
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return uint64_t{0};
  uint64_t size = it->second.size;
  bytes_ -= size;
  lru_.erase(it->second.lru_pos);
  entries_.erase(it);
  ++evicted_chunks_;
  evicted_bytes_ += size;
  return size;
}

Status LocalCache::Reserve(uint64_t size) {
  {
    std::lock_guard lock(mu_);
    reserved_ += size;
  }
  return MakeRoom();
}

void LocalCache::Unreserve(uint64_t size) {
  std::lock_guard lock(mu_);
  reserved_ -= std::min(reserved_, size);
}

Status LocalCache::MakeRoom() {
  if (limit_ == 0) return Status::Ok();
  {
    std::lock_guard lock(mu_);
    if (bytes_ + reserved_ <= limit_) return Status::Ok();
  }
  std::lock_guard pass(evict_mu_);
  // Walk from the cold end in batches; skip (and leave in place) dirty and protected chunks.
  constexpr size_t kBatch = 256;
  std::unordered_map<ChunkId, bool, ChunkIdHash> checked;  // id -> evictable
  while (true) {
    std::vector<ChunkId> candidates;
    ProtectedFn is_protected;
    {
      std::lock_guard lock(mu_);
      if (bytes_ + reserved_ <= limit_) return Status::Ok();
      is_protected = protected_;
      for (auto it = lru_.rbegin(); it != lru_.rend() && candidates.size() < kBatch; ++it) {
        if (!checked.count(*it)) candidates.push_back(*it);
      }
    }
    if (candidates.empty()) return Status::Ok();  // everything left is dirty or pinned
    REEL_ASSIGN_OR_RETURN(std::vector<TierMask> tiers, catalog_->GetChunkTiers(candidates));
    for (size_t i = 0; i < candidates.size(); ++i) {
      bool evictable = tiers[i] != 0 && !(is_protected && is_protected(candidates[i]));
      checked[candidates[i]] = evictable;
      if (!evictable) continue;
      REEL_RETURN_IF_ERROR(EvictOne(candidates[i]).status());
      std::lock_guard lock(mu_);
      if (bytes_ + reserved_ <= limit_) return Status::Ok();
    }
  }
}

Result<uint64_t> LocalCache::Evict(const std::vector<ChunkId>& ids, bool include_protected,
                                   uint64_t* chunks) {
  std::lock_guard pass(evict_mu_);
  ProtectedFn is_protected;
  {
    std::lock_guard lock(mu_);
    is_protected = protected_;
  }
  REEL_ASSIGN_OR_RETURN(std::vector<TierMask> tiers, catalog_->GetChunkTiers(ids));
  uint64_t freed = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (tiers[i] == 0) continue;
    if (!include_protected && is_protected && is_protected(ids[i])) continue;
    REEL_ASSIGN_OR_RETURN(uint64_t bytes, EvictOne(ids[i]));
    freed += bytes;
    if (chunks != nullptr && bytes > 0) ++*chunks;
  }
  return freed;
}

CacheStats LocalCache::Stats() {
  std::lock_guard lock(mu_);
  return CacheStats{limit_, bytes_, entries_.size(), evicted_chunks_, evicted_bytes_};
}

}  // namespace reel
