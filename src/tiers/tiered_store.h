// TieredStore: the drive's chunk store seen as one ObjectStore, over an ordered list of tiers:
// `local` (this machine's cache, always first), then optionally `edge` and `cloud` (shared
// stores). The engine reads and writes through it and never learns where bytes are.
//
//   Put     -> the local tier (the commit path: a new chunk is durable locally; copies to the
//              shared tiers are made by the TransferEngine, on `reel save` / `reel publish`).
//   Get     -> the local tier; on a miss, the shared tiers in order. A chunk fetched from a shared
//              tier is verified against its hash (keys under chunks/ name their SHA-256) before
//              it is returned or kept, then stored locally as a clean copy; the cache then makes
//              room (LocalCache::MakeRoom).
//   Delete  -> every tier (garbage collection removes a chunk everywhere).
//   List    -> the union over every tier (a key held by several tiers is reported once per tier).
//
// Thread-safe (every tier store is).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "catalog/types.h"
#include "store/object_store.h"
#include "tiers/local_cache.h"

namespace reel {

struct SharedTier {
  std::string name;   // "edge" or "cloud"
  TierMask bit = 0;   // kTierEdge or kTierCloud
  std::unique_ptr<ObjectStore> store;
};

struct TierFetchStats {
  uint64_t local_hits = 0;
  uint64_t remote_fetches = 0;
  uint64_t remote_bytes = 0;
};

class TieredStore final : public ObjectStore {
 public:
  // `shared` in read order (edge before cloud).
  TieredStore(std::unique_ptr<ObjectStore> local, std::vector<SharedTier> shared,
              Catalog* catalog, uint64_t cache_limit_bytes);

  // Loads the cache index; call once before use.
  [[nodiscard]] Status Open();

  Status Put(const std::string& key, std::span<const uint8_t> data) override;
  Status PutUnsynced(const std::string& key, std::span<const uint8_t> data) override;
  Status SyncPuts() override { return local_->SyncPuts(); }
  Result<std::vector<uint8_t>> Get(const std::string& key) override;
  Result<std::vector<uint8_t>> GetChunk(const std::string& key, bool* verified) override;
  Result<std::vector<uint8_t>> GetRange(const std::string& key, uint64_t offset,
                                        uint64_t length) override;
  Result<ObjectInfo> Head(const std::string& key) override;
  Status Delete(const std::string& key) override;
  Status List(const std::string& prefix,
              const std::function<bool(const ObjectInfo&)>& visit) override;
  std::string Uri() const override;

  ObjectStore* local() const { return local_.get(); }
  LocalCache& cache() { return cache_; }
  // The shared tier with this bit, or nullptr.
  ObjectStore* shared(TierMask bit) const;
  // Bits of every configured shared tier.
  TierMask shared_mask() const;
  // The tier `reel save` makes versions durable on: edge if configured, else 0 (local).
  TierMask working_tier() const;
  TierFetchStats fetch_stats() const;

 private:
  Result<std::vector<uint8_t>> FetchRemote(const std::string& key);
  Status AfterLocalPut(const std::string& key, uint64_t size);

  std::unique_ptr<ObjectStore> local_;
  std::vector<SharedTier> shared_;
  LocalCache cache_;
  std::atomic<uint64_t> local_hits_{0}, remote_fetches_{0}, remote_bytes_{0};
};

}  // namespace reel
