// The team's collection of unreferenced chunks (server/team_maintenance.h), on a real PostgreSQL
// and the real Ceph S3 gateway: chunks unreferenced past the grace go with their objects (loose,
// and packs left with no member), shared and younger ones stay; a chunk an instance found by its
// hash stays for the grace after the find; a chunk being collected is gone for everyone (not
// found, not referenced, no copies recorded) until its record is deleted, and a collector that
// died is finished by the next run; packs no chunk names go after an hour.
#include <gtest/gtest.h>

#include <chrono>

#include "catalog/catalog.h"
#include "chunking/sha256.h"
#include "common/clock.h"
#include "server/team_maintenance.h"
#include "store/chunk_keys.h"
#include "store/s3_test_env.h"
#include "team_server_fixture.h"

namespace reel::testing {
namespace {

using std::chrono::seconds;

constexpr TimeNs kMinute = 60'000'000'000;

std::vector<uint8_t> Bytes(const std::string& s) { return {s.begin(), s.end()}; }

class TeamGcTest : public TeamServerTest {
 protected:
  void SetUp() override {
    std::string uri;
    REEL_ASSIGN_TEST_S3_URI_OR_SKIP(uri);
    auto store = OpenObjectStore(uri);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    // The catalog side's clock: HasChunk restarts a grace on the wall clock.
    wall0_ = WallClockNs();
    TeamServerTest::SetUp();
  }

  Catalog& catalog() { return team_->catalog(); }

  // A collector run at `now` with an hour's grace, on the test's store as the cloud tier.
  Result<MaintenanceReport> CollectAt(TimeNs now) {
    TeamMaintenanceOptions o;
    o.interval = seconds(0);
    o.lease_ttl = seconds(60);
    o.gc_grace = seconds(3600);
    o.holder = "server-a";
    o.clock = [now] { return now; };
    o.stores.emplace_back(kTierCloud, store_);
    return TeamMaintenance::Start(team_.get(), o)->RunOnce();
  }

  // A file in the team's root whose version is `chunks`, each uploaded loose to the cloud tier
  // unless `loose` is false.
  InodeId File(const std::string& name, const std::vector<std::string>& chunks,
               bool loose = true) {
    NewNode n;
    n.mode = 0644;
    auto made = catalog().CreateNode(kRootInode, name, n, wall0_);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    if (!made.ok()) return 0;
    NewVersion v;
    std::vector<ChunkId> ids;
    for (const std::string& c : chunks) {
      v.chunks.push_back({Sha256(Bytes(c)), static_cast<uint32_t>(c.size())});
      v.size += c.size();
      ids.push_back(Sha256(Bytes(c)));
      if (loose) {
        EXPECT_OK(store_->Put(ChunkKey(Sha256(Bytes(c))), Bytes(c)));
      }
    }
    EXPECT_OK(catalog().CommitVersion(made->ino, v, wall0_).status());
    if (loose) {
      EXPECT_OK(catalog().AddChunkTiers(ids, kTierCloud));
    }
    return made->ino;
  }
  // Deletes the file at `when` and purges it from the trash: its chunks lose their references.
  void Gone(const std::string& name, TimeNs when) {
    ASSERT_OK(catalog().Unlink(kRootInode, name, when).status());
    ASSERT_OK(catalog().PurgeTrash(when + 1, {}, when).status());
  }
  bool Stored(const std::string& key) {
    auto got = store_->Head(key);
    EXPECT_TRUE(got.ok() || got.status().code() == Code::kNotFound) << got.status().ToString();
    return got.ok();
  }
  bool Known(const std::string& chunk) {
    auto found = catalog().GetChunkTiers({Sha256(Bytes(chunk))});
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() && found->at(0) != 0;
  }
  static std::string Key(const std::string& chunk) { return ChunkKey(Sha256(Bytes(chunk))); }

  // A pack of `chunks` uploaded to the cloud tier under `key` and recorded.
  void Packed(const std::string& key, const std::vector<std::string>& chunks) {
    std::vector<uint8_t> pack;
    std::vector<PackMember> members;
    for (const std::string& c : chunks) {
      members.push_back({Sha256(Bytes(c)), pack.size(), static_cast<uint32_t>(c.size())});
      pack.insert(pack.end(), c.begin(), c.end());
    }
    ASSERT_OK(store_->Put(key, pack));
    ASSERT_OK(catalog().RecordPackUpload(kTierCloud, key, members));
  }

  std::shared_ptr<ObjectStore> store_;
  TimeNs wall0_ = 0;
};

TEST_F(TeamGcTest, UnreferencedChunksGoWithTheirObjectsOncePastTheGrace) {
  File("plate.exr", {"plate only", "shared by both"});
  File("comp.exr", {"shared by both", "comp only"});
  File("packed.exr", {"packed one", "packed two"}, /*loose=*/false);
  File("half.exr", {"half gone", "half kept"}, /*loose=*/false);
  const std::string whole_pack = "packs/1c/1c000000000000000000000000000001";
  const std::string half_pack = "packs/1c/1c000000000000000000000000000002";
  Packed(whole_pack, {"packed one", "packed two"});
  Packed(half_pack, {"half gone", "half kept"});
  File("keeps.exr", {"half kept"}, /*loose=*/false);
  Gone("plate.exr", wall0_);
  Gone("packed.exr", wall0_);
  Gone("half.exr", wall0_);

  ASSERT_OK_AND_ASSIGN(MaintenanceReport early, CollectAt(wall0_ + 30 * kMinute));
  EXPECT_TRUE(early.ran);
  EXPECT_EQ(early.chunks_deleted, 0u) << "within the grace";
  EXPECT_TRUE(Stored(Key("plate only")));

  ASSERT_OK_AND_ASSIGN(MaintenanceReport late, CollectAt(wall0_ + 2 * kHour));
  EXPECT_EQ(late.chunks_deleted, 4u) << "plate only, packed one, packed two, half gone";
  EXPECT_FALSE(Stored(Key("plate only")));
  EXPECT_FALSE(Known("plate only"));
  EXPECT_TRUE(Stored(Key("shared by both"))) << "still referenced by comp.exr";
  EXPECT_TRUE(Stored(Key("comp only")));
  EXPECT_TRUE(Known("shared by both"));
  EXPECT_FALSE(Stored(whole_pack)) << "no member left";
  EXPECT_TRUE(Stored(half_pack)) << "one member still referenced";
  ASSERT_OK_AND_ASSIGN(auto left, catalog().ListPackMembers(kTierCloud, half_pack));
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].member.chunk, Sha256(Bytes("half kept")));
  ASSERT_OK_AND_ASSIGN(MaintenanceReport again, CollectAt(wall0_ + 3 * kHour));
  EXPECT_EQ(again.chunks_deleted, 0u);
}

TEST_F(TeamGcTest, AChunkFoundByItsHashStaysForTheGraceAfterTheFind) {
  File("old.exr", {"found again"});
  File("other.exr", {"not found"});
  Gone("old.exr", wall0_ - 3 * kHour);
  Gone("other.exr", wall0_ - 3 * kHour);
  // An instance writing the same bytes finds the chunk, and is about to reference it.
  ASSERT_OK_AND_ASSIGN(bool found, catalog().HasChunk(Sha256(Bytes("found again"))));
  EXPECT_TRUE(found);
  ASSERT_OK_AND_ASSIGN(MaintenanceReport r, CollectAt(WallClockNs() + 30 * kMinute));
  EXPECT_EQ(r.chunks_deleted, 1u) << "only the chunk nobody found";
  EXPECT_TRUE(Stored(Key("found again")));
  EXPECT_FALSE(Stored(Key("not found")));
  // Its commit lands and references it: it stays for good.
  File("new.exr", {"found again"}, /*loose=*/false);
  ASSERT_OK_AND_ASSIGN(MaintenanceReport later, CollectAt(WallClockNs() + 3 * kHour));
  EXPECT_EQ(later.chunks_deleted, 0u);
  EXPECT_TRUE(Stored(Key("found again")));
}

TEST_F(TeamGcTest, AChunkBeingCollectedIsGoneForEveryoneUntilACollectorFinishesIt) {
  File("old.exr", {"being collected"});
  Gone("old.exr", wall0_ - 3 * kHour);
  const ChunkId id = Sha256(Bytes("being collected"));
  // A collector marks it, and dies before deleting anything.
  ASSERT_OK_AND_ASSIGN(uint64_t marked, team_->MarkChunksCollecting(wall0_ - kHour, 7, 100));
  EXPECT_EQ(marked, 1u);
  EXPECT_CODE(team_->MarkChunksCollecting(wall0_, 0, 100), Code::kInvalidArgument);

  ASSERT_OK_AND_ASSIGN(bool found, catalog().HasChunk(id));
  EXPECT_FALSE(found) << "a writer stores the bytes itself";
  NewNode n;
  n.mode = 0644;
  ASSERT_OK_AND_ASSIGN(Attributes file, catalog().CreateNode(kRootInode, "new.exr", n, wall0_));
  NewVersion v;
  v.chunks = {{id, static_cast<uint32_t>(std::string("being collected").size())}};
  v.size = v.chunks[0].length;
  EXPECT_CODE(catalog().CommitVersion(file.ino, v, wall0_), Code::kUnavailable);
  ASSERT_OK_AND_ASSIGN(Attributes after, catalog().GetAttributes(file.ino));
  EXPECT_EQ(after.version, 0u) << "the refused commit wrote nothing";
  ASSERT_OK(catalog().AddChunkTiers({id}, kTierEdge));
  ASSERT_OK_AND_ASSIGN(auto tiers, catalog().GetChunkTiers({id}));
  EXPECT_EQ(tiers[0], kTierCloud) << "no copy recorded for a chunk being collected";
  const std::string pack = "packs/1d/1d000000000000000000000000000001";
  ASSERT_OK(store_->Put(pack, Bytes("being collected")));
  ASSERT_OK(catalog().RecordPackUpload(kTierCloud, pack, {{id, 0, v.chunks[0].length}}));
  ASSERT_OK_AND_ASSIGN(auto located, catalog().GetChunkLocations({id}));
  EXPECT_TRUE(located.empty());

  // The next run finishes what the dead collector marked, though it is not past this run's grace.
  ASSERT_OK_AND_ASSIGN(MaintenanceReport r, CollectAt(wall0_));
  EXPECT_EQ(r.chunks_deleted, 1u);
  EXPECT_FALSE(Stored(Key("being collected")));
  // The writer's commit, tried again, records the chunk anew: its copies are to be uploaded.
  ASSERT_OK(catalog().CommitVersion(file.ino, v, wall0_).status());
  ASSERT_OK_AND_ASSIGN(auto anew, catalog().GetChunkTiers({id}));
  EXPECT_EQ(anew[0], 0u);
  ASSERT_OK_AND_ASSIGN(bool known, catalog().HasChunk(id));
  EXPECT_TRUE(known);
}

TEST_F(TeamGcTest, PacksNoChunkNamesGoAfterAnHour) {
  File("kept.exr", {"in a recorded pack"}, /*loose=*/false);
  const std::string recorded = "packs/1e/1e000000000000000000000000000001";
  const std::string orphan = "packs/1e/1e000000000000000000000000000002";
  Packed(recorded, {"in a recorded pack"});
  ASSERT_OK(store_->Put(orphan, Bytes("an upload that died before it was recorded")));
  ASSERT_OK(store_->Put("packs/not-a-pack", Bytes("not ours to judge")));

  ASSERT_OK_AND_ASSIGN(MaintenanceReport soon, CollectAt(WallClockNs() + 30 * kMinute));
  EXPECT_EQ(soon.orphan_packs_deleted, 0u) << "may be an upload in flight";
  EXPECT_TRUE(Stored(orphan));
  ASSERT_OK_AND_ASSIGN(MaintenanceReport r, CollectAt(WallClockNs() + 2 * kHour));
  EXPECT_EQ(r.orphan_packs_deleted, 1u);
  EXPECT_FALSE(Stored(orphan));
  EXPECT_TRUE(Stored(recorded));
  EXPECT_TRUE(Stored("packs/not-a-pack"));
}

}  // namespace
}  // namespace reel::testing
