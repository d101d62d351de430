// TransferEngine: uploads to a shared tier, packed (see transfer_engine.h).
#include <algorithm>

#include <spdlog/spdlog.h>

#include "catalog/catalog.h"
#include "common/clock.h"
#include "store/chunk_keys.h"
#include "tiers/pack_keys.h"
#include "tiers/tiered_store.h"
#include "tiers/transfer_engine.h"

namespace reel {

std::string TransferEngine::NewPackKey() {
  std::lock_guard lock(mu_);
  return reel::NewPackKey(rng_);
}

std::vector<uint8_t> TransferEngine::TakePackBuffer() {
  {
    std::lock_guard lock(mu_);
    if (!spare_packs_.empty()) {
      std::vector<uint8_t> b = std::move(spare_packs_.back());
      spare_packs_.pop_back();
      b.clear();
      return b;
    }
  }
  std::vector<uint8_t> b;
  b.reserve(kPackTargetBytes + (4u << 20));  // the target plus one chunk of the default maximum
  return b;
}

void TransferEngine::GivePackBuffer(std::vector<uint8_t> buffer) {
  std::lock_guard lock(mu_);
  if (spare_packs_.size() < threads_) spare_packs_.push_back(std::move(buffer));
}

Status TransferEngine::ReadForUpload(const Transfer& t, std::vector<uint8_t>* pack,
                                     bool verify) {
  const std::string key = ChunkKey(t.request.chunk);
  const size_t at = pack->size();
  const ChunkNames& names = store_->names();
  const ChunkCipher* cipher = store_->cipher();
  // Sealed bytes hide a bad copy from the store's check: each one is checked here first.
  if (cipher != nullptr) verify = true;
  auto seal = [&] {
    if (cipher == nullptr) return Status::Ok();
    Status s = cipher->SealTail(t.request.chunk, pack->size() - at, pack);
    if (!s.ok()) pack->resize(at);
    return s;
  };
  // The local copy, straight into the pack (past the page cache: it is read once, here).
  Status local = store_->local()->GetAppend(key, pack);
  if (local.ok()) {
    const std::span<const uint8_t> got(pack->data() + at, pack->size() - at);
    if (!verify || names.Of(got) == t.request.chunk) return seal();
    pack->resize(at);
  } else if (local.code() != Code::kNotFound) {
    return local;
  }
  // Not here, or damaged: the tiered read (another tier, or a repair of a clean local copy).
  bool verified = false;
  REEL_ASSIGN_OR_RETURN(std::vector<uint8_t> data, store_->GetChunk(key, &verified));
  if (!verified && names.Of(data) != t.request.chunk) {
    return Status::Corruption("chunk " + t.request.chunk.Hex() + " does not match its hash");
  }
  pack->insert(pack->end(), data.begin(), data.end());
  return seal();
}

void TransferEngine::RunUploads(const Transfer& first) {
  const TierMask tier = first.request.tier;
  const std::vector<Transfer> batch = ClaimBatchAfter(first);
  // One delay for the whole batch: retried together, they are claimed together again.
  uint32_t attempts = 0;
  for (const Transfer& t : batch) attempts = std::max(attempts, t.attempts);
  const int64_t retry_at = WallClockNs() + BackoffNs(attempts);
  auto fail_all = [&](const std::vector<const Transfer*>& members, const Status& s) {
    spdlog::warn("transfers: a pack of {} uploads failed (attempt {}): {} (retry in {} ms)",
                 members.size(), attempts + 1, s.ToString(),
                 std::max<int64_t>(0, retry_at - WallClockNs()) / 1000000);
    for (const Transfer* t : members) Record(*t, s, retry_at, false);
  };

  std::vector<const Transfer*> all;
  for (const Transfer& t : batch) all.push_back(&t);
  ObjectStore* target = store_->shared(tier);
  if (target == nullptr) {
    return fail_all(all, Status::InvalidArgument("upload to a tier this drive does not have (bit " +
                                                 std::to_string(tier) + ")"));
  }
  std::vector<ChunkId> ids;
  for (const Transfer& t : batch) ids.push_back(t.request.chunk);
  auto tiers = catalog_->GetChunkTiers(ids);
  if (!tiers.ok()) return fail_all(all, tiers.status());

  std::vector<uint8_t> pack = TakePackBuffer();
  struct Returner {
    TransferEngine* self;
    std::vector<uint8_t>& pack;
    ~Returner() { self->GivePackBuffer(std::move(pack)); }
  } returner{this, pack};
  std::vector<PackMember> members;
  std::vector<const Transfer*> packed;   // their entries complete with the pack
  std::vector<uint64_t> completing;      // every entry the pack's transaction completes
  for (size_t i = 0; i < batch.size(); ++i) {
    const Transfer& t = batch[i];
    if ((*tiers)[i] & tier) {  // already there (an earlier pack or a loose copy): no copy
      packed.push_back(&t);
      completing.push_back(t.id);
      continue;
    }
    if (std::any_of(members.begin(), members.end(),
                    [&](const PackMember& m) { return m.chunk == t.request.chunk; })) {
      packed.push_back(&t);  // the same chunk queued twice (e.g. two tiers' worth): once is enough
      completing.push_back(t.id);
      continue;
    }
    const size_t offset = pack.size();
    // A first attempt leaves the check to the target store (PutHashedParts), which refuses the
    // pack if a local copy went bad; the retry then verifies each copy here and repairs it.
    Status read = ReadForUpload(t, &pack, /*verify=*/t.attempts > 0);
    if (!read.ok()) {
      Record(t, read, retry_at);  // this one alone waits; the pack goes on
      continue;
    }
    members.push_back({t.request.chunk, offset, static_cast<uint32_t>(pack.size() - offset)});
    packed.push_back(&t);
    completing.push_back(t.id);
  }
  if (packed.empty()) return;

  Status done;
  if (!members.empty()) {
    const std::string key = NewPackKey();
    // Garbage collection leaves the pack alone until its members are recorded.
    const auto hold = store_->HoldPack(key);
    // Nothing is recorded before the store acknowledged the whole pack, every member checked
    // against its hash (sealed members were checked before sealing).
    Status put;
    if (store_->cipher() != nullptr) {
      put = target->Put(key, pack);
    } else {
      std::vector<HashedPart> parts;
      parts.reserve(members.size());
      for (const PackMember& m : members) parts.push_back({m.length, m.chunk});
      put = target->PutHashedParts(key, pack, parts);
    }
    if (!put.ok()) return fail_all(packed, put.WithContext("pack " + key));
    done = catalog_->RecordPackUpload(tier, key, members);
    // On disk before the queue entries go: the catalog and the machine state are two databases
    // that a power cut could otherwise leave with the entries gone and the tier bits lost (one
    // WAL sync per pack of up to 16 MiB).
    if (done.ok()) done = catalog_->Sync();
  }
  // The queue entries go only once the catalog holds what they achieved.
  if (done.ok()) done = machine_->RemoveTransfers(completing);
  if (!done.ok()) return fail_all(packed, done);
  // The uploads made local chunks clean: the cache may now honour its limit.
  Status room = store_->cache().MakeRoom();
  if (!room.ok()) spdlog::warn("cache: {}", room.ToString());
  for (const Transfer* t : packed) Record(*t, Status::Ok(), 0);
}

}  // namespace reel
