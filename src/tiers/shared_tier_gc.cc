#include "tiers/shared_tier_gc.h"

#include <algorithm>

#include "catalog/catalog.h"
#include "store/chunk_keys.h"
#include "store/object_store.h"
#include "tiers/pack_keys.h"

namespace reel {

Status DeleteSharedCopies(const ChunkId& id, Catalog* catalog,
                          const std::vector<TierStore>& tiers) {
  std::vector<TierMask> packed_on;
  if (catalog != nullptr) {
    REEL_ASSIGN_OR_RETURN(std::vector<ChunkLocation> removed, catalog->RemoveChunkLocations(id));
    for (const ChunkLocation& loc : removed) {
      packed_on.push_back(loc.tier);
      auto tier = std::find_if(tiers.begin(), tiers.end(),
                               [&](const TierStore& t) { return t.first == loc.tier; });
      if (tier == tiers.end() || !IsPackKey(loc.pack)) continue;  // never delete what is not a pack
      REEL_ASSIGN_OR_RETURN(uint64_t left, catalog->CountPackMembers(loc.tier, loc.pack));
      // Members are only ever added when a pack is created (its name is new), so an empty pack
      // stays empty: deleting it races with nothing.
      if (left == 0) {
        REEL_RETURN_IF_ERROR(tier->second->Delete(loc.pack).WithContext("delete pack"));
      }
    }
  }
  const std::string key = ChunkKey(id);
  for (const auto& [bit, store] : tiers) {
    // A packed chunk has no loose object on that tier: spare the request.
    if (std::find(packed_on.begin(), packed_on.end(), bit) != packed_on.end()) continue;
    REEL_RETURN_IF_ERROR(store->Delete(key).WithContext(SharedTierName(bit)));
  }
  return Status::Ok();
}

Status CollectOrphanPacksOn(ObjectStore& store, TierMask tier, Catalog& catalog, TimeNs cutoff,
                            const std::function<bool(const std::string&)>& held,
                            OrphanPackReport* report) {
  std::vector<ObjectInfo> old;  // listed first: the visitor must not call the store
  REEL_RETURN_IF_ERROR(store.List(kPackPrefix, [&](const ObjectInfo& info) {
    if (IsPackKey(info.key) && info.mtime_unix_ns != 0 && info.mtime_unix_ns < cutoff) {
      old.push_back(info);
    }
    return true;
  }).WithContext(SharedTierName(tier)));
  for (const ObjectInfo& info : old) {
    if (held && held(info.key)) continue;
    REEL_ASSIGN_OR_RETURN(uint64_t members, catalog.CountPackMembers(tier, info.key));
    if (members > 0) continue;
    REEL_RETURN_IF_ERROR(store.Delete(info.key).WithContext(SharedTierName(tier) + " orphan pack"));
    ++report->packs_deleted;
    report->bytes_deleted += info.size;
  }
  return Status::Ok();
}

}  // namespace reel
