// What members see of each other's work, through the team server on a real PostgreSQL: another
// member's saves reach a member when they are published, in every answer that shows content
// (lookups, listings, attributes, versions); the author always sees their own. A workspace's
// `share` says who publishes: the artist ("on-publish") or every commit ("on-close").
#include "remote/remote_catalog.h"
#include "team_server_fixture.h"

namespace reel::testing {
namespace {

class ShareTest : public TeamServerTest {
 protected:
  void SetUp() override {
    TeamServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    TeamClient alice = ClientFor(alice_);
    ASSERT_OK_AND_ASSIGN(WorkspaceView show, alice.CreateWorkspace("show"));
    ASSERT_EQ(show.share, "on-publish") << "the default of a project workspace";
    ASSERT_OK(alice.Grant("show", "bob", "writer"));
    alice_cat_ = std::make_unique<RemoteCatalog>(OptionsFor(alice_), "show");
    bob_cat_ = std::make_unique<RemoteCatalog>(OptionsFor(bob_), "show");
    auto f = alice_cat_->CreateNode(kRootInode, "plate.exr",
                                    NewNode{FileType::kRegular, 0644, 0, 0, {}}, now_);
    ASSERT_OK(f.status());
    plate_ = f->ino;
  }

  // Commits `chunks` to plate.exr as `cat`'s user, on base version `base` (its id).
  VersionInfo Commit(Catalog& cat, std::vector<ChunkRef> chunks, uint64_t base) {
    NewVersion v = VersionOf(std::move(chunks));
    v.base = base;
    auto done = cat.CommitVersion(plate_, v, now_);
    EXPECT_TRUE(done.ok()) << done.status().ToString();
    return done.ok() ? *done : VersionInfo{};
  }
  void Publish(Catalog& cat, uint64_t number) {
    ASSERT_OK(cat.RequestPublish(plate_, number));
    ASSERT_OK(cat.MarkPublished(plate_, number, now_));
  }
  // What `cat`'s user sees of plate.exr: "vN SIZE" through lookup, attributes and listing (all
  // three must agree), and the content of the version it names.
  std::string Seen(Catalog& cat) {
    auto looked = cat.Lookup(kRootInode, "plate.exr");
    auto attr = cat.GetAttributes(plate_);
    auto listed = cat.ReadDir(kRootInode, 0, 100);
    if (!looked.ok() || !attr.ok() || !listed.ok() || listed->size() != 1) return "error";
    const Attributes& l = (*listed)[0].attr;
    if (looked->version != attr->version || looked->size != attr->size ||
        l.version != attr->version || l.size != attr->size) {
      return "lookup, attributes and listing disagree";
    }
    std::string out = "v" + std::to_string(attr->version) + " " + std::to_string(attr->size);
    auto current = cat.GetVersion(plate_, 0);
    if (attr->version == 0) return current.ok() ? out + " but a current version" : out;
    if (!current.ok() || current->info.number != attr->version ||
        current->info.size != attr->size) {
      return out + " but another current version";
    }
    return out;
  }
  std::vector<uint64_t> Listed(Catalog& cat) {
    std::vector<uint64_t> out;
    auto versions = cat.ListVersions(plate_);
    EXPECT_TRUE(versions.ok()) << versions.status().ToString();
    if (versions.ok()) {
      for (const VersionInfo& v : *versions) out.push_back(v.number);
    }
    return out;
  }

  std::unique_ptr<RemoteCatalog> alice_cat_, bob_cat_;
  InodeId plate_ = 0;
};

TEST_F(ShareTest, OthersSeeAFilesPublishedVersionsAndTheAuthorSeesTheirOwn) {
  const VersionInfo v1 = Commit(*alice_cat_, {{TestChunk(1), 100}}, 0);
  EXPECT_EQ(v1.author, "alice");
  EXPECT_EQ(Seen(*alice_cat_), "v1 100");
  EXPECT_EQ(Seen(*bob_cat_), "v0 0") << "nothing of it is published: bob sees an empty file";
  EXPECT_EQ(Listed(*bob_cat_), std::vector<uint64_t>{});
  EXPECT_CODE(bob_cat_->GetVersion(plate_, 1), Code::kNotFound);
  EXPECT_CODE(bob_cat_->RequestPublish(plate_, 1), Code::kNotFound)
      << "nobody publishes a version they cannot see";

  Publish(*alice_cat_, 1);
  EXPECT_EQ(Seen(*bob_cat_), "v1 100");
  ASSERT_OK_AND_ASSIGN(Version seen, bob_cat_->GetVersion(plate_, 0));
  EXPECT_EQ(seen.chunks, (std::vector<ChunkRef>{{TestChunk(1), 100}}));
  EXPECT_EQ(seen.info.author, "alice");

  // alice keeps working: her saves are hers until she publishes one.
  const VersionInfo v2 = Commit(*alice_cat_, {{TestChunk(2), 50}}, v1.id);
  EXPECT_EQ(Seen(*alice_cat_), "v2 50");
  EXPECT_EQ(Seen(*bob_cat_), "v1 100");
  EXPECT_EQ(Listed(*bob_cat_), std::vector<uint64_t>{1});
  EXPECT_EQ(Listed(*alice_cat_), (std::vector<uint64_t>{1, 2}));

  // bob saves over what he sees (v1): a conflict with alice's v2, which the workspace's policy
  // (last-writer-wins) settles; each still sees their own newest, and nothing is lost.
  const VersionInfo v3 = Commit(*bob_cat_, {{TestChunk(3), 70}}, v1.id);
  EXPECT_EQ(v3.number, 3u);
  ASSERT_TRUE(v3.conflict.has_value());
  EXPECT_EQ(Seen(*bob_cat_), "v3 70");
  EXPECT_EQ(Seen(*alice_cat_), "v2 50") << "bob's save is not published";
  EXPECT_EQ(Listed(*bob_cat_), (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(Listed(*alice_cat_), (std::vector<uint64_t>{1, 2}));

  // alice publishes v2: bob still sees his own newer v3; carol, a new reader, sees v2.
  Publish(*alice_cat_, 2);
  ASSERT_OK(ClientFor(alice_).Grant("show", "carol", "reader"));
  RemoteCatalog carol(OptionsFor(carol_), "show");
  EXPECT_EQ(Seen(carol), "v2 50");
  EXPECT_EQ(Seen(*bob_cat_), "v3 70");
  Publish(*bob_cat_, 3);
  EXPECT_EQ(Seen(carol), "v3 70");
  EXPECT_EQ(Seen(*alice_cat_), "v3 70");

  // Attributes a change answers with are the caller's view too.
  const VersionInfo v4 = Commit(*alice_cat_, {{TestChunk(4), 10}}, v3.id);
  AttrUpdate chmod;
  chmod.mode = 0600;
  ASSERT_OK_AND_ASSIGN(Attributes after, bob_cat_->SetAttributes(plate_, chmod, now_));
  EXPECT_EQ(after.version, 3u);
  EXPECT_EQ(after.size, 70u);
  EXPECT_EQ(after.mode & 07777, 0600u) << "the mode is shared at once";
  EXPECT_EQ(v4.number, 4u);
}

TEST_F(ShareTest, OnCloseRequestsAPublishOfEverySaveAndPublishesAtOnceWhatIsOnTheCloud) {
  ASSERT_OK(ClientFor(alice_).SetWorkspace("show", json{{"share", "on-close"}}).status());
  // New bytes: the commit asks for the publish that alice's mount completes once they are
  // uploaded (Placement); bob sees the save then.
  const VersionInfo v1 = Commit(*alice_cat_, {{TestChunk(1), 100}}, 0);
  EXPECT_EQ(v1.published, -1) << "a pending publish";
  ASSERT_OK_AND_ASSIGN(auto pending, alice_cat_->ListPendingPublishes());
  EXPECT_EQ(pending, (std::vector<std::pair<InodeId, uint64_t>>{{plate_, 1}}));
  EXPECT_EQ(Seen(*bob_cat_), "v0 0") << "its bytes are not on the cloud tier yet";
  ASSERT_OK(alice_cat_->AddChunkTiers({TestChunk(1)}, kTierCloud));
  ASSERT_OK(alice_cat_->MarkPublished(plate_, 1, now_));
  EXPECT_EQ(Seen(*bob_cat_), "v1 100");

  // Bytes the cloud tier has already (here: the same chunk again, and a hole): published with
  // the commit.
  const VersionInfo v2 =
      Commit(*alice_cat_, {{TestChunk(1), 100}, {ChunkId{}, 20}}, v1.id);
  EXPECT_GT(v2.published, 0);
  EXPECT_EQ(Seen(*bob_cat_), "v2 120");

  // Back to on-publish: a save is alice's until she publishes it.
  ASSERT_OK(ClientFor(alice_).SetWorkspace("show", json{{"share", "on-publish"}}).status());
  const VersionInfo v3 = Commit(*alice_cat_, {{TestChunk(1), 100}}, v2.id);
  EXPECT_EQ(v3.published, 0);
  EXPECT_EQ(Seen(*bob_cat_), "v2 120");
}

TEST_F(ShareTest, RejectedVersionsAreTheirAuthorsOnly) {
  ASSERT_OK(ClientFor(alice_).SetWorkspace("show", json{{"conflict", "reject"}}).status());
  const VersionInfo v1 = Commit(*alice_cat_, {{TestChunk(1), 100}}, 0);
  Publish(*alice_cat_, 1);
  const VersionInfo v2 = Commit(*alice_cat_, {{TestChunk(2), 50}}, v1.id);
  Publish(*alice_cat_, 2);
  // bob saved over v1 meanwhile: rejected, kept as his.
  const VersionInfo v3 = Commit(*bob_cat_, {{TestChunk(3), 70}}, v1.id);
  EXPECT_EQ(v3.kind, VersionKind::kRejected);
  EXPECT_EQ(Seen(*bob_cat_), "v2 50") << "a rejected version is never the current one";
  EXPECT_EQ(Listed(*bob_cat_), (std::vector<uint64_t>{1, 2, 3})) << "his own, rejected";
  EXPECT_EQ(Listed(*alice_cat_), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(v2.number, 2u);
}

}  // namespace
}  // namespace reel::testing
