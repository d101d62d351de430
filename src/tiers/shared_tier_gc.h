// Garbage collection on the shared tiers, for whoever collects: a drive's `reel gc`
// (TieredStore) and a team server's maintenance (server/team_maintenance.cc).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "catalog/types.h"
#include "common/status.h"

namespace reel {

class Catalog;
class ObjectStore;

// How old a pack no chunk names must be before it is deleted: an upload records its pack's
// members right after it, so a younger one may be an upload in flight (another machine's).
inline constexpr int64_t kOrphanPackMinAgeNs = 3600ll * 1000000000ll;

struct OrphanPackReport {
  uint64_t packs_deleted = 0;
  uint64_t bytes_deleted = 0;
};

// "edge", "cloud" (the names of server.toml and the manifest).
inline std::string SharedTierName(TierMask bit) {
  return bit == kTierCloud ? "cloud" : bit == kTierEdge ? "edge" : "tier " + std::to_string(bit);
}

// A shared tier: its bit (kTierEdge, kTierCloud) and its store.
using TierStore = std::pair<TierMask, ObjectStore*>;

// Deletes every copy of chunk `id` on `tiers`: its pack locations are forgotten first (from then
// on no reader looks into a pack for it), then each pack left with no member is deleted, and
// the loose object on every tier where it was not packed. A crash in between leaves garbage
// (an empty pack, a loose object), never a location without its bytes. `catalog` may be null
// (no packs: loose objects only). Deleting what is not there is OK.
[[nodiscard]] Status DeleteSharedCopies(const ChunkId& id, Catalog* catalog,
                                        const std::vector<TierStore>& tiers);

// Deletes the pack objects on `store` (tier `tier`) written before `cutoff` that no chunk
// location names, except those `held` says an upload of this process is recording; adds them to
// `report`. A store that does not know an object's time never has it deleted.
[[nodiscard]] Status CollectOrphanPacksOn(ObjectStore& store, TierMask tier, Catalog& catalog,
                                          TimeNs cutoff,
                                          const std::function<bool(const std::string&)>& held,
                                          OrphanPackReport* report);

}  // namespace reel
