// Versions: checkpoints, restore, policies, and crash recovery of staged writes.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "engine_test_util.h"
#include "testing/wait.h"

namespace reel::testing {
namespace {

using VersionsTest = EngineTest;

TEST_F(VersionsTest, SaveMakesNamedCheckpointEvenWithoutChanges) {
  InodeId ino = WriteFile("cut.mov", RandomBytes(100000, 1));
  auto saved = engine_->Save(ino, "picture lock");
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(saved->number, 2u);
  EXPECT_EQ(saved->kind, VersionKind::kCheckpoint);
  EXPECT_EQ(saved->message, "picture lock");
  EXPECT_EQ(saved->size, 100000u);
}

TEST_F(VersionsTest, RestoreMakesANewVersionAndLosesNothing) {
  auto v1 = RandomBytes(300000, 2);
  auto v2 = RandomBytes(250000, 3);
  InodeId ino = WriteFile("f", v1);
  WriteFile("f", v2);
  auto restored = engine_->Restore(ino, 1);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->number, 3u);
  EXPECT_EQ(restored->kind, VersionKind::kRestore);
  // The name now refers to a new inode that carries the whole history.
  auto now = engine_->Resolve("f");
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(ReadAll(*now), v1);
  auto versions = engine_->ListVersions(*now);
  ASSERT_EQ(versions->size(), 3u);
  EXPECT_EQ((*versions)[1].size, v2.size());
  EXPECT_EQ(engine_->Restore(*now, 9).status().code(), Code::kNotFound);
  EXPECT_TRUE(engine_->ListTrash()->empty());
  auto check = engine_->Check();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok());
}

TEST_F(VersionsTest, RestoreCommitsUnsavedChangesFirst) {
  options_.policy = VersionPolicy::kManual;
  CloseEngine();
  OpenEngine();
  auto v1 = RandomBytes(1000, 4);
  InodeId ino = WriteFile("m", v1);
  ASSERT_TRUE(engine_->Save(ino, "first").ok());
  PatchFile(ino, 0, {9, 9, 9});  // staged only (manual policy)
  EXPECT_EQ(engine_->ListVersions(ino)->size(), 1u);
  ASSERT_TRUE(engine_->Restore(ino, 1).ok());
  ino = *engine_->Resolve("m");
  auto versions = engine_->ListVersions(ino);
  ASSERT_EQ(versions->size(), 3u);  // checkpoint, autosave of the unsaved edit, restore
  EXPECT_EQ((*versions)[1].kind, VersionKind::kAutosave);
  EXPECT_EQ(ReadAll(ino), v1);
}

TEST_F(VersionsTest, ManualPolicyVersionsOnlyOnSaveAndShutdown) {
  options_.policy = VersionPolicy::kManual;
  CloseEngine();
  OpenEngine();
  auto data = RandomBytes(5000, 5);
  InodeId ino = WriteFile("manual", data);
  EXPECT_TRUE(engine_->ListVersions(ino)->empty());
  EXPECT_EQ(ReadAll(ino), data);
  CloseEngine();  // shutdown commits what is staged
  OpenEngine();
  ASSERT_EQ(engine_->ListVersions(ino)->size(), 1u);
  EXPECT_EQ(ReadAll(ino), data);
}

TEST_F(VersionsTest, IntervalPolicyVersionsOpenFiles) {
  options_.policy = VersionPolicy::kInterval;
  options_.interval_seconds = 1;
  CloseEngine();
  OpenEngine();
  auto created = engine_->Create(kRootInode, "render.log", 0644, 0, 0, OpenFlags{true});
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(engine_->Write(created->second, 0, RandomBytes(1000, 6)).ok());
  // The file stays open: only the interval can make a version of it.
  EXPECT_TRUE(WaitUntil([&] { return !engine_->ListVersions(created->first.ino)->empty(); },
                        std::chrono::seconds(30)))
      << "no version of an open file within 30 intervals";
  ASSERT_TRUE(engine_->Release(created->second).ok());
}

TEST_F(VersionsTest, FsyncedWritesSurviveKill9) {
  auto base = RandomBytes(400000, 7);
  InodeId ino = WriteFile("edit.mov", base);
  auto patch = RandomBytes(5000, 8);
  CloseEngine();
  RunAndKill([&] {
    OpenEngine();
    auto h = engine_->Open(ino, OpenFlags{true});
    if (!h.ok() || !engine_->Write(*h, 1000, patch).ok() || !engine_->Fsync(*h, false).ok()) {
      ::_exit(1);
    }
    // Written after the fsync: not acknowledged, may be lost.
    (void)engine_->Write(*h, 390000, patch);
  });
  OpenEngine();
  auto versions = engine_->ListVersions(ino);
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[1].kind, VersionKind::kRecovered);
  auto got = ReadAll(ino);
  ASSERT_EQ(got.size(), base.size());
  EXPECT_TRUE(std::equal(patch.begin(), patch.end(), got.begin() + 1000));
  EXPECT_TRUE(std::equal(base.begin(), base.begin() + 1000, got.begin()));
}

TEST_F(VersionsTest, ClosedButUncommittedWritesSurviveKill9) {
  options_.policy = VersionPolicy::kManual;  // close stages, nothing commits
  CloseEngine();
  auto data = RandomBytes(700000, 9);
  RunAndKill([&] {
    OpenEngine();
    WriteFile("new.exr", data);
  });
  OpenEngine();
  auto ino = engine_->Resolve("new.exr");
  ASSERT_TRUE(ino.ok());
  EXPECT_EQ(ReadAll(*ino), data);
  EXPECT_EQ(engine_->ListVersions(*ino)->size(), 1u);
}

TEST_F(VersionsTest, UnacknowledgedWritesAreDroppedCleanly) {
  CloseEngine();
  RunAndKill([&] {
    OpenEngine();
    auto created = engine_->Create(kRootInode, "lost", 0644, 0, 0, OpenFlags{true});
    (void)engine_->Write(created->second, 0, RandomBytes(1000, 10));
  });
  OpenEngine();
  auto ino = engine_->Resolve("lost");
  ASSERT_TRUE(ino.ok());  // the name was committed to the catalog
  EXPECT_TRUE(engine_->ListVersions(*ino)->empty());
  auto check = engine_->Check();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok());
}

}  // namespace
}  // namespace reel::testing

namespace reel::testing {
namespace {

TEST_F(VersionsTest, SaveByTempFileAndRenameKeepsHistory) {
  auto v1 = RandomBytes(120000, 20);
  auto v2 = RandomBytes(130000, 21);
  InodeId original = WriteFile("photo.psd", v1);
  ASSERT_TRUE(engine_->Save(original, "before retouch").ok());
  InodeId tmp = WriteFile("photo.psd.tmp", v2);
  ASSERT_TRUE(engine_->Rename(kRootInode, "photo.psd.tmp", kRootInode, "photo.psd",
                              RenameMode::kReplace).ok());
  auto ino = engine_->Resolve("photo.psd");
  ASSERT_TRUE(ino.ok());
  EXPECT_EQ(*ino, tmp);
  auto versions = engine_->ListVersions(tmp);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 3u);
  EXPECT_EQ((*versions)[1].message, "before retouch");
  EXPECT_EQ((*versions)[2].number, 3u);
  EXPECT_EQ(ReadAll(tmp), v2);
  EXPECT_TRUE(engine_->ListTrash()->empty());
  ASSERT_TRUE(engine_->Restore(tmp, 1).ok());
  EXPECT_EQ(ReadAll(*engine_->Resolve("photo.psd")), v1);
  EXPECT_EQ(engine_->GetAttributes(original).status().code(), Code::kNotFound);
}

TEST_F(VersionsTest, RestoreWhileOpenKeepsTheOpenHandleAndTrashesTheOldFile) {
  auto v1 = RandomBytes(1000, 24);
  auto v2 = RandomBytes(3000, 25);
  InodeId ino = WriteFile("busy.mov", v1);
  WriteFile("busy.mov", v2);
  auto reader = engine_->Open(ino, OpenFlags{});
  ASSERT_TRUE(reader.ok());
  auto restored = engine_->Restore(ino, 1);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  std::vector<uint8_t> buf(3000);
  ASSERT_EQ(*engine_->Read(*reader, 0, buf), 3000u);
  EXPECT_EQ(buf, v2);
  ASSERT_TRUE(engine_->Release(*reader).ok());
  EXPECT_EQ(ReadAll(*engine_->Resolve("busy.mov")), v1);
  ASSERT_EQ(engine_->ListTrash()->size(), 1u);
}

TEST_F(VersionsTest, RenameOverAnOpenFileTrashesIt) {
  auto v1 = RandomBytes(1000, 22);
  InodeId original = WriteFile("open.txt", v1);
  auto reader = engine_->Open(original, OpenFlags{});
  ASSERT_TRUE(reader.ok());
  WriteFile("new.txt", RandomBytes(500, 23));
  ASSERT_TRUE(engine_->Rename(kRootInode, "new.txt", kRootInode, "open.txt",
                              RenameMode::kReplace).ok());
  std::vector<uint8_t> buf(1000);
  ASSERT_EQ(*engine_->Read(*reader, 0, buf), 1000u);
  EXPECT_EQ(buf, v1);
  ASSERT_TRUE(engine_->Release(*reader).ok());
  EXPECT_EQ(engine_->ListTrash()->size(), 1u);
}

}  // namespace
}  // namespace reel::testing

namespace reel::testing {
namespace {

// Another machine (here: a second connection to the same catalog) commits a version of a file
// open here. The writes made through that handle were made on the older version: under a drive's
// own policy (last writer wins) their commit becomes current and the other machine's version
// stays in the history, nothing lost; the conflict is counted.
TEST_F(EngineTest, ACommitOnAVersionAnotherMachineReplacedWinsAndKeepsTheOtherAsAVersion) {
  options_.policy = VersionPolicy::kManual;
  CloseEngine();
  OpenEngine();
  auto first = RandomBytes(200000, 61);
  InodeId ino = WriteFile("comp.nk", first);
  auto v1 = engine_->Save(ino, "");
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  auto h = engine_->Open(ino, OpenFlags{true, false, false});
  ASSERT_TRUE(h.ok()) << h.status().ToString();

  {
    auto other = OpenCatalog("sqlite://" + dir_ + "/catalog.db", ::geteuid(), ::getegid());
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    auto head = (*other)->GetVersion(ino, 0);
    ASSERT_TRUE(head.ok());
    EXPECT_EQ(head->info.id, v1->id);
    NewVersion theirs;
    theirs.size = head->info.size;
    theirs.chunks = head->chunks;
    theirs.message = "made elsewhere";
    theirs.base = head->info.id;
    ASSERT_TRUE((*other)->CommitVersion(ino, theirs, v1->created + 1).ok());
  }

  auto patch = RandomBytes(4096, 62);
  ASSERT_TRUE(engine_->Write(*h, 1000, patch).ok());
  ASSERT_TRUE(engine_->Release(*h).ok());
  EXPECT_EQ(engine_->Counters().conflicts, 0u);
  auto mine = engine_->Save(ino, "mine");
  ASSERT_TRUE(mine.ok()) << mine.status().ToString();
  ASSERT_TRUE(mine->conflict.has_value());
  EXPECT_EQ(*mine->conflict, ConflictPolicy::kLastWriterWins);
  EXPECT_EQ(mine->number, 3u);
  EXPECT_EQ(engine_->Counters().conflicts, 1u);
  auto expected = first;
  std::copy(patch.begin(), patch.end(), expected.begin() + 1000);
  EXPECT_EQ(ReadAll(ino), expected) << "the later writes are the file's content";
  auto versions = engine_->ListVersions(ino);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 3u);
  EXPECT_EQ((*versions)[1].message, "made elsewhere");
  EXPECT_EQ((*versions)[2].message, "mine");
  auto status = engine_->GetFileStatus(ino);
  ASSERT_TRUE(status.ok());
  EXPECT_FALSE(status->dirty);
  EXPECT_TRUE(status->rejected.empty());
}

}  // namespace
}  // namespace reel::testing
