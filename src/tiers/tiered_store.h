// TieredStore: the drive's chunk store seen as one ObjectStore, over an ordered list of tiers:
// `local` (this machine's cache, always first), then optionally `edge` and `cloud` (shared
// stores). The engine reads and writes through it and never learns where bytes are.
//
//   Put     -> the local tier (the commit path: a new chunk is durable locally; copies to the
//              shared tiers are made by the TransferEngine, on `reel save` / `reel publish`).
//   Get     -> the local tier; on a miss, the shared tiers in order. A chunk fetched from a shared
//              tier is verified against its hash (keys under chunks/ name their SHA-256) before
//              it is returned or kept, then stored locally as a clean copy with an unsynced put
//              (no fsync in the read path); the cache then makes room (LocalCache::MakeRoom).
//              A chunk uploaded in a pack (the catalog's chunk_packs) is read with a ranged GET
//              of its pack; one uploaded before packs existed is its own object. A local copy
//              is verified too (the caller is told, so it does not hash twice): a damaged one
//              of a clean chunk (torn by a power loss: fills are unsynced) is dropped and
//              fetched again; one of an unsaved chunk is Corruption.
//   GetChunks -> the same for a streaming reader's run of chunks: chunks that lie next to each
//              other in one pack on one tier come with ONE ranged GET, split and verified.
//   Sealing -> with a ChunkCipher (an encrypted workspace), chunks are named by keyed hashes and
//              every chunk on a shared tier is sealed (AES-256-GCM, chunking/chunk_cipher.h):
//              the TransferEngine seals what it uploads, fetches are opened here, then checked
//              against their names. Local copies are plaintext.
//   Delete  -> every tier (garbage collection removes a chunk everywhere); a pack object goes
//              when no chunk location points into it any more.
//   List    -> the union over every tier (a key held by several tiers is reported once per tier).
//
// Thread-safe (every tier store is).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "catalog/types.h"
#include "chunking/chunk_cipher.h"
#include "common/buffer_pool.h"
#include "store/object_store.h"
#include "tiers/local_cache.h"
#include "tiers/shared_tier_gc.h"

namespace reel {

struct SharedTier {
  std::string name;   // "edge" or "cloud"
  TierMask bit = 0;   // kTierEdge or kTierCloud
  std::unique_ptr<ObjectStore> store;
};

struct TierFetchStats {
  uint64_t local_hits = 0;
  uint64_t remote_fetches = 0;  // chunks fetched from a shared tier
  uint64_t remote_bytes = 0;
  uint64_t remote_requests = 0;  // GETs sent to shared tiers (one may bring several chunks)
  uint64_t local_repairs = 0;    // damaged local copies of clean chunks fetched again
};

// The longest run of chunks GetChunks reads with one ranged GET.
inline constexpr uint64_t kMaxCoalescedReadBytes = 32ull << 20;
// Free run buffers kept for reuse (a few runs' worth).
inline constexpr size_t kRunBufferPoolBytes = 96ull << 20;

class TieredStore final : public ObjectStore {
 public:
  // `shared` in read order (edge before cloud). With `cipher`, chunks on the shared tiers are
  // sealed and named by its keyed names.
  TieredStore(std::unique_ptr<ObjectStore> local, std::vector<SharedTier> shared,
              Catalog* catalog, uint64_t cache_limit_bytes,
              std::shared_ptr<const ChunkCipher> cipher = nullptr);

  // Loads the cache index; call once before use.
  [[nodiscard]] Status Open();

  Status Put(const std::string& key, std::span<const uint8_t> data) override;
  Status PutUnsynced(const std::string& key, std::span<const uint8_t> data) override;
  Status SyncPuts() override { return local_->SyncPuts(); }
  Result<std::vector<uint8_t>> Get(const std::string& key) override;
  Result<std::vector<uint8_t>> GetChunk(const std::string& key, bool* verified) override;
  void GetChunks(const std::vector<std::string>& keys, const ChunkFetched& done) override;
  Result<std::vector<uint8_t>> GetRange(const std::string& key, uint64_t offset,
                                        uint64_t length) override;
  Result<ObjectInfo> Head(const std::string& key) override;
  Status Delete(const std::string& key) override;
  Status List(const std::string& prefix,
              const std::function<bool(const ObjectInfo&)>& visit) override;
  std::string Uri() const override;

  ObjectStore* local() const { return local_.get(); }
  // How chunks are named; the cipher of the shared tiers' copies, or nullptr (plaintext).
  const ChunkNames& names() const { return names_; }
  const ChunkCipher* cipher() const { return cipher_.get(); }
  LocalCache& cache() { return cache_; }
  // The shared tier with this bit, or nullptr.
  ObjectStore* shared(TierMask bit) const;
  // Bits of every configured shared tier.
  TierMask shared_mask() const;
  // The tier `reel save` makes versions durable on: edge if configured, else 0 (local).
  TierMask working_tier() const;
  TierFetchStats fetch_stats() const;

  // A pack upload between its PUT and the catalog record of its members, which
  // CollectOrphanPacks leaves alone; released when the hold goes out of scope.
  class PackHold {
   public:
    PackHold(TieredStore* store, std::string key) : store_(store), key_(std::move(key)) {}
    PackHold(const PackHold&) = delete;
    PackHold& operator=(const PackHold&) = delete;
    ~PackHold() { store_->ReleasePack(key_); }

   private:
    TieredStore* store_;
    std::string key_;
  };
  [[nodiscard]] std::unique_ptr<PackHold> HoldPack(const std::string& key);
  // Deletes the pack objects on the shared tiers that no chunk location references, written
  // before `cutoff` and not held: what a lost PUT acknowledgement (the upload is retried as a new
  // pack) or a crash between removing a pack's last location and deleting the pack leaves behind.
  // Members are recorded only right after a pack's own PUT, so such a pack never gains one.
  [[nodiscard]] Result<OrphanPackReport> CollectOrphanPacks(TimeNs cutoff);

 private:
  // A run of chunks next to each other in one pack on one shared tier.
  struct PackRun {
    size_t tier = 0;  // index into shared_
    std::string pack;
    uint64_t offset = 0, length = 0;
    struct Member {
      size_t index = 0;  // into the GetChunks keys
      uint32_t length = 0;
    };
    std::vector<Member> members;  // in pack order, each right after the one before
  };
  // From the shared tiers, in order; pack-aware. Verified (for chunk keys) and kept locally.
  Result<std::vector<uint8_t>> FetchRemote(const std::string& key);
  // Where each chunk is packed, by ids index: the location on the first tier (read order) that
  // has one, or nullopt.
  Result<std::vector<std::optional<ChunkLocation>>> FirstLocations(
      const std::vector<ChunkId>& ids);
  // Fetches one PackRun with one ranged GET; members whose bytes do not verify are fetched again
  // on their own (next tier) by GetChunk.
  void FetchRun(const PackRun& run, const std::vector<ChunkId>& ids,
                const std::vector<std::string>& keys, const ChunkFetched& done);
  // GetChunk(key), reported to `done` as GetChunks key `index`.
  void GetChunkInto(const std::string& key, size_t index, const ChunkFetched& done);
  // A verified remote copy: counted, and kept as a clean local copy (unsynced; a failure to
  // cache does not fail the read).
  void KeepFetched(const ChunkId& id, const std::string& key, std::span<const uint8_t> data);
  // A local copy that does not match its hash: OK once it is dropped if the chunk is clean (then
  // fetch it again), else the Corruption to report.
  Status DropDamagedLocalCopy(const ChunkId& id, const std::string& key);
  Status AfterLocalPut(const std::string& key, uint64_t size);
  // Removes `id`'s pack locations and deletes the packs left without members.
  void ReleasePack(const std::string& key);

  // Buffers for pack runs (FetchRun), reused once no reader holds a chunk of them.
  AlignedBufferPool run_buffers_{kRunBufferPoolBytes};
  std::mutex packs_mu_;                  // guards held_packs_
  std::set<std::string> held_packs_;     // packs between their PUT and their catalog record
  std::unique_ptr<ObjectStore> local_;
  std::vector<SharedTier> shared_;
  std::shared_ptr<const ChunkCipher> cipher_;
  ChunkNames names_;
  Catalog* catalog_;
  LocalCache cache_;
  std::atomic<uint64_t> local_hits_{0}, remote_fetches_{0}, remote_bytes_{0}, remote_requests_{0},
      local_repairs_{0};
};

}  // namespace reel
