#include "tiers/tiered_store.h"

#include <algorithm>

#include "chunking/sha256.h"
#include "store/chunk_keys.h"

namespace reel {

TieredStore::TieredStore(std::unique_ptr<ObjectStore> local, std::vector<SharedTier> shared,
                         Catalog* catalog, uint64_t cache_limit_bytes)
    : local_(std::move(local)),
      shared_(std::move(shared)),
      // With no shared tier nothing is ever clean: the limit could never be honoured.
      cache_(local_.get(), catalog, shared_.empty() ? 0 : cache_limit_bytes) {}

Status TieredStore::Open() { return cache_.Load(); }

Status TieredStore::Put(const std::string& key, std::span<const uint8_t> data) {
  REEL_RETURN_IF_ERROR(local_->Put(key, data));
  return AfterLocalPut(key, data.size());
}

Status TieredStore::PutUnsynced(const std::string& key, std::span<const uint8_t> data) {
  REEL_RETURN_IF_ERROR(local_->PutUnsynced(key, data));
  return AfterLocalPut(key, data.size());
}

Status TieredStore::AfterLocalPut(const std::string& key, uint64_t size) {
  if (auto id = ChunkIdFromKey(key)) {
    cache_.Added(*id, size);
    REEL_RETURN_IF_ERROR(cache_.MakeRoom());
  }
  return Status::Ok();
}

Result<std::vector<uint8_t>> TieredStore::Get(const std::string& key) {
  bool verified = false;
  return GetChunk(key, &verified);
}

Result<std::vector<uint8_t>> TieredStore::GetChunk(const std::string& key, bool* verified) {
  *verified = false;
  auto got = local_->Get(key);
  if (got.ok()) {
    if (auto id = ChunkIdFromKey(key)) cache_.Touch(*id);
    local_hits_.fetch_add(1, std::memory_order_relaxed);
    return got;
  }
  if (got.status().code() != Code::kNotFound || shared_.empty()) return got;
  auto fetched = FetchRemote(key);
  *verified = fetched.ok() && ChunkIdFromKey(key).has_value();
  return fetched;
}

Result<std::vector<uint8_t>> TieredStore::FetchRemote(const std::string& key) {
  std::optional<ChunkId> id = ChunkIdFromKey(key);
  Status last = Status::NotFound("object '" + key + "' is on no tier");
  for (const SharedTier& tier : shared_) {
    auto got = tier.store->Get(key);
    if (!got.ok()) {
      if (got.status().code() != Code::kNotFound) last = got.status().WithContext(tier.name);
      continue;
    }
    if (id && Sha256(*got) != *id) {
      last = Status::Corruption("chunk " + id->Hex() + " from the " + tier.name +
                                " tier does not match its hash");
      continue;
    }
    remote_fetches_.fetch_add(1, std::memory_order_relaxed);
    remote_bytes_.fetch_add(got->size(), std::memory_order_relaxed);
    if (id) {
      // Keep a clean local copy, room made first so the cache never goes over its limit. A
      // failure to cache (disk full) does not fail the read.
      if (cache_.Reserve(got->size()).ok() && local_->Put(key, *got).ok()) {
        cache_.Added(*id, got->size(), true);
      } else {
        cache_.Unreserve(got->size());
      }
    }
    return got;
  }
  return last;
}

Result<std::vector<uint8_t>> TieredStore::GetRange(const std::string& key, uint64_t offset,
                                                   uint64_t length) {
  auto got = local_->GetRange(key, offset, length);
  if (got.ok() || got.status().code() != Code::kNotFound || shared_.empty()) return got;
  // Chunks are small: fetch (and cache) the whole object, then cut.
  REEL_ASSIGN_OR_RETURN(std::vector<uint8_t> all, FetchRemote(key));
  if (offset >= all.size()) return std::vector<uint8_t>{};
  uint64_t end = std::min<uint64_t>(all.size(), offset + length);
  return std::vector<uint8_t>(all.begin() + static_cast<ptrdiff_t>(offset),
                              all.begin() + static_cast<ptrdiff_t>(end));
}

Result<ObjectInfo> TieredStore::Head(const std::string& key) {
  auto got = local_->Head(key);
  if (got.ok() || got.status().code() != Code::kNotFound) return got;
  for (const SharedTier& tier : shared_) {
    auto info = tier.store->Head(key);
    if (info.ok() || info.status().code() != Code::kNotFound) return info;
  }
  return got;
}

Status TieredStore::Delete(const std::string& key) {
  REEL_RETURN_IF_ERROR(local_->Delete(key));
  if (auto id = ChunkIdFromKey(key)) cache_.Removed(*id);
  for (const SharedTier& tier : shared_) {
    REEL_RETURN_IF_ERROR(tier.store->Delete(key).WithContext(tier.name));
  }
  return Status::Ok();
}

Status TieredStore::List(const std::string& prefix,
                         const std::function<bool(const ObjectInfo&)>& visit) {
  bool go_on = true;
  auto wrapped = [&](const ObjectInfo& info) { return go_on = visit(info); };
  REEL_RETURN_IF_ERROR(local_->List(prefix, wrapped));
  for (const SharedTier& tier : shared_) {
    if (!go_on) break;
    REEL_RETURN_IF_ERROR(tier.store->List(prefix, wrapped).WithContext(tier.name));
  }
  return Status::Ok();
}

std::string TieredStore::Uri() const {
  std::string out = local_->Uri();
  for (const SharedTier& tier : shared_) out += " + " + tier.name + " " + tier.store->Uri();
  return out;
}

ObjectStore* TieredStore::shared(TierMask bit) const {
  for (const SharedTier& tier : shared_) {
    if (tier.bit == bit) return tier.store.get();
  }
  return nullptr;
}

TierMask TieredStore::shared_mask() const {
  TierMask m = 0;
  for (const SharedTier& tier : shared_) m |= tier.bit;
  return m;
}

TierMask TieredStore::working_tier() const { return shared(kTierEdge) ? kTierEdge : 0; }

TierFetchStats TieredStore::fetch_stats() const {
  return {local_hits_.load(), remote_fetches_.load(), remote_bytes_.load()};
}

}  // namespace reel
