// Commits made on a version that is no longer current (a conflict), under each policy, run
// against every backend: nothing is lost, the right version is current, the feed tells.
#include "catalog/catalog_txn.h"
#include "catalog_test_util.h"
#include "common/names.h"

namespace reel::testing {
namespace {

class ConflictTest : public CatalogTest {
 protected:
  // Commits follow `policy` from now on: the catalog takes it from the commit, a team server
  // from the workspace (whatever the commit says).
  void UsePolicy(ConflictPolicy policy) {
    policy_ = policy;
    if (GetParam().set_conflict_policy) ASSERT_OK(GetParam().set_conflict_policy(uri_, policy));
  }
  // The user conflict copies are named after.
  std::string Author() const {
    return GetParam().committer.empty() ? "alice" : GetParam().committer;
  }

  Result<VersionInfo> Commit(InodeId ino, uint32_t chunk, uint32_t length,
                             std::optional<uint64_t> base) {
    NewVersion v = VersionOf({{TestChunk(chunk), length}});
    v.base = base;
    v.on_conflict = policy_;
    v.author = "alice";
    return cat_->CommitVersion(ino, v, Now());
  }

  ConflictPolicy policy_ = ConflictPolicy::kLastWriterWins;
};

TEST_P(ConflictTest, LastWriterWinsMakesTheLaterCommitCurrentAndKeepsTheOtherAsAVersion) {
  UsePolicy(ConflictPolicy::kLastWriterWins);
  Attributes f = MkFile(kRootInode, "comp.nk");
  ASSERT_OK_AND_ASSIGN(VersionInfo theirs, Commit(f.ino, 1, 10, 0));
  EXPECT_FALSE(theirs.conflict.has_value());
  const uint64_t start = Newest(*cat_);
  // Made on "no version", as theirs was: theirs came first.
  ASSERT_OK_AND_ASSIGN(VersionInfo mine, Commit(f.ino, 2, 20, 0));
  ASSERT_TRUE(mine.conflict.has_value());
  EXPECT_EQ(*mine.conflict, ConflictPolicy::kLastWriterWins);
  EXPECT_EQ(mine.number, 2u);
  EXPECT_EQ(mine.head, 2u);
  EXPECT_EQ(mine.kind, VersionKind::kAutosave);
  EXPECT_EQ(Attr(f.ino).version, 2u);
  EXPECT_EQ(Attr(f.ino).size, 20u);
  ASSERT_OK_AND_ASSIGN(Version kept, cat_->GetVersion(f.ino, 1));
  ASSERT_EQ(kept.chunks.size(), 1u);
  EXPECT_EQ(kept.chunks[0].id, TestChunk(1)) << "the replaced version keeps its bytes";
  const std::vector<ChangeEvent> events = EventsAfter(*cat_, start);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, ChangeKind::kVersion);
  EXPECT_EQ(events[1].kind, ChangeKind::kConflict);
  EXPECT_EQ(events[1].path, "comp.nk");
  EXPECT_EQ(events[1].version, 2u);
  EXPECT_EQ(events[1].size, 20u);
}

TEST_P(ConflictTest, RejectKeepsTheCurrentVersionAndTheLaterContentAsARejectedVersion) {
  UsePolicy(ConflictPolicy::kReject);
  Attributes f = MkFile(kRootInode, "edit.prproj");
  ASSERT_OK_AND_ASSIGN(VersionInfo theirs, Commit(f.ino, 1, 10, 0));
  const uint64_t start = Newest(*cat_);
  ASSERT_OK_AND_ASSIGN(VersionInfo mine, Commit(f.ino, 2, 20, 0));
  ASSERT_TRUE(mine.conflict.has_value());
  EXPECT_EQ(*mine.conflict, ConflictPolicy::kReject);
  EXPECT_EQ(mine.kind, VersionKind::kRejected);
  EXPECT_EQ(mine.number, 2u);
  EXPECT_EQ(mine.head, 1u);
  EXPECT_EQ(Attr(f.ino).version, 1u) << "the head stays";
  EXPECT_EQ(Attr(f.ino).size, 10u);
  ASSERT_OK_AND_ASSIGN(Version rejected, cat_->GetVersion(f.ino, 2));
  EXPECT_EQ(rejected.info.kind, VersionKind::kRejected);
  ASSERT_EQ(rejected.chunks.size(), 1u);
  EXPECT_EQ(rejected.chunks[0].id, TestChunk(2)) << "the rejected content is kept";
  ASSERT_OK_AND_ASSIGN(Version current, cat_->GetVersion(f.ino, 0));
  EXPECT_EQ(current.info.id, theirs.id);
  const std::vector<ChangeEvent> events = EventsAfter(*cat_, start);
  ASSERT_EQ(events.size(), 1u) << "no new version became current";
  EXPECT_EQ(events[0].kind, ChangeKind::kConflict);
  EXPECT_EQ(events[0].version, 2u);
  EXPECT_EQ(events[0].version_kind, VersionKind::kRejected);
  // A commit on the head is no conflict; one on the rejected version is another.
  ASSERT_OK_AND_ASSIGN(VersionInfo next, Commit(f.ino, 3, 30, theirs.id));
  EXPECT_FALSE(next.conflict.has_value());
  EXPECT_EQ(Attr(f.ino).version, next.number);
  ASSERT_OK_AND_ASSIGN(VersionInfo again, Commit(f.ino, 4, 40, mine.id));
  EXPECT_EQ(again.conflict, ConflictPolicy::kReject);
  EXPECT_EQ(Attr(f.ino).version, next.number);
}

TEST_P(ConflictTest, KeepBothSavesTheLaterContentAsAConflictCopyNextToTheFile) {
  UsePolicy(ConflictPolicy::kKeepBoth);
  Attributes shots = MkDir(kRootInode, "shots");
  Attributes f = MkFile(shots.ino, "shot.v2.nk");
  ASSERT_OK_AND_ASSIGN(VersionInfo theirs, Commit(f.ino, 1, 10, 0));
  const uint64_t start = Newest(*cat_);
  ASSERT_OK_AND_ASSIGN(VersionInfo mine, Commit(f.ino, 2, 20, 0));
  ASSERT_TRUE(mine.conflict.has_value());
  EXPECT_EQ(*mine.conflict, ConflictPolicy::kKeepBoth);
  EXPECT_EQ(mine.head, 1u);
  ASSERT_NE(mine.conflict_copy, 0u);
  EXPECT_NE(mine.conflict_copy, f.ino);
  const std::string& name = mine.conflict_copy_name;
  EXPECT_TRUE(name.starts_with("shot.v2 (conflict " + Author() + " ")) << name;
  EXPECT_TRUE(name.ends_with(").nk")) << name;
  EXPECT_EQ(Attr(f.ino).version, 1u) << "the file keeps its current version";
  EXPECT_EQ(Attr(f.ino).size, 10u);
  ASSERT_OK_AND_ASSIGN(Attributes copy, cat_->Lookup(shots.ino, name));
  EXPECT_EQ(copy.ino, mine.conflict_copy);
  EXPECT_EQ(copy.size, 20u);
  EXPECT_EQ(copy.mode & 07777, f.mode & 07777);
  EXPECT_EQ(copy.uid, f.uid);
  ASSERT_OK_AND_ASSIGN(Version copied, cat_->GetVersion(copy.ino, 0));
  EXPECT_EQ(copied.info.id, mine.id);
  ASSERT_EQ(copied.chunks.size(), 1u);
  EXPECT_EQ(copied.chunks[0].id, TestChunk(2));
  ASSERT_OK_AND_ASSIGN(auto versions, cat_->ListVersions(f.ino));
  EXPECT_EQ(versions.size(), 1u) << "nothing new on the file itself";

  const std::vector<ChangeEvent> events = EventsAfter(*cat_, start);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].kind, ChangeKind::kCreated);
  EXPECT_EQ(events[0].path, "shots/" + name);
  EXPECT_EQ(events[1].kind, ChangeKind::kVersion);
  EXPECT_EQ(events[1].ino, copy.ino);
  EXPECT_EQ(events[2].kind, ChangeKind::kConflict);
  EXPECT_EQ(events[2].path, "shots/shot.v2.nk");
  EXPECT_EQ(events[2].version, 0u);
  EXPECT_EQ(events[2].old_path, "shots/" + name);

  // Another one: another copy, whatever the minute.
  ASSERT_OK_AND_ASSIGN(VersionInfo more, Commit(f.ino, 3, 30, 0));
  ASSERT_EQ(more.conflict, ConflictPolicy::kKeepBoth);
  EXPECT_NE(more.conflict_copy, mine.conflict_copy);
  EXPECT_NE(more.conflict_copy_name, name);
  ASSERT_OK_AND_ASSIGN(Attributes second, cat_->Lookup(shots.ino, more.conflict_copy_name));
  EXPECT_EQ(second.size, 30u);
  ASSERT_OK(cat_->Lookup(shots.ino, name).status());
}

TEST_P(ConflictTest, KeepBothRejectsInsteadForAFileWithNoNameLeft) {
  UsePolicy(ConflictPolicy::kKeepBoth);
  Attributes f = MkFile(kRootInode, "gone.exr");
  ASSERT_OK(Commit(f.ino, 1, 10, 0).status());
  ASSERT_OK_AND_ASSIGN(UnlinkResult gone, cat_->Unlink(kRootInode, "gone.exr", Now()));
  ASSERT_TRUE(gone.trash_id.has_value()) << "a file with a version goes to the trash";
  ASSERT_OK_AND_ASSIGN(VersionInfo mine, Commit(f.ino, 2, 20, 0));
  EXPECT_EQ(mine.conflict, ConflictPolicy::kReject);
  EXPECT_EQ(mine.kind, VersionKind::kRejected);
  ASSERT_OK_AND_ASSIGN(Version kept, cat_->GetVersion(f.ino, mine.number));
  EXPECT_EQ(kept.chunks[0].id, TestChunk(2));
}

TEST_P(ConflictTest, NoCommitMayAskToBeRejected) {
  Attributes f = MkFile(kRootInode, "sly.exr");
  NewVersion v = VersionOf({{TestChunk(1), 10}});
  v.kind = VersionKind::kRejected;
  EXPECT_CODE(cat_->CommitVersion(f.ino, v, Now()), Code::kInvalidArgument);
  EXPECT_EQ(Attr(f.ino).version, 0u);
}

TEST_P(ConflictTest, VersionsKeepTheirAuthorAndAMemberSeesTheirOwnOrPublishedOnes) {
  UsePolicy(ConflictPolicy::kReject);
  Attributes f = MkFile(kRootInode, "shot.exr");
  const std::string other = "not-" + Author();
  ASSERT_OK_AND_ASSIGN(VersionInfo v1, Commit(f.ino, 1, 10, 0));
  EXPECT_EQ(v1.author, Author());
  ASSERT_OK_AND_ASSIGN(Version got, cat_->GetVersion(f.ino, 1));
  EXPECT_EQ(got.info.author, Author());
  ASSERT_OK_AND_ASSIGN(auto listed, cat_->ListVersions(f.ino));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].author, Author());

  auto newest = [&](const std::string& who) {
    auto seen = cat_->NewestSharedVersions({f.ino, kRootInode, 987654321}, who);
    EXPECT_TRUE(seen.ok()) << seen.status().ToString();
    std::vector<uint64_t> out;
    if (seen.ok()) {
      for (const auto& v : *seen) out.push_back(v ? v->number : 0);
    }
    return out;
  };
  EXPECT_EQ(newest(other), (std::vector<uint64_t>{0, 0, 0})) << "nothing published";
  EXPECT_EQ(newest(Author()), (std::vector<uint64_t>{1, 0, 0}));

  ASSERT_OK_AND_ASSIGN(VersionInfo rejected, Commit(f.ino, 2, 20, 0));
  ASSERT_EQ(rejected.kind, VersionKind::kRejected);
  EXPECT_EQ(newest(Author()), (std::vector<uint64_t>{1, 0, 0})) << "never a rejected one";

  ASSERT_OK(cat_->RequestPublish(f.ino, 1));
  ASSERT_OK(cat_->MarkPublished(f.ino, 1, Now()));
  ASSERT_OK_AND_ASSIGN(VersionInfo v3, Commit(f.ino, 3, 30, v1.id));
  EXPECT_EQ(v3.number, 3u);
  EXPECT_EQ(newest(other), (std::vector<uint64_t>{1, 0, 0})) << "the published one";
  EXPECT_EQ(newest(Author()), (std::vector<uint64_t>{3, 0, 0})) << "their own newest";
}

INSTANTIATE_TEST_SUITE_P(Backends, ConflictTest, ::testing::ValuesIn(AllCatalogBackends()),
                         [](const auto& info) { return info.param.name; });

// 2026-12-05 06:12:30 UTC.
constexpr TimeNs kWhen = 1796451150LL * 1000000000;

TEST(ConflictCopyNameTest, NamesTheAuthorAndTheMinuteBeforeTheExtension) {
  EXPECT_EQ(ConflictCopyName("shot.v2.nk", "alice", kWhen, 1),
            "shot.v2 (conflict alice 2026-12-05 0612).nk");
  EXPECT_EQ(ConflictCopyName("shot.v2.nk", "alice", kWhen, 2),
            "shot.v2 (conflict alice 2026-12-05 0612 2).nk");
  EXPECT_EQ(ConflictCopyName("README", "bob", kWhen, 1), "README (conflict bob 2026-12-05 0612)");
  EXPECT_EQ(ConflictCopyName(".bashrc", "bob", kWhen, 1),
            ".bashrc (conflict bob 2026-12-05 0612)");
  EXPECT_EQ(ConflictCopyName("a.txt", "", kWhen, 1), "a (conflict 2026-12-05 0612).txt");
  EXPECT_EQ(ConflictCopyName("a.txt", "x/y(z)", kWhen, 1), "a (conflict xyz 2026-12-05 0612).txt");
}

TEST(ConflictCopyNameTest, ALongNameIsCutToFitOnACharacterBoundary) {
  std::string stem;
  while (stem.size() < 300) stem += "\xc3\xa9";  // é, two bytes each
  const std::string copy = ConflictCopyName(stem + ".exr", "alice", kWhen, 12);
  EXPECT_LE(copy.size(), kMaxNameLength);
  EXPECT_GE(copy.size(), kMaxNameLength - 1);
  EXPECT_TRUE(copy.ends_with(" (conflict alice 2026-12-05 0612 12).exr")) << copy;
  const std::string kept = copy.substr(0, copy.find(" (conflict"));
  EXPECT_EQ(kept.size() % 2, 0u) << "no é cut in half";
  EXPECT_TRUE(stem.starts_with(kept));
}

}  // namespace
}  // namespace reel::testing
