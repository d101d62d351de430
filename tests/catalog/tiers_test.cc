// Tier bits, published versions and pack locations, run against every backend.
#include "catalog_test_util.h"

namespace reel::testing {
namespace {

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
  ASSERT_OK(Server().ForEachChunk([&](const ChunkRecord& r) {
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

TEST_P(CatalogTest, APackUploadRecordsLocationsAndTierBits) {
  Attributes f = MkFile(kRootInode, "pack.mov");
  ASSERT_OK(cat_->CommitVersion(f.ino, VersionOf({{TestChunk(1), 10}, {TestChunk(2), 20}}), Now())
                .status());
  EXPECT_CODE(cat_->RecordPackUpload(kTierCloud | kTierEdge, "packs/a", {}),
              Code::kInvalidArgument);
  EXPECT_CODE(cat_->RecordPackUpload(kTierCloud, "", {}), Code::kInvalidArgument);
  // Chunk 9 has no record (collected meanwhile): it gets no location.
  ASSERT_OK(cat_->RecordPackUpload(
      kTierCloud, "packs/p1",
      {{TestChunk(1), 0, 10}, {TestChunk(2), 10, 20}, {TestChunk(9), 30, 5}}));
  ASSERT_OK_AND_ASSIGN(auto tiers, cat_->GetChunkTiers({TestChunk(1), TestChunk(2), TestChunk(9)}));
  EXPECT_EQ(tiers, (std::vector<TierMask>{kTierCloud, kTierCloud, 0}));

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
  ASSERT_OK(cat_->RecordPackUpload(kTierEdge, "packs/e1", {{TestChunk(1), 0, 10}}));
  ASSERT_OK(cat_->RecordPackUpload(kTierCloud, "packs/p2", {{TestChunk(1), 0, 10}}));
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
  ASSERT_OK(cat_->RecordPackUpload(kTierCloud, "packs/c",
                                   {{TestChunk(1), 0, 10}, {TestChunk(2), 10, 20}}));
  ASSERT_OK(cat_->RecordPackUpload(kTierEdge, "packs/e", {{TestChunk(1), 0, 10}}));
  ASSERT_OK_AND_ASSIGN(auto removed, Server().RemoveChunkLocations(TestChunk(1)));
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_EQ(removed[0].pack, "packs/e");
  EXPECT_EQ(removed[1].pack, "packs/c");
  ASSERT_OK_AND_ASSIGN(uint64_t n, cat_->CountPackMembers(kTierCloud, "packs/c"));
  EXPECT_EQ(n, 1u);
  ASSERT_OK_AND_ASSIGN(n, cat_->CountPackMembers(kTierEdge, "packs/e"));
  EXPECT_EQ(n, 0u);
  ASSERT_OK_AND_ASSIGN(removed, Server().RemoveChunkLocations(TestChunk(1)));
  EXPECT_TRUE(removed.empty()) << "idempotent";
  // Locations outlive the chunk record (GC deletes the record first, then the tiers' copies).
  ASSERT_OK(cat_->Unlink(kRootInode, "gone.mov", Now()).status());
  ASSERT_OK(Server().PurgeTrash(Now() + 1, {}, Now()).status());
  ASSERT_OK_AND_ASSIGN(bool deleted, Server().DeleteChunkIfUnreferenced(TestChunk(2)));
  EXPECT_TRUE(deleted);
  ASSERT_OK_AND_ASSIGN(auto locs, cat_->GetChunkLocations({TestChunk(2)}));
  ASSERT_EQ(locs.size(), 1u);
  ASSERT_OK_AND_ASSIGN(removed, Server().RemoveChunkLocations(TestChunk(2)));
  EXPECT_EQ(removed.size(), 1u);
  ASSERT_OK_AND_ASSIGN(n, cat_->CountPackMembers(kTierCloud, "packs/c"));
  EXPECT_EQ(n, 0u);
}

}  // namespace
}  // namespace reel::testing
