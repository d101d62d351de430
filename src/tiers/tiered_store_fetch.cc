// TieredStore: fetching chunks from the shared tiers (loose objects and packs), one at a time and
// in coalesced runs.
#include <algorithm>
#include <memory>
#include <unordered_map>

#include "catalog/catalog.h"
#include "common/direct_io.h"
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
    if (id && cipher_ != nullptr) {
      auto opened = cipher_->Open(*id, *got);
      if (!opened.ok()) {
        last = opened.status().WithContext(tier.name + " tier");
        continue;
      }
      got->resize(*opened);
    }
    if (id && names_.Of(*got) != *id) {
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
  done(index, ToShared(std::move(got)), verified);
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
  // One buffer for the run, each member at an aligned place of its own: curl writes the bytes
  // there (a scatter read), readers get slices of it, and the cache fills are written from it
  // with direct I/O, so no member is copied again.
  std::vector<uint64_t> slot(run.members.size());
  uint64_t capacity = 0;
  for (size_t m = 0; m < run.members.size(); ++m) {
    slot[m] = capacity;
    capacity += (uint64_t{run.members[m].length} + kDirectAlign - 1) / kDirectAlign * kDirectAlign;
  }
  std::shared_ptr<uint8_t> buffer = run_buffers_.Take(capacity);
  Result<uint64_t> got = Status::Internal("out of memory for a pack run of " +
                                          std::to_string(capacity) + " bytes");
  std::vector<std::span<uint8_t>> into;
  if (buffer) {
    into.reserve(run.members.size());
    for (size_t m = 0; m < run.members.size(); ++m) {
      into.emplace_back(buffer.get() + slot[m], run.members[m].length);
    }
    got = shared_[run.tier].store->GetRangeInto(run.pack, run.offset, into);
  }
  if (!got.ok()) {
    // Each on its own: the next tier, or the chunk's loose object, may serve it.
    for (const PackRun::Member& m : run.members) one(m.index);
    return;
  }
  const SharedBytes all(std::shared_ptr<const void>(buffer, buffer.get()),
                        std::span<const uint8_t>(buffer.get(), capacity), capacity);
  // Each verified member goes to its reader first; the local copies are written after the whole
  // run was handed over, so a reader never waits for a cache write.
  std::vector<std::pair<const PackRun::Member*, SharedBytes>> fills;
  uint64_t at = 0;
  for (size_t i = 0; i < run.members.size(); ++i) {
    const PackRun::Member& m = run.members[i];
    // A short read (a truncated pack) gives a short member, which fails its hash.
    uint64_t have = std::min<uint64_t>(m.length, *got - std::min(*got, at));
    at += m.length;
    if (cipher_ != nullptr) {  // sealed on the tier: opened in place
      auto opened = cipher_->Open(ids[m.index], {buffer.get() + slot[i], have});
      if (!opened.ok()) {
        one(m.index);
        continue;
      }
      have = *opened;
    }
    const SharedBytes member = all.Slice(slot[i], have);
    if (names_.Of(member.span()) != ids[m.index]) {
      one(m.index);  // damaged in this pack: fetched again on its own, from the next tier
      continue;
    }
    fills.emplace_back(&m, member);
    done(m.index, member, true);
  }
  for (const auto& [m, member] : fills) KeepFetched(ids[m->index], keys[m->index], member.span());
}

}  // namespace reel
