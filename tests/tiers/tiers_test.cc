// The tier layer over real catalog and store implementations: TieredStore (read-through with
// verification, cache limit), TransferEngine (durable queue, retries, restart) and Placement
// (publish only after every chunk is acknowledged). Shared tiers are memory stores, wrapped in a
// FaultInjectionStore where a test needs the "cloud" to fail.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <random>

#include "catalog/catalog.h"
#include "catalog/catalog_wrapper.h"
#include "machine/machine_state.h"
#include "chunking/sha256.h"
#include "store/chunk_keys.h"
#include "store/fault_injection_store.h"
#include "store/memory_store.h"
#include "engine/chunk_reader.h"
#include "tiers/pack_keys.h"
#include "tiers/placement.h"
#include "tiers/tiered_store.h"
#include "testing/pattern.h"
#include "common/clock.h"
#include "tiers/transfer_engine.h"

namespace reel {
namespace {

using testing::Pattern;

bool Eventually(const std::function<bool()>& cond, int ms = 10000) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return cond();
}

class TiersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cat = OpenCatalog("sqlite::memory:", 0, 0);
    ASSERT_TRUE(cat.ok()) << cat.status().ToString();
    catalog_ = std::move(cat).value();
    machine_ = NewMachineState();
    ASSERT_NE(machine_, nullptr);
  }

  // A machine's own state (queue, pins), in memory.
  static std::unique_ptr<MachineState> NewMachineState() {
    auto machine = MachineState::Open(":memory:");
    EXPECT_TRUE(machine.ok()) << machine.status().ToString();
    return machine.ok() ? std::move(machine).value() : nullptr;
  }

  // A drive with an edge and a cloud tier; `cloud_faults_` wraps the cloud store.
  void MakeStore(uint64_t cache_limit) {
    store_ = NewMachine(cache_limit, &local_, &edge_, &cloud_faults_);
    ASSERT_TRUE(store_->Open().ok());
  }

  // Another machine of the same drive: the same catalog and shared tiers (each seen through a
  // FaultInjectionStore of its own, to count its requests), an empty local cache.
  std::unique_ptr<TieredStore> NewMachine(uint64_t cache_limit, ObjectStore** local,
                                          FaultInjectionStore** edge,
                                          FaultInjectionStore** cloud) {
    auto edge_store = std::make_unique<FaultInjectionStore>(edge_base_);
    auto cloud_store = std::make_unique<FaultInjectionStore>(cloud_base_);
    *edge = edge_store.get();
    *cloud = cloud_store.get();
    std::vector<SharedTier> shared;
    shared.push_back({"edge", kTierEdge, std::move(edge_store)});
    shared.push_back({"cloud", kTierCloud, std::move(cloud_store)});
    auto local_store = std::make_unique<MemoryStore>("local");
    *local = local_store.get();
    auto store = std::make_unique<TieredStore>(std::move(local_store), std::move(shared),
                                               catalog_.get(), cache_limit, cipher_);
    EXPECT_TRUE(store->Open().ok());
    return store;
  }

  // The bytes of chunk `id` in its pack on `tier` (read straight from the shared store).
  std::vector<uint8_t> ReadPacked(MemoryStore* tier_store, TierMask tier, const ChunkId& id) {
    auto locs = catalog_->GetChunkLocations({id});
    EXPECT_TRUE(locs.ok());
    for (const ChunkLocation& l : *locs) {
      if (l.tier != tier) continue;
      auto got = tier_store->GetRange(l.pack, l.member.offset, l.member.length);
      EXPECT_TRUE(got.ok()) << got.status().ToString();
      return got.ok() ? *got : std::vector<uint8_t>{};
    }
    ADD_FAILURE() << "chunk " << id.Hex() << " has no pack on tier " << tier;
    return {};
  }

  // Uploads `refs` (stored locally first) to `tier` through a transfer engine and waits.
  void Upload(const std::vector<ChunkRef>& refs, TierMask tier) {
    std::vector<TransferRequest> requests;
    for (const ChunkRef& r : refs) {
      ASSERT_TRUE(store_->Put(ChunkKey(r.id), contents_[r.id]).ok());
      requests.push_back({TransferKind::kUpload, r.id, r.length, tier});
    }
    // One worker: it claims every queued upload into its pack, so the packs a test expects do
    // not depend on a second worker claiming some entries first.
    TransferEngine transfers(catalog_.get(), machine_.get(), store_.get(), 1);
    ASSERT_TRUE(transfers.Enqueue(requests).ok());
    ASSERT_TRUE(transfers.Start().ok());
    ASSERT_TRUE(transfers.WaitEmpty(20000).ok());
    transfers.Stop();
  }

  // Pack objects on a shared store.
  std::vector<std::string> Packs(MemoryStore* tier_store) {
    std::vector<std::string> keys;
    EXPECT_TRUE(tier_store->List(kPackPrefix, [&](const ObjectInfo& info) {
      keys.push_back(info.key);
      return true;
    }).ok());
    return keys;
  }

  // A file whose one version is `chunks` chunks of `size` bytes; returns its inode and refs.
  std::pair<InodeId, std::vector<ChunkRef>> MakeFile(const std::string& name, int chunks,
                                                     size_t size, uint32_t seed) {
    auto f = catalog_->CreateNode(kRootInode, name, NewNode{FileType::kRegular, 0644, 0, 0, {}}, 1);
    EXPECT_TRUE(f.ok());
    NewVersion v;
    std::vector<ChunkRef> refs;
    for (int i = 0; i < chunks; ++i) {
      auto data = Pattern(size, seed + i);
      ChunkRef r{Names().Of(data), static_cast<uint32_t>(size)};
      contents_[r.id] = data;
      refs.push_back(r);
      v.chunks.push_back(r);
      v.size += size;
    }
    EXPECT_TRUE(catalog_->CommitVersion(f->ino, v, 2).ok());
    return {f->ino, refs};
  }

  // How the drive names chunks: keyed in an encrypted workspace (cipher_).
  ChunkNames Names() const { return cipher_ ? cipher_->names() : ChunkNames(); }

  std::shared_ptr<const ChunkCipher> cipher_;  // an encrypted workspace's, for the machines made
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<MachineState> machine_;
  std::shared_ptr<MemoryStore> edge_base_ = std::make_shared<MemoryStore>("edge");
  std::shared_ptr<MemoryStore> cloud_base_ = std::make_shared<MemoryStore>("cloud");
  std::unique_ptr<TieredStore> store_;
  ObjectStore* local_ = nullptr;
  FaultInjectionStore* edge_ = nullptr;
  FaultInjectionStore* cloud_faults_ = nullptr;
  std::unordered_map<ChunkId, std::vector<uint8_t>, ChunkIdHash> contents_;
};

TEST_F(TiersTest, RemoteChunksAreVerifiedAndKeptLocally) {
  MakeStore(0);
  auto [ino, refs] = MakeFile("a", 1, 1000, 1);
  const std::string key = ChunkKey(refs[0].id);
  ASSERT_TRUE(cloud_faults_->Put(key, contents_[refs[0].id]).ok());
  EXPECT_FALSE(store_->cache().Contains(refs[0].id));

  bool verified = false;
  auto got = store_->GetChunk(key, &verified);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, contents_[refs[0].id]);
  EXPECT_TRUE(verified) << "a remote copy is checked before it is returned";
  EXPECT_TRUE(local_->Head(key).ok()) << "a fetched chunk stays in the local cache";
  ASSERT_TRUE(store_->GetChunk(key, &verified).ok());
  EXPECT_TRUE(verified) << "a local hit is checked by the tiered store (the reader skips it)";
  EXPECT_TRUE(store_->cache().Contains(refs[0].id));
  EXPECT_EQ(store_->fetch_stats().remote_fetches, 1u);
  EXPECT_EQ(store_->fetch_stats().remote_fetches, 1u) << "the second read is local";

  auto range = store_->GetRange(key, 10, 5);
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(*range, std::vector<uint8_t>(contents_[refs[0].id].begin() + 10,
                                         contents_[refs[0].id].begin() + 15));
}

TEST_F(TiersTest, ACorruptRemoteCopyIsRefusedAndTheNextTierServes) {
  MakeStore(0);
  auto [ino, refs] = MakeFile("a", 1, 1000, 2);
  const std::string key = ChunkKey(refs[0].id);
  auto bad = contents_[refs[0].id];
  bad[500] ^= 1;
  ASSERT_TRUE(edge_->Put(key, bad).ok());
  // Only the edge copy, and it is damaged: Corruption, nothing cached.
  auto got = store_->Get(key);
  EXPECT_EQ(got.status().code(), Code::kCorruption) << got.status().ToString();
  EXPECT_FALSE(local_->Head(key).ok());
  // A good cloud copy: the read falls through to it.
  ASSERT_TRUE(cloud_faults_->Put(key, contents_[refs[0].id]).ok());
  got = store_->Get(key);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, contents_[refs[0].id]);
}

TEST_F(TiersTest, TheCacheStaysWithinItsLimitWhileReadingThreeTimesItsSize) {
  constexpr size_t kChunk = 64 * 1024;
  constexpr uint64_t kLimit = 10 * kChunk;
  MakeStore(kLimit);
  auto [ino, refs] = MakeFile("big", 30, kChunk, 100);
  std::vector<ChunkId> ids;
  for (const ChunkRef& r : refs) {
    ASSERT_TRUE(cloud_faults_->Put(ChunkKey(r.id), contents_[r.id]).ok());
    ids.push_back(r.id);
  }
  ASSERT_TRUE(catalog_->AddChunkTiers(ids, kTierCloud).ok());
  // Four readers at once: concurrent fetches must not overshoot the limit together.
  std::atomic<uint64_t> peak{0};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      for (int pass = 0; pass < 2; ++pass) {
        for (size_t i = 0; i < refs.size(); ++i) {
          const ChunkRef& r = refs[(i + t * 7) % refs.size()];
          auto got = store_->Get(ChunkKey(r.id));
          if (!got.ok() || *got != contents_[r.id]) ++bad;
          uint64_t now = store_->cache().Stats().bytes;
          uint64_t seen = peak.load();
          while (now > seen && !peak.compare_exchange_weak(seen, now)) {
          }
        }
      }
    });
  }
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_LE(peak, kLimit);
  EXPECT_GT(store_->cache().Stats().evicted_chunks, 0u);
}

TEST_F(TiersTest, UnsavedAndPinnedChunksAreNeverEvicted) {
  constexpr size_t kChunk = 4096;
  MakeStore(2 * kChunk);
  auto [ino, refs] = MakeFile("work", 6, kChunk, 7);
  // Written locally (the commit path), durable nowhere else yet.
  for (const ChunkRef& r : refs) ASSERT_TRUE(store_->Put(ChunkKey(r.id), contents_[r.id]).ok());
  EXPECT_EQ(store_->cache().Stats().chunks, 6u) << "over the limit, but nothing is clean";
  // Two become clean; one of them is pinned.
  ASSERT_TRUE(catalog_->AddChunkTiers({refs[0].id, refs[1].id}, kTierEdge).ok());
  store_->cache().SetProtected([&](const ChunkId& id) { return id == refs[1].id; });
  ASSERT_TRUE(store_->cache().MakeRoom().ok());
  EXPECT_FALSE(store_->cache().Contains(refs[0].id));
  EXPECT_TRUE(store_->cache().Contains(refs[1].id));
  for (int i = 2; i < 6; ++i) EXPECT_TRUE(store_->cache().Contains(refs[i].id));
  // Explicit eviction of dirty chunks does nothing either.
  auto freed = store_->cache().Evict({refs[2].id}, false);
  ASSERT_TRUE(freed.ok());
  EXPECT_EQ(*freed, 0u);
  EXPECT_TRUE(local_->Head(ChunkKey(refs[2].id)).ok());
}

TEST_F(TiersTest, UploadsRetryThroughAnOutageAndRecordTheirTierOnlyWhenAcknowledged) {
  MakeStore(0);
  auto [ino, refs] = MakeFile("cut", 4, 2048, 11);
  for (const ChunkRef& r : refs) ASSERT_TRUE(store_->Put(ChunkKey(r.id), contents_[r.id]).ok());
  cloud_faults_->FailPutsAfter(0, Status::Unavailable("gateway down"));
  // One worker, so the four retried uploads are claimed into one pack (see Upload()).
  TransferEngine transfers(catalog_.get(), machine_.get(), store_.get(), 1);
  Placement placement(catalog_.get(), machine_.get(), store_.get(), &transfers);
  ASSERT_TRUE(placement.Start().ok());
  ASSERT_TRUE(transfers.Start().ok());
  auto queued = placement.Publish(ino);
  ASSERT_TRUE(queued.ok()) << queued.status().ToString();
  EXPECT_EQ(queued->chunks, 4u);
  EXPECT_TRUE(Eventually([&] { return transfers.Progress()->failures >= 2; }));
  auto version = catalog_->GetVersion(ino, 0);
  EXPECT_EQ(version->info.published, -1) << "requested, not published while chunks are missing";
  auto usage = placement.Usage(ino);
  EXPECT_EQ(usage->cloud_bytes, 0u) << "nothing is on the tier before the store acknowledged it";
  EXPECT_TRUE(catalog_->GetChunkLocations({refs[0].id, refs[1].id, refs[2].id, refs[3].id})
                  ->empty());

  cloud_faults_->ClearFaults();  // the gateway is back
  EXPECT_TRUE(Eventually([&] { return catalog_->GetVersion(ino, 0)->info.published > 0; }, 20000));
  auto tiers = catalog_->GetChunkTiers({refs[0].id, refs[1].id, refs[2].id, refs[3].id});
  for (TierMask m : *tiers) EXPECT_TRUE(m & kTierCloud);
  for (const ChunkRef& r : refs) EXPECT_EQ(ReadPacked(cloud_base_.get(), kTierCloud, r.id), contents_[r.id]);
  EXPECT_EQ(Packs(cloud_base_.get()).size(), 1u) << "four small chunks, one pack";
  placement.Stop();
  transfers.Stop();
}

TEST_F(TiersTest, PublishingAFileWithoutAVersionIsAnErrorNotAnEmptySuccess) {
  MakeStore(0);
  auto f = catalog_->CreateNode(kRootInode, "open.mov", NewNode{FileType::kRegular, 0644, 0, 0, {}},
                                1);
  ASSERT_TRUE(f.ok());
  auto dir = catalog_->CreateNode(kRootInode, "shots", NewNode{FileType::kDirectory, 0755, 0, 0, {}},
                                  1);
  ASSERT_TRUE(dir.ok());
  TransferEngine transfers(catalog_.get(), machine_.get(), store_.get(), 1);
  Placement placement(catalog_.get(), machine_.get(), store_.get(), &transfers);
  auto published = placement.Publish(f->ino);
  EXPECT_EQ(published.status().code(), Code::kNotFound);
  EXPECT_NE(published.status().message().find("no version yet"), std::string::npos);
  EXPECT_EQ(placement.SaveToWorkingTier(f->ino).status().code(), Code::kNotFound);
  auto empty_dir = placement.Publish(dir->ino);  // a directory: whatever has versions, maybe none
  ASSERT_TRUE(empty_dir.ok()) << empty_dir.status().ToString();
  EXPECT_EQ(empty_dir->chunks, 0u);
}

TEST_F(TiersTest, QueuedTransfersResumeInTheNextProcess) {
  MakeStore(0);
  auto [ino, refs] = MakeFile("clip", 3, 1024, 21);
  for (const ChunkRef& r : refs) ASSERT_TRUE(store_->Put(ChunkKey(r.id), contents_[r.id]).ok());
  std::vector<TransferRequest> requests;
  for (const ChunkRef& r : refs) requests.push_back({TransferKind::kUpload, r.id, r.length, kTierEdge});
  ASSERT_TRUE(machine_->EnqueueTransfers(requests, 1).ok());
  // A previous process claimed one and died.
  ASSERT_TRUE(machine_->ClaimTransfers(1, 1).ok());
  TransferEngine transfers(catalog_.get(), machine_.get(), store_.get(), 2);
  ASSERT_TRUE(transfers.Start().ok());
  ASSERT_TRUE(transfers.WaitEmpty(10000).ok());
  for (const ChunkRef& r : refs) EXPECT_EQ(ReadPacked(edge_base_.get(), kTierEdge, r.id), contents_[r.id]);
  auto tiers = catalog_->GetChunkTiers({refs[0].id, refs[1].id, refs[2].id});
  EXPECT_EQ(*tiers, (std::vector<TierMask>{kTierEdge, kTierEdge, kTierEdge}));
}

// A catalog that notes, at each Sync, how many transfers the machine still has queued or running.
class SyncWatchingCatalog final : public CatalogWrapper {
 public:
  SyncWatchingCatalog(std::unique_ptr<Catalog> inner, MachineState* machine)
      : CatalogWrapper(std::move(inner)), machine_(machine) {}
  Status Sync() override {
    auto counts = machine_->CountTransfers(WallClockNs());
    std::lock_guard lock(mu_);
    pending_at_sync_.push_back(counts.ok() ? counts->queued + counts->running : 999);
    return inner()->Sync();
  }
  std::vector<uint64_t> pending_at_sync() {
    std::lock_guard lock(mu_);
    return pending_at_sync_;
  }

 private:
  MachineState* const machine_;
  std::mutex mu_;  // guards pending_at_sync_
  std::vector<uint64_t> pending_at_sync_;
};

// The catalog and the machine state are two databases: a pack's tier bits must be on disk before
// its queue entries go, or a power cut could keep the removal and lose the bits (and the upload).
TEST_F(TiersTest, APacksTierBitsAreSyncedBeforeItsQueueEntriesGo) {
  auto watching = std::make_unique<SyncWatchingCatalog>(std::move(catalog_), machine_.get());
  SyncWatchingCatalog* watch = watching.get();
  catalog_ = std::move(watching);
  MakeStore(0);
  auto [ino, refs] = MakeFile("take", 3, 1024, 51);
  Upload(refs, kTierCloud);
  auto tiers = catalog_->GetChunkTiers({refs[0].id, refs[1].id, refs[2].id});
  ASSERT_TRUE(tiers.ok());
  EXPECT_EQ(*tiers, (std::vector<TierMask>{kTierCloud, kTierCloud, kTierCloud}));
  const std::vector<uint64_t> pending = watch->pending_at_sync();
  ASSERT_FALSE(pending.empty()) << "the catalog was never synced";
  EXPECT_EQ(pending.front(), 3u) << "the entries were still queued when the bits were synced";
  auto left = machine_->CountTransfers(WallClockNs());
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->queued + left->running, 0u);
}

TEST_F(TiersTest, TransfersOfACollectedChunkLeaveTheQueueOthersWaitForTheirChunk) {
  MakeStore(0);
  auto [gone_ino, gone] = MakeFile("gone", 1, 1024, 41);
  auto [kept_ino, kept] = MakeFile("kept", 1, 1024, 42);
  // Neither chunk is in any store; "gone"'s is collected from the catalog as well.
  ASSERT_TRUE(catalog_->Unlink(kRootInode, "gone", 3).ok());
  ASSERT_TRUE(catalog_->PurgeTrash(4, {}, 5).ok());
  auto deleted = catalog_->DeleteChunkIfUnreferenced(gone[0].id);
  ASSERT_TRUE(deleted.ok() && *deleted);
  ASSERT_TRUE(machine_
                  ->EnqueueTransfers({{TransferKind::kUpload, gone[0].id, 1024, kTierCloud},
                                      {TransferKind::kDownload, gone[0].id, 1024, 0},
                                      {TransferKind::kUpload, kept[0].id, 1024, kTierCloud}},
                                     1)
                  .ok());
  TransferEngine transfers(catalog_.get(), machine_.get(), store_.get(), 1);
  ASSERT_TRUE(transfers.Start().ok());
  // The kept chunk's upload fails (it is missing) and waits for a retry; the collected chunk's
  // transfers are dropped, not retried forever.
  ASSERT_TRUE(Eventually([&] {
    auto listed = machine_->ListTransfers(10);
    return listed.ok() && listed->size() == 1 && (*listed)[0].attempts >= 1;
  }));
  transfers.Stop();
  auto listed = machine_->ListTransfers(10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].request.chunk, kept[0].id);
  EXPECT_EQ((*listed)[0].request.kind, TransferKind::kUpload);
  auto progress = transfers.Progress();
  ASSERT_TRUE(progress.ok());
  EXPECT_GE(progress->failures, 1u);
  EXPECT_EQ(progress->completed, 0u);
}

TEST_F(TiersTest, PausedTransfersWaitAndHydrateFetchesWhatIsMissing) {
  MakeStore(0);
  auto [ino, refs] = MakeFile("plate", 3, 1024, 31);
  for (const ChunkRef& r : refs) ASSERT_TRUE(cloud_faults_->Put(ChunkKey(r.id), contents_[r.id]).ok());
  TransferEngine transfers(catalog_.get(), machine_.get(), store_.get(), 2);
  Placement placement(catalog_.get(), machine_.get(), store_.get(), &transfers);
  ASSERT_TRUE(placement.Start().ok());
  transfers.Pause();
  ASSERT_TRUE(transfers.Start().ok());
  auto queued = placement.Hydrate(ino);
  ASSERT_TRUE(queued.ok());
  EXPECT_EQ(queued->chunks, 3u);
  // Paused before the workers started, so none may claim a transfer: everything stays queued.
  auto progress = transfers.Progress();
  ASSERT_TRUE(progress.ok()) << progress.status().ToString();
  EXPECT_EQ(progress->queue.queued, 3u);
  EXPECT_EQ(progress->queue.running, 0u) << "paused: nothing is claimed";
  EXPECT_EQ(placement.Usage(ino)->local_bytes, 0u) << "paused: nothing moves";
  EXPECT_EQ(cloud_faults_->calls(FaultInjectionStore::Op::kGetRange) +
                cloud_faults_->calls(FaultInjectionStore::Op::kGet),
            0u) << "paused: nothing is fetched";
  EXPECT_EQ(transfers.WaitEmpty(100).code(), Code::kBusy);
  transfers.Resume();
  ASSERT_TRUE(transfers.WaitEmpty(10000).ok());
  EXPECT_EQ(placement.Usage(ino)->local_bytes, 3 * 1024u);
  EXPECT_EQ(placement.Hydrate(ino)->chunks, 0u) << "nothing left to fetch";
  placement.Stop();
  transfers.Stop();
}

TEST_F(TiersTest, APublishIsAFewPackPutsAndANewMachineStreamsItWithAFewRangedGets) {
  MakeStore(0);
  constexpr int kChunks = 48;
  constexpr size_t kChunk = 512 * 1024;  // 24 MiB: two packs
  auto [ino, refs] = MakeFile("take.mov", kChunks, kChunk, 300);
  for (const ChunkRef& r : refs) ASSERT_TRUE(store_->Put(ChunkKey(r.id), contents_[r.id]).ok());
  TransferEngine transfers(catalog_.get(), machine_.get(), store_.get(), 2);
  Placement placement(catalog_.get(), machine_.get(), store_.get(), &transfers);
  ASSERT_TRUE(placement.Start().ok());
  ASSERT_TRUE(transfers.Start().ok());
  ASSERT_TRUE(placement.Publish(ino).ok());
  EXPECT_TRUE(Eventually([&] { return catalog_->GetVersion(ino, 0)->info.published > 0; }, 20000));
  placement.Stop();
  transfers.Stop();
  const uint64_t puts = cloud_faults_->calls(FaultInjectionStore::Op::kPut);
  EXPECT_GE(puts, 2u) << "24 MiB does not fit one 16 MiB pack";
  EXPECT_LE(puts, 4u) << "48 chunks were uploaded with " << puts << " PUTs";
  EXPECT_EQ(Packs(cloud_base_.get()).size(), puts);
  for (const ChunkRef& r : refs) EXPECT_EQ(ReadPacked(cloud_base_.get(), kTierCloud, r.id), contents_[r.id]);

  // A new machine streams the file: a few ranged GETs bring every chunk, verified.
  ObjectStore* local2 = nullptr;
  FaultInjectionStore *edge2 = nullptr, *cloud2 = nullptr;
  auto machine = NewMachine(0, &local2, &edge2, &cloud2);
  {
    ChunkReader reader(machine.get(), ChunkNames(), 256ull << 20, 4);
    reader.Prefetch(refs);
    EXPECT_TRUE(Eventually([&] { return reader.prefetched() == refs.size(); }));
    for (const ChunkRef& r : refs) {
      auto got = reader.Get(r);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(std::vector<uint8_t>(got->begin(), got->end()), contents_[r.id]);
    }
  }
  const uint64_t gets = cloud2->calls(FaultInjectionStore::Op::kGet) +
                        cloud2->calls(FaultInjectionStore::Op::kGetRange);
  EXPECT_LE(gets, 6u) << kChunks << " chunks were read with " << gets << " GETs";
  EXPECT_EQ(machine->fetch_stats().remote_fetches, static_cast<uint64_t>(kChunks));
  EXPECT_EQ(machine->cache().Stats().chunks, static_cast<uint64_t>(kChunks)) << "kept locally";

  // Random access on a third machine fetches just the chunk it touches.
  ObjectStore* local3 = nullptr;
  FaultInjectionStore *edge3 = nullptr, *cloud3 = nullptr;
  auto third = NewMachine(0, &local3, &edge3, &cloud3);
  ChunkReader reader3(third.get(), ChunkNames(), 256ull << 20, 4);
  auto one = reader3.Get(refs[20]);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(std::vector<uint8_t>(one->begin(), one->end()), contents_[refs[20].id]);
  EXPECT_EQ(cloud3->calls(FaultInjectionStore::Op::kGetRange), 1u);
  EXPECT_EQ(cloud3->calls(FaultInjectionStore::Op::kGet), 0u);
  EXPECT_EQ(third->fetch_stats().remote_bytes, kChunk) << "only the chunk's range";

  // Hydrating the file on a fourth machine: downloads are fetched in batches, so neighbours in a
  // pack come with one ranged GET each batch, not one GET per chunk.
  ObjectStore* local4 = nullptr;
  FaultInjectionStore *edge4 = nullptr, *cloud4 = nullptr;
  auto fourth = NewMachine(0, &local4, &edge4, &cloud4);
  auto machine4 = NewMachineState();
  TransferEngine transfers4(catalog_.get(), machine4.get(), fourth.get(), 1);
  Placement placement4(catalog_.get(), machine4.get(), fourth.get(), &transfers4);
  ASSERT_TRUE(placement4.Start().ok());
  ASSERT_TRUE(transfers4.Start().ok());
  auto queued = placement4.Hydrate(ino);
  ASSERT_TRUE(queued.ok()) << queued.status().ToString();
  EXPECT_EQ(queued->chunks, static_cast<uint64_t>(kChunks));
  ASSERT_TRUE(transfers4.WaitEmpty(20000).ok());
  placement4.Stop();
  transfers4.Stop();
  EXPECT_EQ(fourth->cache().Stats().chunks, static_cast<uint64_t>(kChunks));
  for (const ChunkRef& r : refs) {
    auto local = local4->Get(ChunkKey(r.id));
    ASSERT_TRUE(local.ok()) << local.status().ToString();
    EXPECT_EQ(*local, contents_[r.id]);
  }
  const uint64_t hydrate_gets = cloud4->calls(FaultInjectionStore::Op::kGet) +
                                cloud4->calls(FaultInjectionStore::Op::kGetRange);
  EXPECT_LE(hydrate_gets, 6u) << kChunks << " chunks were hydrated with " << hydrate_gets << " GETs";
}

TEST_F(TiersTest, ADamagedByteInAPackFailsThatChunkOnlyOrFallsBackToAGoodCopy) {
  MakeStore(0);
  auto [ino, refs] = MakeFile("plate", 8, 64 * 1024, 400);
  Upload(refs, kTierCloud);
  auto locs = catalog_->GetChunkLocations({refs[3].id});
  ASSERT_TRUE(locs.ok() && locs->size() == 1);
  auto pack = cloud_base_->Get((*locs)[0].pack);
  ASSERT_TRUE(pack.ok());
  (*pack)[(*locs)[0].member.offset + 100] ^= 0x40;
  ASSERT_TRUE(cloud_base_->Put((*locs)[0].pack, *pack).ok());

  auto read_all = [&](std::vector<Status>* statuses) {
    ObjectStore* local = nullptr;
    FaultInjectionStore *edge = nullptr, *cloud = nullptr;
    auto machine = NewMachine(0, &local, &edge, &cloud);
    ChunkReader reader(machine.get(), ChunkNames(), 64ull << 20, 2);
    reader.Prefetch(refs);
    for (const ChunkRef& r : refs) {
      auto got = reader.Get(r);
      statuses->push_back(got.status());
      if (got.ok()) {
        EXPECT_EQ(std::vector<uint8_t>(got->begin(), got->end()), contents_[r.id]) << "never wrong bytes";
      }
    }
    EXPECT_FALSE(local->Head(ChunkKey(refs[3].id)).ok() && statuses->at(3).code() != Code::kOk)
        << "a damaged chunk is not cached";
  };
  std::vector<Status> first;
  read_all(&first);
  for (size_t i = 0; i < refs.size(); ++i) {
    if (i == 3) {
      EXPECT_EQ(first[i].code(), Code::kCorruption) << first[i].ToString();
    } else {
      EXPECT_TRUE(first[i].ok()) << i << ": " << first[i].ToString();
    }
  }
  // A good copy on the edge (an older loose upload): the read falls back to it.
  ASSERT_TRUE(edge_base_->Put(ChunkKey(refs[3].id), contents_[refs[3].id]).ok());
  std::vector<Status> second;
  read_all(&second);
  for (const Status& st : second) EXPECT_TRUE(st.ok()) << st.ToString();
}

std::shared_ptr<const ChunkCipher> CipherOf(uint8_t seed) {
  std::vector<uint8_t> key(kWorkspaceKeyBytes);
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(seed * 31 + i);
  auto c = ChunkCipher::FromWorkspaceKey(key);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : nullptr;
}

// An encrypted workspace: what reaches a shared tier is sealed (no plaintext, no plain SHA-256
// in any key or byte), a new machine with the key streams it back verified, a damaged sealed
// member fails that chunk only, and a machine with another key reads nothing.
TEST_F(TiersTest, AnEncryptedWorkspacesChunksAreSealedOnTheSharedTiers) {
  cipher_ = CipherOf(7);
  MakeStore(0);
  constexpr size_t kChunk = 64 * 1024;
  auto [ino, refs] = MakeFile("secret.mov", 8, kChunk, 900);
  Upload(refs, kTierCloud);

  std::vector<std::vector<uint8_t>> objects;
  std::string all_keys;
  ASSERT_TRUE(cloud_base_->List("", [&](const ObjectInfo& info) {
    all_keys += info.key + "\n";
    auto got = cloud_base_->Get(info.key);
    EXPECT_TRUE(got.ok());
    if (got.ok()) objects.push_back(*got);
    return true;
  }).ok());
  ASSERT_FALSE(objects.empty());
  for (const ChunkRef& r : refs) {
    const std::vector<uint8_t>& plain = contents_[r.id];
    const ChunkId plain_sha = Sha256(plain);
    EXPECT_EQ(all_keys.find(plain_sha.Hex()), std::string::npos) << "a plain hash as a key";
    for (const std::vector<uint8_t>& o : objects) {
      EXPECT_EQ(std::search(o.begin(), o.end(), plain.begin() + 1000, plain.begin() + 1032), o.end())
          << "plaintext of chunk " << r.id.Hex() << " on the cloud tier";
      EXPECT_EQ(std::search(o.begin(), o.end(), plain_sha.bytes.begin(), plain_sha.bytes.end()),
                o.end());
    }
    auto locs = catalog_->GetChunkLocations({r.id});
    ASSERT_TRUE(locs.ok() && locs->size() == 1);
    EXPECT_EQ((*locs)[0].member.length, kChunk + kSealOverhead);
  }

  // A new machine with the key streams the file (a coalesced run), another reads one chunk.
  for (bool stream : {true, false}) {
    ObjectStore* local = nullptr;
    FaultInjectionStore *edge = nullptr, *cloud = nullptr;
    auto machine = NewMachine(0, &local, &edge, &cloud);
    {
      ChunkReader reader(machine.get(), Names(), 64ull << 20, 2);
      if (stream) reader.Prefetch(refs);
      for (const ChunkRef& r : refs) {
        auto got = reader.Get(r);
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        EXPECT_EQ(std::vector<uint8_t>(got->begin(), got->end()), contents_[r.id]);
      }
    }  // the prefetchers have finished their cache fills
    for (const ChunkRef& r : refs) {
      auto cached = local->Get(ChunkKey(r.id));
      ASSERT_TRUE(cached.ok()) << "kept locally, in the clear";
      EXPECT_EQ(*cached, contents_[r.id]);
    }
  }

  // A damaged byte of one sealed member: that chunk is Corruption, never wrong bytes.
  auto locs = catalog_->GetChunkLocations({refs[2].id});
  ASSERT_TRUE(locs.ok() && locs->size() == 1);
  auto pack = cloud_base_->Get((*locs)[0].pack);
  ASSERT_TRUE(pack.ok());
  (*pack)[(*locs)[0].member.offset + 10] ^= 0x01;
  ASSERT_TRUE(cloud_base_->Put((*locs)[0].pack, *pack).ok());
  {
    ObjectStore* local = nullptr;
    FaultInjectionStore *edge = nullptr, *cloud = nullptr;
    auto machine = NewMachine(0, &local, &edge, &cloud);
    ChunkReader reader(machine.get(), Names(), 64ull << 20, 2);
    reader.Prefetch(refs);
    for (size_t i = 0; i < refs.size(); ++i) {
      auto got = reader.Get(refs[i]);
      if (i == 2) {
        EXPECT_EQ(got.status().code(), Code::kCorruption) << got.status().ToString();
      } else {
        ASSERT_TRUE(got.ok()) << i << ": " << got.status().ToString();
        EXPECT_EQ(std::vector<uint8_t>(got->begin(), got->end()), contents_[refs[i].id]);
      }
    }
  }

  // Another workspace's key opens nothing.
  const ChunkNames names = Names();
  cipher_ = CipherOf(8);
  ObjectStore* local = nullptr;
  FaultInjectionStore *edge = nullptr, *cloud = nullptr;
  auto stranger = NewMachine(0, &local, &edge, &cloud);
  ChunkReader reader(stranger.get(), names, 64ull << 20, 2);
  EXPECT_EQ(reader.Get(refs[0]).status().code(), Code::kCorruption);
  EXPECT_EQ(stranger->fetch_stats().remote_fetches, 0u) << "nothing kept";
}

TEST_F(TiersTest, APackWhoseAcknowledgementIsLostIsUploadedAgainAndOnlyThenRecorded) {
  MakeStore(0);
  auto [ino, refs] = MakeFile("cut", 5, 4096, 500);
  // The first PUT reaches the store but its reply is lost.
  cloud_faults_->FailNext(FaultInjectionStore::Op::kPut, 1, Status::Unavailable("reset"),
                          FaultInjectionStore::When::kAfter);
  Upload(refs, kTierCloud);
  EXPECT_EQ(cloud_faults_->calls(FaultInjectionStore::Op::kPut), 2u) << "the whole pack again";
  auto packs = Packs(cloud_base_.get());
  ASSERT_EQ(packs.size(), 2u);
  uint64_t members = 0;
  for (const std::string& key : packs) {
    EXPECT_TRUE(IsPackKey(key)) << key;
    members += *catalog_->CountPackMembers(kTierCloud, key);
  }
  EXPECT_EQ(members, 5u) << "the unacknowledged pack is recorded nowhere (garbage, not data)";
  auto tiers = catalog_->GetChunkTiers({refs[0].id, refs[4].id});
  EXPECT_EQ(*tiers, (std::vector<TierMask>{kTierCloud, kTierCloud}));
  for (const ChunkRef& r : refs) EXPECT_EQ(ReadPacked(cloud_base_.get(), kTierCloud, r.id), contents_[r.id]);
}

TEST_F(TiersTest, ATornLocalCopyOfACleanChunkIsFetchedAgainAndOfAnUnsavedOneIsReported) {
  MakeStore(0);
  auto [ino, refs] = MakeFile("a", 2, 8192, 600);
  const std::string clean = ChunkKey(refs[0].id);
  ASSERT_TRUE(cloud_faults_->Put(clean, contents_[refs[0].id]).ok());
  ASSERT_TRUE(catalog_->AddChunkTiers({refs[0].id}, kTierCloud).ok());
  ASSERT_TRUE(store_->Get(clean).ok());  // fetched and kept (an unsynced fill)
  // A power loss tore the fill: half of it is on disk.
  const auto& full = contents_[refs[0].id];
  ASSERT_TRUE(local_->Put(clean, std::vector<uint8_t>(full.begin(), full.begin() + 4096)).ok());
  bool verified = false;
  auto got = store_->GetChunk(clean, &verified);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, full);
  EXPECT_TRUE(verified);
  EXPECT_EQ(store_->fetch_stats().local_repairs, 1u);
  EXPECT_EQ(*local_->Get(clean), full) << "the local copy is whole again";

  // Unsaved: the only copy is local; damage is reported, never papered over.
  const std::string unsaved = ChunkKey(refs[1].id);
  auto bad = contents_[refs[1].id];
  bad[7] ^= 1;
  ASSERT_TRUE(store_->Put(unsaved, bad).ok());
  EXPECT_EQ(store_->GetChunk(unsaved, &verified).status().code(), Code::kCorruption);
  EXPECT_TRUE(local_->Head(unsaved).ok()) << "the only copy is kept for inspection";
}

// A first upload attempt does not hash local copies: the target store checks every member of
// the pack (PutHashedParts). A damaged local copy gets the pack refused; the retry verifies each
// copy, repairs a clean one from another tier and holds back an unsaved one, alone.
TEST_F(TiersTest, ADamagedLocalCopyGetsItsPackRefusedAndTheRetryRepairsOrHoldsItBack) {
  MakeStore(0);
  auto [ino, refs] = MakeFile("shot", 4, 8192, 700);
  for (const ChunkRef& r : refs) ASSERT_TRUE(store_->Put(ChunkKey(r.id), contents_[r.id]).ok());
  // refs[1] is clean (also on the edge); refs[2] is unsaved (its only copy is local).
  ASSERT_TRUE(edge_->Put(ChunkKey(refs[1].id), contents_[refs[1].id]).ok());
  ASSERT_TRUE(catalog_->AddChunkTiers({refs[1].id}, kTierEdge).ok());
  for (int i : {1, 2}) {
    auto bad = contents_[refs[i].id];
    bad[100] ^= 0x10;
    ASSERT_TRUE(local_->Put(ChunkKey(refs[i].id), bad).ok());
  }
  std::vector<TransferRequest> requests;
  for (const ChunkRef& r : refs) requests.push_back({TransferKind::kUpload, r.id, r.length, kTierCloud});
  TransferEngine transfers(catalog_.get(), machine_.get(), store_.get(), 1);
  ASSERT_TRUE(transfers.Enqueue(requests).ok());
  ASSERT_TRUE(transfers.Start().ok());
  auto on_cloud = [&](const ChunkRef& r) {
    auto t = catalog_->GetChunkTiers({r.id});
    return t.ok() && ((*t)[0] & kTierCloud) != 0;
  };
  EXPECT_TRUE(Eventually([&] { return on_cloud(refs[0]) && on_cloud(refs[1]) && on_cloud(refs[3]); }));
  EXPECT_GE(transfers.Progress()->failures, 1u);
  EXPECT_NE(transfers.Progress()->last_error.find("does not match"), std::string::npos)
      << transfers.Progress()->last_error;
  EXPECT_FALSE(on_cloud(refs[2])) << "an unsaved copy that does not match is never uploaded";
  for (int i : {0, 1, 3}) {
    EXPECT_EQ(ReadPacked(cloud_base_.get(), kTierCloud, refs[i].id), contents_[refs[i].id]) << i;
  }
  EXPECT_EQ(*local_->Get(ChunkKey(refs[1].id)), contents_[refs[1].id]) << "repaired from the edge";
  // A pack's chunks are recorded on the tier before their queue rows go (two databases: a crash
  // in between uploads them again), so the queue is waited for on its own.
  EXPECT_TRUE(Eventually([&] {
    auto counts = transfers.Progress()->queue;
    return counts.queued + counts.running == 1u;
  })) << "the damaged unsaved chunk stays queued";
  transfers.Stop();
}

// Garbage collection of packs: an old pack no chunk references (a lost PUT acknowledgement) is
// deleted; a young one, one whose upload holds it (between its PUT and its record), one with
// members, and an object under packs/ that is not a pack are kept.
TEST_F(TiersTest, OrphanPacksAreCollectedWhenOldAndUnheldOnly) {
  MakeStore(0);
  auto [ino, refs] = MakeFile("cut", 3, 8192, 800);
  Upload(refs, kTierCloud);
  ASSERT_EQ(Packs(cloud_base_.get()).size(), 1u);
  const std::string live = Packs(cloud_base_.get())[0];
  std::mt19937_64 rng(42);
  const std::string orphan = NewPackKey(rng), held = NewPackKey(rng);
  ASSERT_TRUE(cloud_base_->Put(orphan, Pattern(5000, 1)).ok());
  ASSERT_TRUE(cloud_base_->Put(held, Pattern(6000, 2)).ok());
  ASSERT_TRUE(cloud_base_->Put("packs/notes.txt", Pattern(10, 3)).ok());
  auto hold = store_->HoldPack(held);

  auto young = store_->CollectOrphanPacks(WallClockNs() - kOrphanPackMinAgeNs);
  ASSERT_TRUE(young.ok()) << young.status().ToString();
  EXPECT_EQ(young->packs_deleted, 0u) << "nothing is an hour old";

  const TimeNs later = WallClockNs() + 1'000'000'000;  // as if an hour had passed
  auto first = store_->CollectOrphanPacks(later);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->packs_deleted, 1u);
  EXPECT_EQ(first->bytes_deleted, 5000u);
  EXPECT_EQ(cloud_base_->Head(orphan).status().code(), Code::kNotFound);
  EXPECT_TRUE(cloud_base_->Head(held).ok()) << "an upload in flight keeps its pack";
  EXPECT_TRUE(cloud_base_->Head(live).ok());
  EXPECT_TRUE(cloud_base_->Head("packs/notes.txt").ok()) << "not a pack name: not ours to judge";

  hold.reset();  // the upload failed and will go again as a new pack
  auto second = store_->CollectOrphanPacks(later);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->packs_deleted, 1u);
  EXPECT_EQ(cloud_base_->Head(held).status().code(), Code::kNotFound);
  for (const ChunkRef& r : refs) {
    EXPECT_EQ(ReadPacked(cloud_base_.get(), kTierCloud, r.id), contents_[r.id]) << "live pack";
  }
}

TEST_F(TiersTest, DeletingChunksDeletesTheirPackOnlyWhenNoMemberIsLeft) {
  MakeStore(0);
  auto [ino, refs] = MakeFile("old", 3, 4096, 700);
  Upload(refs, kTierEdge);
  auto packs = Packs(edge_base_.get());
  ASSERT_EQ(packs.size(), 1u);
  // gc's scan for orphan objects lists chunks/ only: a pack is never taken for an orphan chunk.
  bool pack_listed = false;
  ASSERT_TRUE(store_->List(kChunkPrefix, [&](const ObjectInfo& info) {
    pack_listed = pack_listed || info.key.rfind(kPackPrefix, 0) == 0;
    return true;
  }).ok());
  EXPECT_FALSE(pack_listed);

  ASSERT_TRUE(store_->Delete(ChunkKey(refs[0].id)).ok());
  ASSERT_TRUE(store_->Delete(ChunkKey(refs[2].id)).ok());
  EXPECT_TRUE(edge_base_->Head(packs[0]).ok()) << "one member is still alive";
  EXPECT_EQ(*catalog_->CountPackMembers(kTierEdge, packs[0]), 1u);
  auto still = store_->Get(ChunkKey(refs[1].id));
  ASSERT_TRUE(still.ok());
  ASSERT_TRUE(store_->Delete(ChunkKey(refs[1].id)).ok());
  EXPECT_EQ(edge_base_->Head(packs[0]).status().code(), Code::kNotFound);
  EXPECT_TRUE(catalog_->GetChunkLocations({refs[0].id, refs[1].id, refs[2].id})->empty());
}

}  // namespace
}  // namespace reel
