// TieredStore: fetching chunks from the shared tiers (loose objects and packs), one at a time and
// in coalesced runs.
#include <algorithm>
#include <unordered_map>

#include "catalog/catalog.h"
#include "chunking/sha256.h"
#include "store/chunk_keys.h"
#include "tiers/tiered_store.h"

namespace reel {

void TieredStore::KeepFetched(const ChunkId& id, const std::string& key,
                              std::span<const uint8_t> data) {
  remote_fetches_.fetch_add(1, std::memory_order_relaxed);
  remote_bytes_.fetch_add(data.size(), std::memory_order_relaxed);
  // Room is made first, so the cache never goes over its limit. Unsynced (and past the page
  // cache): the copy is clean (a shared tier has it), so a crash that tears it costs a refetch,
  // which GetChunk's check of local copies detects; fsyncs in the read path cost a quarter of
  // cold-read throughput, and page-cache pages for bytes the reader already has cost more.
  if (cache_.Reserve(data.size()).ok() && local_->PutUnsynced(key, data).ok()) {
    cache_.Added(id, data.size(), true);
  } else {
    cache_.Unreserve(data.size());
  }
}

Result<std::vector<uint8_t>> TieredStore::FetchRemote(const std::string& key) {
  const std::optional<ChunkId> id = ChunkIdFromKey(key);
  std::vector<ChunkLocation> packed;
  if (id && catalog_ != nullptr) {
    REEL_ASSIGN_OR_RETURN(packed, catalog_->GetChunkLocations({*id}));
  }
  Status last = Status::NotFound("object '" + key + "' is on no tier");
  for (const SharedTier& tier : shared_) {
    auto loc = std::find_if(packed.begin(), packed.end(),
                            [&](const ChunkLocation& l) { return l.tier == tier.bit; });
    remote_requests_.fetch_add(1, std::memory_order_relaxed);
    // A packed chunk: just its bytes out of the pack (random reads fetch only what they touch).
    auto got = loc != packed.end()
                   ? tier.store->GetRange(loc->pack, loc->member.offset, loc->member.length)
                   : tier.store->Get(key);
    if (!got.ok()) {
      if (got.status().code() != Code::kNotFound) last = got.status().WithContext(tier.name);
      continue;
    }
    if (id && Sha256(*got) != *id) {
      last = Status::Corruption("chunk " + id->Hex() + " from the " + tier.name +
                                " tier does not match its hash");
      continue;
    }
    if (id) KeepFetched(*id, key, *got);
    return got;
  }
  return last;
}

Result<std::vector<std::optional<ChunkLocation>>> TieredStore::FirstLocations(
    const std::vector<ChunkId>& ids) {
  std::vector<std::optional<ChunkLocation>> out(ids.size());
  if (catalog_ == nullptr || ids.empty()) return out;
  REEL_ASSIGN_OR_RETURN(std::vector<ChunkLocation> all, catalog_->GetChunkLocations(ids));
  auto tier_rank = [&](TierMask bit) {
    for (size_t t = 0; t < shared_.size(); ++t) {
      if (shared_[t].bit == bit) return t;
    }
    return shared_.size();
  };
  std::unordered_map<ChunkId, ChunkLocation, ChunkIdHash> best;
  for (ChunkLocation& loc : all) {
    if (tier_rank(loc.tier) == shared_.size()) continue;  // a tier this drive does not have
    auto [it, added] = best.try_emplace(loc.member.chunk, loc);
    if (!added && tier_rank(loc.tier) < tier_rank(it->second.tier)) it->second = std::move(loc);
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    auto it = best.find(ids[i]);
    if (it != best.end()) out[i] = it->second;
  }
  return out;
}

void TieredStore::GetChunkInto(const std::string& key, size_t index, const ChunkFetched& done) {
  bool verified = false;
  auto got = GetChunk(key, &verified);
  done(index, std::move(got), verified);
}

void TieredStore::GetChunks(const std::vector<std::string>& keys, const ChunkFetched& done) {
  auto one = [&](size_t i) { GetChunkInto(keys[i], i, done); };
  // Local copies and non-chunk keys one by one; misses are planned into pack runs.
  std::vector<size_t> misses;
  std::vector<ChunkId> ids;
  for (size_t i = 0; i < keys.size(); ++i) {
    std::optional<ChunkId> id = ChunkIdFromKey(keys[i]);
    if (!id || shared_.empty() || cache_.Contains(*id)) {
      one(i);
      continue;
    }
    misses.push_back(i);
    ids.push_back(*id);
  }
  auto located = FirstLocations(ids);
  if (!located.ok()) {
    for (size_t i : misses) one(i);
    return;
  }
  std::vector<size_t> loose;
  std::vector<PackRun> runs;
  for (size_t m = 0; m < misses.size(); ++m) {
    const std::optional<ChunkLocation>& loc = (*located)[m];
    if (!loc) {
      loose.push_back(misses[m]);
      continue;
    }
    size_t tier = 0;
    while (shared_[tier].bit != loc->tier) ++tier;
    PackRun* last = runs.empty() ? nullptr : &runs.back();
    bool extends = last != nullptr && last->tier == tier && last->pack == loc->pack &&
                   last->offset + last->length == loc->member.offset &&
                   last->length + loc->member.length <= kMaxCoalescedReadBytes;
    if (!extends) {
      runs.push_back(PackRun{tier, loc->pack, loc->member.offset, 0, {}});
      last = &runs.back();
    }
    last->length += loc->member.length;
    last->members.push_back({misses[m], loc->member.length});
  }
  std::vector<ChunkId> id_of(keys.size());  // by key index
  for (size_t m = 0; m < misses.size(); ++m) id_of[misses[m]] = ids[m];
  for (const PackRun& run : runs) FetchRun(run, id_of, keys, done);
  for (size_t i : loose) one(i);
}

void TieredStore::FetchRun(const PackRun& run, const std::vector<ChunkId>& ids,
                           const std::vector<std::string>& keys, const ChunkFetched& done) {
  auto one = [&](size_t i) { GetChunkInto(keys[i], i, done); };
  if (run.members.size() == 1) return one(run.members[0].index);  // FetchRemote: just its range
  remote_requests_.fetch_add(1, std::memory_order_relaxed);
  auto got = shared_[run.tier].store->GetRange(run.pack, run.offset, run.length);
  if (!got.ok()) {
    // Each on its own: the next tier, or the chunk's loose object, may serve it.
    for (const PackRun::Member& m : run.members) one(m.index);
    return;
  }
  const std::span<const uint8_t> all(*got);
  // Each verified member goes to its reader first; the local copies are written after the whole
  // run was handed over (from the run's buffer), so a reader never waits for a cache write.
  std::vector<std::pair<const PackRun::Member*, std::span<const uint8_t>>> fills;
  uint64_t at = 0;
  for (const PackRun::Member& m : run.members) {
    // A short read (a truncated pack) gives a short member, which fails its hash.
    const uint64_t from = std::min<uint64_t>(at, all.size());
    const uint64_t to = std::min<uint64_t>(at + m.length, all.size());
    at += m.length;
    const std::span<const uint8_t> member = all.subspan(from, to - from);
    if (Sha256(member) != ids[m.index]) {
      one(m.index);  // damaged in this pack: fetched again on its own, from the next tier
      continue;
    }
    fills.emplace_back(&m, member);
    done(m.index, std::vector<uint8_t>(member.begin(), member.end()), true);
  }
  for (const auto& [m, member] : fills) KeepFetched(ids[m->index], keys[m->index], member);
}

}  // namespace reel
