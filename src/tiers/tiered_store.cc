#include "tiers/tiered_store.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "catalog/catalog.h"
#include "store/chunk_keys.h"
#include "tiers/pack_keys.h"

namespace reel {

TieredStore::TieredStore(std::unique_ptr<ObjectStore> local, std::vector<SharedTier> shared,
                         Catalog* catalog, uint64_t cache_limit_bytes,
                         std::shared_ptr<const ChunkCipher> cipher)
    : local_(std::move(local)),
      shared_(std::move(shared)),
      cipher_(std::move(cipher)),
      names_(cipher_ ? cipher_->names() : ChunkNames()),
      catalog_(catalog),
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
  const std::optional<ChunkId> id = ChunkIdFromKey(key);
  auto got = local_->Get(key);
  if (got.ok()) {
    // Hashing here costs nothing extra: the reader would hash an unverified copy anyway.
    if (!id || names_.Of(*got) == *id) {
      if (id) cache_.Touch(*id);
      local_hits_.fetch_add(1, std::memory_order_relaxed);
      *verified = id.has_value();
      return got;
    }
    REEL_RETURN_IF_ERROR(DropDamagedLocalCopy(*id, key));
  } else if (got.status().code() != Code::kNotFound || shared_.empty()) {
    return got;
  }
  auto fetched = FetchRemote(key);
  *verified = fetched.ok() && id.has_value();
  return fetched;
}

Status TieredStore::DropDamagedLocalCopy(const ChunkId& id, const std::string& key) {
  Status corrupt =
      Status::Corruption("chunk " + id.Hex() + ": the local copy does not match its hash");
  if (shared_.empty() || catalog_ == nullptr) return corrupt;
  REEL_ASSIGN_OR_RETURN(std::vector<TierMask> tiers, catalog_->GetChunkTiers({id}));
  // Unsaved data has no other copy: report it, never hide it.
  if (tiers.empty() || (tiers[0] & shared_mask()) == 0) return corrupt;
  spdlog::warn("cache: chunk {} was damaged locally (a fill torn by a crash?): fetching it again",
               id.Hex());
  local_repairs_.fetch_add(1, std::memory_order_relaxed);
  REEL_RETURN_IF_ERROR(local_->Delete(key));
  cache_.Removed(id);
  return Status::Ok();
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
  std::vector<TierStore> tiers;
  for (const SharedTier& tier : shared_) tiers.emplace_back(tier.bit, tier.store.get());
  const std::optional<ChunkId> id = ChunkIdFromKey(key);
  if (!id) {
    for (const auto& [bit, store] : tiers) {
      REEL_RETURN_IF_ERROR(store->Delete(key).WithContext(SharedTierName(bit)));
    }
    return Status::Ok();
  }
  cache_.Removed(*id);
  return DeleteSharedCopies(*id, catalog_, tiers);
}

std::unique_ptr<TieredStore::PackHold> TieredStore::HoldPack(const std::string& key) {
  std::lock_guard lock(packs_mu_);
  held_packs_.insert(key);
  return std::make_unique<PackHold>(this, key);
}

void TieredStore::ReleasePack(const std::string& key) {
  std::lock_guard lock(packs_mu_);
  held_packs_.erase(key);
}

Result<OrphanPackReport> TieredStore::CollectOrphanPacks(TimeNs cutoff) {
  OrphanPackReport report;
  if (catalog_ == nullptr) return report;
  const auto held = [&](const std::string& key) {
    std::lock_guard lock(packs_mu_);
    return held_packs_.count(key) > 0;
  };
  for (const SharedTier& tier : shared_) {
    REEL_RETURN_IF_ERROR(
        CollectOrphanPacksOn(*tier.store, tier.bit, *catalog_, cutoff, held, &report));
  }
  return report;
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
  return {local_hits_.load(), remote_fetches_.load(), remote_bytes_.load(),
          remote_requests_.load(), local_repairs_.load()};
}

}  // namespace reel
