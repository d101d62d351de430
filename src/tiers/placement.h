// Placement: what the user controls about where a file's bytes are (the control API's save,
// publish, hydrate, evict and pin), on the current version of regular files. A directory stands
// for every regular file below it.
//
//   SaveToWorkingTier  queue uploads of the chunks missing on the working tier (edge if the drive
//                      has one; with local only, a committed version is already saved);
//   Publish            record the publish request (durable), queue uploads to the cloud tier; a
//                      background check marks a version published once the catalog shows every
//                      one of its chunks on the cloud tier, never before;
//   Hydrate            queue downloads of the chunks not in the local cache;
//   Evict              drop clean local copies (chunks also on a shared tier); pinned files keep
//                      theirs unless unpinned;
//   Pin                keep the file's chunks local (and hydrate it).
// And versions whose publish was requested with their commit (PublishRequests: a team workspace
// that publishes every save): their uploads to the cloud tier are queued as they come, and at
// start for every pending publish whose chunks this machine holds.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "catalog/types.h"
#include "common/status.h"
#include "tiers/shared_tier_gc.h"

namespace reel {

class Catalog;
class MachineState;
class PublishRequests;
class TieredStore;
class TransferEngine;

// Bytes of a file's current version per tier (distinct chunks; holes count nowhere).
struct TierUsage {
  uint64_t files = 0;
  uint64_t chunks = 0;
  uint64_t total_bytes = 0;
  uint64_t local_bytes = 0;
  uint64_t edge_bytes = 0;
  uint64_t cloud_bytes = 0;
  uint64_t pinned_files = 0;
  uint64_t published_files = 0;  // current version published
  uint64_t publishing_files = 0; // publish requested, uploads pending
};

struct PlacementResult {
  uint64_t files = 0;
  uint64_t chunks = 0;  // chunks acted on (queued, evicted)
  uint64_t bytes = 0;
};


class Placement {
 public:
  Placement(Catalog* catalog, MachineState* machine, TieredStore* store, TransferEngine* transfers,
            std::shared_ptr<PublishRequests> requests = nullptr);
  ~Placement();  // Stop()
  Placement(const Placement&) = delete;
  Placement& operator=(const Placement&) = delete;

  // Loads pins, protects pinned chunks from eviction, starts the publish checker.
  [[nodiscard]] Status Start();
  void Stop();

  // The shared tiers (edge, cloud) the drive has; 0: everything stays on this machine.
  TierMask shared_tiers() const;

  [[nodiscard]] Result<PlacementResult> SaveToWorkingTier(InodeId ino);
  [[nodiscard]] Result<PlacementResult> Publish(InodeId ino);
  [[nodiscard]] Result<PlacementResult> Hydrate(InodeId ino);
  [[nodiscard]] Result<PlacementResult> Evict(InodeId ino);
  [[nodiscard]] Result<PlacementResult> Pin(InodeId ino, bool pinned);
  [[nodiscard]] Result<TierUsage> Usage(InodeId ino);
  // Marks every pending publish whose chunks are all on the cloud tier; returns how many.
  [[nodiscard]] Result<uint64_t> CheckPublishes();
  // Garbage collection of the shared tiers: deletes pack objects no chunk references that were
  // written before `cutoff` (TieredStore::CollectOrphanPacks). `reel gc` passes an hour ago
  // (kOrphanPackMinAgeNs), which also leaves other machines' uploads in flight alone.
  [[nodiscard]] Result<OrphanPackReport> CollectOrphanPacks(TimeNs cutoff);

 private:
  // Regular files at or below `ino`.
  Result<std::vector<InodeId>> Files(InodeId ino);
  // Distinct non-hole chunks of version `number` (0: the current one) of a file.
  Result<std::vector<ChunkRef>> VersionChunks(InodeId ino, uint64_t number);
  static std::vector<ChunkRef> DistinctChunks(const Version& v);
  // The same for the current version; empty if the file has none.
  Result<std::vector<ChunkRef>> CurrentChunks(InodeId ino);
  Result<PlacementResult> Upload(InodeId ino, TierMask tier, bool publish);
  // Queues the uploads to the cloud tier of version `number` of `ino` (a pending publish) that
  // this machine can make: its chunks missing there, of those in the local cache when
  // `held_only`. Returns how many were queued.
  Result<uint64_t> QueuePublishUploads(InodeId ino, uint64_t number, bool held_only);
  // The requests added since the last call, then (once, at start) every pending publish.
  void TakePublishRequests(bool adopt_pending);
  Status ReloadPinned();
  void CheckerLoop();

  Catalog* catalog_;
  MachineState* machine_;  // pins
  TieredStore* store_;
  TransferEngine* transfers_;
  const std::shared_ptr<PublishRequests> requests_;  // may be null

  std::mutex pinned_mu_;  // guards pinned_chunks_
  std::unordered_set<ChunkId, ChunkIdHash> pinned_chunks_;

  std::mutex mu_;  // guards stop_, check_wanted_
  std::condition_variable cv_;
  bool stop_ = false;
  bool check_wanted_ = true;
  std::thread checker_;
};

}  // namespace reel
