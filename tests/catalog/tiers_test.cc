// Tier bits, published versions, pins and the durable transfer queue, run against every backend.
#include "catalog_test_util.h"

namespace reel::testing {
namespace {

NewVersion VersionOf(std::vector<ChunkRef> chunks) {
  NewVersion v;
  for (const ChunkRef& c : chunks) v.size += c.length;
  v.chunks = std::move(chunks);
  return v;
}

TransferRequest Upload(const ChunkId& id, TierMask tier, uint32_t size = 10) {
  return TransferRequest{TransferKind::kUpload, id, size, tier};
}

TEST_P(CatalogTest, ChunkTierBitsAccumulateAndUnknownChunksHaveNone) {
  Attributes f = MkFile(kRootInode, "shot.exr");
  ASSERT_OK(cat_->CommitVersion(f.ino, VersionOf({{TestChunk(1), 10}, {TestChunk(2), 20}}), Now())
                .status());
  ASSERT_OK_AND_ASSIGN(auto none, cat_->GetChunkTiers({TestChunk(1), TestChunk(2), TestChunk(9)}));
  EXPECT_EQ(none, (std::vector<TierMask>{0, 0, 0}));
  ASSERT_OK(cat_->AddChunkTiers({TestChunk(1), TestChunk(9)}, kTierEdge));
  ASSERT_OK(cat_->AddChunkTiers({TestChunk(1)}, kTierCloud));
  ASSERT_OK_AND_ASSIGN(auto got, cat_->GetChunkTiers({TestChunk(1), TestChunk(2), TestChunk(9)}));
  EXPECT_EQ(got, (std::vector<TierMask>{kTierEdge | kTierCloud, 0, 0}));
  bool seen = false;
  ASSERT_OK(cat_->ForEachChunk([&](const ChunkRecord& r) {
    if (r.id == TestChunk(1)) {
      seen = true;
      EXPECT_EQ(r.tiers, kTierEdge | kTierCloud);
    }
    return true;
  }));
  EXPECT_TRUE(seen);
}

TEST_P(CatalogTest, PublishedMarksOneVersion) {
  Attributes f = MkFile(kRootInode, "cut.mov");
  ASSERT_OK(cat_->CommitVersion(f.ino, VersionOf({{TestChunk(1), 10}}), Now()).status());
  ASSERT_OK(cat_->CommitVersion(f.ino, VersionOf({{TestChunk(2), 10}}), Now()).status());
  ASSERT_OK(cat_->RequestPublish(f.ino, 2));
  EXPECT_CODE(cat_->RequestPublish(f.ino, 9), Code::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto pending, cat_->ListPendingPublishes());
  EXPECT_EQ(pending, (std::vector<std::pair<InodeId, uint64_t>>{{f.ino, 2}}));
  EXPECT_EQ(cat_->GetVersion(f.ino, 2)->info.published, -1);
  TimeNs when = Now();
  ASSERT_OK(cat_->MarkPublished(f.ino, 2, when));
  ASSERT_OK(cat_->RequestPublish(f.ino, 2));  // already published: stays so
  ASSERT_OK_AND_ASSIGN(pending, cat_->ListPendingPublishes());
  EXPECT_TRUE(pending.empty());
  EXPECT_CODE(cat_->MarkPublished(f.ino, 7, when), Code::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto versions, cat_->ListVersions(f.ino));
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].published, 0);
  EXPECT_EQ(versions[1].published, when);
  ASSERT_OK_AND_ASSIGN(Version current, cat_->GetVersion(f.ino, 0));
  EXPECT_EQ(current.info.published, when);
}

TEST_P(CatalogTest, PinsAreRegularFilesAndLeaveWithTheirInode) {
  Attributes f = MkFile(kRootInode, "plate.exr");
  Attributes g = MkFile(kRootInode, "other.exr");
  ASSERT_OK(cat_->SetPinned(f.ino, true));
  ASSERT_OK(cat_->SetPinned(f.ino, true));  // idempotent
  ASSERT_OK(cat_->SetPinned(g.ino, true));
  ASSERT_OK(cat_->SetPinned(g.ino, false));
  EXPECT_CODE(cat_->SetPinned(kRootInode, true), Code::kInvalidArgument);
  EXPECT_CODE(cat_->SetPinned(999999, true), Code::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto pinned, cat_->ListPinned());
  EXPECT_EQ(pinned, std::vector<InodeId>{f.ino});
  ASSERT_OK(cat_->PurgeTrash(0, {}, Now()).status());
  ASSERT_OK(cat_->Unlink(kRootInode, "plate.exr", Now()).status());
  ASSERT_OK(cat_->PurgeTrash(Now() + 1, {}, Now()).status());
  ASSERT_OK_AND_ASSIGN(pinned, cat_->ListPinned());
  EXPECT_TRUE(pinned.empty()) << "a purged file is no longer pinned";
}

TEST_P(CatalogTest, TransferQueueClaimsRetriesAndCompletes) {
  Attributes f = MkFile(kRootInode, "a.mov");
  ASSERT_OK(cat_->CommitVersion(f.ino, VersionOf({{TestChunk(1), 10}, {TestChunk(2), 10}}), Now())
                .status());
  TimeNs t0 = Now();
  ASSERT_OK_AND_ASSIGN(uint64_t added,
                       cat_->EnqueueTransfers({Upload(TestChunk(1), kTierCloud),
                                               Upload(TestChunk(2), kTierCloud),
                                               Upload(TestChunk(1), kTierCloud)},
                                              t0));
  EXPECT_EQ(added, 2u) << "the same upload is queued once";
  EXPECT_CODE(cat_->EnqueueTransfers({Upload(TestChunk(1), kTierCloud | kTierEdge)}, t0),
              Code::kInvalidArgument);

  ASSERT_OK_AND_ASSIGN(auto claimed, cat_->ClaimTransfers(1, t0));
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].request.chunk, TestChunk(1));
  EXPECT_EQ(claimed[0].state, TransferState::kRunning);
  ASSERT_OK_AND_ASSIGN(auto again, cat_->EnqueueTransfers({Upload(TestChunk(1), kTierCloud)}, t0));
  EXPECT_EQ(again, 0u) << "a running upload is not queued twice";

  // The first fails and waits; the second is claimed meanwhile.
  ASSERT_OK(cat_->RetryTransfer(claimed[0].id, t0 + 1'000'000'000, "gateway down"));
  ASSERT_OK_AND_ASSIGN(auto next, cat_->ClaimTransfers(10, t0));
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].request.chunk, TestChunk(2));
  ASSERT_OK_AND_ASSIGN(TransferCounts counts, cat_->CountTransfers(t0));
  EXPECT_EQ(counts.queued, 1u);
  EXPECT_EQ(counts.running, 1u);
  EXPECT_EQ(counts.waiting_retry, 1u);
  EXPECT_EQ(counts.bytes_pending, 20u);

  ASSERT_OK(cat_->CompleteTransfer(next[0].id));
  ASSERT_OK_AND_ASSIGN(auto tiers, cat_->GetChunkTiers({TestChunk(1), TestChunk(2)}));
  EXPECT_EQ(tiers, (std::vector<TierMask>{0, kTierCloud}))
      << "a completed upload records its tier; a failed one does not";
  EXPECT_CODE(cat_->CompleteTransfer(next[0].id), Code::kNotFound);

  ASSERT_OK_AND_ASSIGN(auto late, cat_->ClaimTransfers(10, t0 + 1'000'000'000));
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].attempts, 1u);
  EXPECT_EQ(late[0].last_error, "gateway down");
  // A restart finds it running: it is queued again.
  ASSERT_OK_AND_ASSIGN(uint64_t requeued, cat_->RequeueRunningTransfers());
  EXPECT_EQ(requeued, 1u);
  ASSERT_OK_AND_ASSIGN(auto listed, cat_->ListTransfers(10));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].state, TransferState::kQueued);
}

TEST_P(CatalogTest, CollectedChunksLoseTheirTransfers) {
  Attributes f = MkFile(kRootInode, "gone.mov");
  ASSERT_OK(cat_->CommitVersion(f.ino, VersionOf({{TestChunk(5), 10}}), Now()).status());
  ASSERT_OK(cat_->EnqueueTransfers({Upload(TestChunk(5), kTierEdge)}, Now()).status());
  ASSERT_OK(cat_->Unlink(kRootInode, "gone.mov", Now()).status());
  ASSERT_OK(cat_->PurgeTrash(Now() + 1, {}, Now()).status());
  ASSERT_OK_AND_ASSIGN(bool deleted, cat_->DeleteChunkIfUnreferenced(TestChunk(5)));
  EXPECT_TRUE(deleted);
  ASSERT_OK_AND_ASSIGN(auto listed, cat_->ListTransfers(10));
  EXPECT_TRUE(listed.empty());
}

TEST_P(CatalogTest, ClaimBatchTakesOneKindAndTierInOrderUpToABudget) {
  Attributes f = MkFile(kRootInode, "seq.mov");
  ASSERT_OK(cat_->CommitVersion(f.ino, VersionOf({{TestChunk(1), 10}, {TestChunk(2), 10},
                                                  {TestChunk(3), 10}, {TestChunk(4), 10}}),
                                Now())
                .status());
  TimeNs t0 = Now();
  ASSERT_OK(cat_->EnqueueTransfers({Upload(TestChunk(1), kTierCloud, 6),
                                    Upload(TestChunk(2), kTierEdge, 6),
                                    Upload(TestChunk(3), kTierCloud, 6),
                                    Upload(TestChunk(4), kTierCloud, 6),
                                    TransferRequest{TransferKind::kDownload, TestChunk(1), 6, 0}},
                                   t0)
                .status());
  ASSERT_OK_AND_ASSIGN(auto claimed, cat_->ClaimBatch(TransferKind::kUpload, kTierCloud, 12, t0));
  ASSERT_EQ(claimed.size(), 2u) << "two of 6 bytes fit in 12";
  EXPECT_EQ(claimed[0].request.chunk, TestChunk(1));
  EXPECT_EQ(claimed[1].request.chunk, TestChunk(3));
  EXPECT_EQ(claimed[1].state, TransferState::kRunning);
  ASSERT_OK_AND_ASSIGN(auto over, cat_->ClaimBatch(TransferKind::kUpload, kTierCloud, 1, t0));
  ASSERT_EQ(over.size(), 1u) << "one upload is claimed even when it alone exceeds the budget";
  EXPECT_EQ(over[0].request.chunk, TestChunk(4));
  ASSERT_OK_AND_ASSIGN(auto none, cat_->ClaimBatch(TransferKind::kUpload, kTierCloud, 100, t0));
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(TransferCounts counts, cat_->CountTransfers(t0));
  EXPECT_EQ(counts.queued, 2u) << "the edge upload and the download stay queued";
  ASSERT_OK_AND_ASSIGN(auto downloads, cat_->ClaimBatch(TransferKind::kDownload, 0, 100, t0));
  ASSERT_EQ(downloads.size(), 1u);
  EXPECT_EQ(downloads[0].request.kind, TransferKind::kDownload);
  EXPECT_EQ(downloads[0].request.chunk, TestChunk(1));
}

TEST_P(CatalogTest, APackUploadRecordsLocationsTierBitsAndCompletesItsTransfers) {
  Attributes f = MkFile(kRootInode, "pack.mov");
  ASSERT_OK(cat_->CommitVersion(f.ino, VersionOf({{TestChunk(1), 10}, {TestChunk(2), 20}}), Now())
                .status());
  TimeNs t0 = Now();
  ASSERT_OK(cat_->EnqueueTransfers({Upload(TestChunk(1), kTierCloud, 10),
                                    Upload(TestChunk(2), kTierCloud, 20)},
                                   t0)
                .status());
  ASSERT_OK_AND_ASSIGN(auto claimed, cat_->ClaimBatch(TransferKind::kUpload, kTierCloud, 100, t0));
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_CODE(cat_->CompletePackUpload(kTierCloud | kTierEdge, "packs/a", {}, {}),
              Code::kInvalidArgument);
  EXPECT_CODE(cat_->CompletePackUpload(kTierCloud, "", {}, {}), Code::kInvalidArgument);
  // Chunk 9 has no record (collected meanwhile): it gets no location.
  ASSERT_OK(cat_->CompletePackUpload(
      kTierCloud, "packs/p1",
      {{TestChunk(1), 0, 10}, {TestChunk(2), 10, 20}, {TestChunk(9), 30, 5}},
      {claimed[0].id, claimed[1].id, 424242}));
  ASSERT_OK_AND_ASSIGN(auto tiers, cat_->GetChunkTiers({TestChunk(1), TestChunk(2)}));
  EXPECT_EQ(tiers, (std::vector<TierMask>{kTierCloud, kTierCloud}));
  ASSERT_OK_AND_ASSIGN(auto listed, cat_->ListTransfers(10));
  EXPECT_TRUE(listed.empty()) << "the pack's transfers are complete";

  ASSERT_OK_AND_ASSIGN(auto locs, cat_->GetChunkLocations({TestChunk(2), TestChunk(9), TestChunk(1)}));
  ASSERT_EQ(locs.size(), 2u);
  EXPECT_EQ(locs[0].member.chunk, TestChunk(2));
  EXPECT_EQ(locs[0].tier, kTierCloud);
  EXPECT_EQ(locs[0].pack, "packs/p1");
  EXPECT_EQ(locs[0].member.offset, 10u);
  EXPECT_EQ(locs[0].member.length, 20u);
  EXPECT_EQ(locs[1].member.chunk, TestChunk(1));
  EXPECT_EQ(locs[1].member.offset, 0u);

  // The same chunk in a pack on the edge; a second cloud pack does not move it.
  ASSERT_OK(cat_->CompletePackUpload(kTierEdge, "packs/e1", {{TestChunk(1), 0, 10}}, {}));
  ASSERT_OK(cat_->CompletePackUpload(kTierCloud, "packs/p2", {{TestChunk(1), 0, 10}}, {}));
  ASSERT_OK_AND_ASSIGN(locs, cat_->GetChunkLocations({TestChunk(1)}));
  ASSERT_EQ(locs.size(), 2u);
  EXPECT_EQ(locs[0].tier, kTierEdge);
  EXPECT_EQ(locs[1].pack, "packs/p1");
  ASSERT_OK_AND_ASSIGN(uint64_t n, cat_->CountPackMembers(kTierCloud, "packs/p1"));
  EXPECT_EQ(n, 2u);
  ASSERT_OK_AND_ASSIGN(n, cat_->CountPackMembers(kTierCloud, "packs/p2"));
  EXPECT_EQ(n, 0u);
  ASSERT_OK_AND_ASSIGN(n, cat_->CountPackMembers(kTierEdge, "packs/p1"));
  EXPECT_EQ(n, 0u) << "a pack key is per tier";
  ASSERT_OK_AND_ASSIGN(auto members, cat_->ListPackMembers(kTierCloud, "packs/p1"));
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0].member.chunk, TestChunk(1));
  EXPECT_EQ(members[1].member.chunk, TestChunk(2));
}

TEST_P(CatalogTest, RemovingAChunksLocationsEmptiesItsPacks) {
  Attributes f = MkFile(kRootInode, "gone.mov");
  ASSERT_OK(cat_->CommitVersion(f.ino, VersionOf({{TestChunk(1), 10}, {TestChunk(2), 20}}), Now())
                .status());
  ASSERT_OK(cat_->CompletePackUpload(kTierCloud, "packs/c",
                                     {{TestChunk(1), 0, 10}, {TestChunk(2), 10, 20}}, {}));
  ASSERT_OK(cat_->CompletePackUpload(kTierEdge, "packs/e", {{TestChunk(1), 0, 10}}, {}));
  ASSERT_OK_AND_ASSIGN(auto removed, cat_->RemoveChunkLocations(TestChunk(1)));
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_EQ(removed[0].pack, "packs/e");
  EXPECT_EQ(removed[1].pack, "packs/c");
  ASSERT_OK_AND_ASSIGN(uint64_t n, cat_->CountPackMembers(kTierCloud, "packs/c"));
  EXPECT_EQ(n, 1u);
  ASSERT_OK_AND_ASSIGN(n, cat_->CountPackMembers(kTierEdge, "packs/e"));
  EXPECT_EQ(n, 0u);
  ASSERT_OK_AND_ASSIGN(removed, cat_->RemoveChunkLocations(TestChunk(1)));
  EXPECT_TRUE(removed.empty()) << "idempotent";
  // Locations outlive the chunk record (GC deletes the record first, then the tiers' copies).
  ASSERT_OK(cat_->Unlink(kRootInode, "gone.mov", Now()).status());
  ASSERT_OK(cat_->PurgeTrash(Now() + 1, {}, Now()).status());
  ASSERT_OK_AND_ASSIGN(bool deleted, cat_->DeleteChunkIfUnreferenced(TestChunk(2)));
  EXPECT_TRUE(deleted);
  ASSERT_OK_AND_ASSIGN(auto locs, cat_->GetChunkLocations({TestChunk(2)}));
  ASSERT_EQ(locs.size(), 1u);
  ASSERT_OK_AND_ASSIGN(removed, cat_->RemoveChunkLocations(TestChunk(2)));
  EXPECT_EQ(removed.size(), 1u);
  ASSERT_OK_AND_ASSIGN(n, cat_->CountPackMembers(kTierCloud, "packs/c"));
  EXPECT_EQ(n, 0u);
}

}  // namespace
}  // namespace reel::testing
