// The tier layer over real catalog and store implementations: TieredStore (read-through with
// verification, cache limit), TransferEngine (durable queue, retries, restart) and Placement
// (publish only after every chunk is acknowledged). Shared tiers are memory stores, wrapped in a
// FaultInjectionStore where a test needs the "cloud" to fail.
#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "chunking/sha256.h"
#include "store/chunk_keys.h"
#include "store/fault_injection_store.h"
#include "store/memory_store.h"
#include "tiers/placement.h"
#include "tiers/tiered_store.h"
#include "testing/pattern.h"
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
  }

  // A drive with an edge and a cloud tier; `cloud_faults_` wraps the cloud store.
  void MakeStore(uint64_t cache_limit) {
    auto edge = std::make_unique<MemoryStore>("edge");
    auto cloud = std::make_unique<FaultInjectionStore>(std::make_unique<MemoryStore>("cloud"));
    edge_ = edge.get();
    cloud_faults_ = cloud.get();
    std::vector<SharedTier> shared;
    shared.push_back({"edge", kTierEdge, std::move(edge)});
    shared.push_back({"cloud", kTierCloud, std::move(cloud)});
    auto local = std::make_unique<MemoryStore>("local");
    local_ = local.get();
    store_ = std::make_unique<TieredStore>(std::move(local), std::move(shared), catalog_.get(),
                                           cache_limit);
    ASSERT_TRUE(store_->Open().ok());
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
      ChunkRef r{Sha256(data), static_cast<uint32_t>(size)};
      contents_[r.id] = data;
      refs.push_back(r);
      v.chunks.push_back(r);
      v.size += size;
    }
    EXPECT_TRUE(catalog_->CommitVersion(f->ino, v, 2).ok());
    return {f->ino, refs};
  }

  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<TieredStore> store_;
  ObjectStore* local_ = nullptr;
  ObjectStore* edge_ = nullptr;
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
  EXPECT_FALSE(verified) << "a local hit is the reader's to check";
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
  cloud_faults_->FailPutsAfter(1, Status::Unavailable("gateway down"));
  TransferEngine transfers(catalog_.get(), store_.get(), 2);
  Placement placement(catalog_.get(), store_.get(), &transfers);
  ASSERT_TRUE(placement.Start().ok());
  ASSERT_TRUE(transfers.Start().ok());
  auto queued = placement.Publish(ino);
  ASSERT_TRUE(queued.ok()) << queued.status().ToString();
  EXPECT_EQ(queued->chunks, 4u);
  EXPECT_TRUE(Eventually([&] { return transfers.Progress()->failures >= 2; }));
  auto version = catalog_->GetVersion(ino, 0);
  EXPECT_EQ(version->info.published, -1) << "requested, not published while chunks are missing";
  auto usage = placement.Usage(ino);
  EXPECT_LT(usage->cloud_bytes, usage->total_bytes);

  cloud_faults_->ClearFaults();  // the gateway is back
  EXPECT_TRUE(Eventually([&] { return catalog_->GetVersion(ino, 0)->info.published > 0; }, 20000));
  auto tiers = catalog_->GetChunkTiers({refs[0].id, refs[1].id, refs[2].id, refs[3].id});
  for (TierMask m : *tiers) EXPECT_TRUE(m & kTierCloud);
  for (const ChunkRef& r : refs) {
    auto copy = cloud_faults_->base()->Get(ChunkKey(r.id));
    ASSERT_TRUE(copy.ok());
    EXPECT_EQ(*copy, contents_[r.id]);
  }
  placement.Stop();
  transfers.Stop();
}

TEST_F(TiersTest, QueuedTransfersResumeInTheNextProcess) {
  MakeStore(0);
  auto [ino, refs] = MakeFile("clip", 3, 1024, 21);
  for (const ChunkRef& r : refs) ASSERT_TRUE(store_->Put(ChunkKey(r.id), contents_[r.id]).ok());
  std::vector<TransferRequest> requests;
  for (const ChunkRef& r : refs) requests.push_back({TransferKind::kUpload, r.id, r.length, kTierEdge});
  ASSERT_TRUE(catalog_->EnqueueTransfers(requests, 1).ok());
  // A previous process claimed one and died.
  ASSERT_TRUE(catalog_->ClaimTransfers(1, 1).ok());
  TransferEngine transfers(catalog_.get(), store_.get(), 2);
  ASSERT_TRUE(transfers.Start().ok());
  ASSERT_TRUE(transfers.WaitEmpty(10000).ok());
  for (const ChunkRef& r : refs) EXPECT_TRUE(edge_->Head(ChunkKey(r.id)).ok());
  auto tiers = catalog_->GetChunkTiers({refs[0].id, refs[1].id, refs[2].id});
  EXPECT_EQ(*tiers, (std::vector<TierMask>{kTierEdge, kTierEdge, kTierEdge}));
}

TEST_F(TiersTest, PausedTransfersWaitAndHydrateFetchesWhatIsMissing) {
  MakeStore(0);
  auto [ino, refs] = MakeFile("plate", 3, 1024, 31);
  for (const ChunkRef& r : refs) ASSERT_TRUE(cloud_faults_->Put(ChunkKey(r.id), contents_[r.id]).ok());
  TransferEngine transfers(catalog_.get(), store_.get(), 2);
  Placement placement(catalog_.get(), store_.get(), &transfers);
  ASSERT_TRUE(placement.Start().ok());
  transfers.Pause();
  ASSERT_TRUE(transfers.Start().ok());
  auto queued = placement.Hydrate(ino);
  ASSERT_TRUE(queued.ok());
  EXPECT_EQ(queued->chunks, 3u);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(placement.Usage(ino)->local_bytes, 0u) << "paused: nothing moves";
  EXPECT_EQ(transfers.WaitEmpty(100).code(), Code::kBusy);
  transfers.Resume();
  ASSERT_TRUE(transfers.WaitEmpty(10000).ok());
  EXPECT_EQ(placement.Usage(ino)->local_bytes, 3 * 1024u);
  EXPECT_EQ(placement.Hydrate(ino)->chunks, 0u) << "nothing left to fetch";
  placement.Stop();
  transfers.Stop();
}

}  // namespace
}  // namespace reel
