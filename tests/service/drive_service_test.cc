// The drive's service called directly, as any front end calls it (no HTTP in between), over a
// real Engine (sqlite::memory: catalog + memory:// store).
#include "service/drive_service.h"

#include <memory>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/memory_engine.h"
#include "tiers/placement.h"
#include "tiers/transfer_engine.h"

namespace reel {
namespace {

// The service over an engine in memory (testing/memory_engine.h).
class DriveServiceTest : public testing::MemoryEngineTest {
 protected:
  void SetUp() override {
    MemoryEngineTest::SetUp();
    if (HasFatalFailure()) return;
    service_ = std::make_unique<DriveService>(engine_.get());
  }

  std::unique_ptr<DriveService> service_;
};

TEST_F(DriveServiceTest, VersionsByPathWithErrorsThatNameThePathGiven) {
  auto dir = engine_->MakeDir(kRootInode, "shots", 0755, ::geteuid(), ::getegid());
  ASSERT_TRUE(dir.ok());
  WriteFile(dir->ino, "a.exr", "first");
  ASSERT_TRUE(service_->Sync().ok());
  WriteFile(dir->ino, "a.exr", "second");
  ASSERT_TRUE(service_->Sync().ok());  // version 2 committed: the checkpoint is version 3
  auto saved = service_->Save("shots//a.exr", "look");
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(saved->kind, VersionKind::kCheckpoint);
  auto versions = service_->Versions("shots/a.exr");
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  ASSERT_EQ(versions->size(), 3u);
  EXPECT_EQ(versions->back().message, "look");
  auto restored = service_->Restore("shots/a.exr", 1);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->size, 5u);
  auto status = service_->StatusOf("shots/./a.exr");
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->path, "shots/a.exr");
  EXPECT_EQ(status->current->number, restored->number);

  Status none = service_->Restore("shots/a.exr", 99).status();
  EXPECT_EQ(none.code(), Code::kNotFound);
  EXPECT_EQ(none.message(), "shots/a.exr has no version 99; it has versions 1-4: pick one of those");
  Status missing = service_->Versions("shots/b.exr").status();
  EXPECT_EQ(missing.code(), Code::kNotFound);
  EXPECT_TRUE(missing.message().starts_with("shots/b.exr: no such file")) << missing.message();
  Status a_dir = service_->Restore("shots", 1).status();
  EXPECT_EQ(a_dir.message(), "shots: only regular files have versions");
  for (const char* bad : {"../x", "/abs", ".reel/versions", "a/../../b"}) {
    Status s = service_->Save(bad, "").status();
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << bad;
    EXPECT_TRUE(s.message().starts_with(bad)) << s.message();
  }
  EXPECT_EQ(service_->Versions(std::string(5000, 'a')).status().code(), Code::kNameTooLong);
  // Nothing after the restore changed the file: still its four versions.
  EXPECT_EQ(service_->Versions("shots/a.exr")->size(), 4u);
}

TEST_F(DriveServiceTest, TrashRestoreSaysWhereAndRefusesTheRoot) {
  WriteFile(kRootInode, "gone.mov", "content");
  ASSERT_TRUE(service_->Sync().ok());
  ASSERT_TRUE(engine_->Unlink(kRootInode, "gone.mov").ok());
  auto trash = service_->Trash();
  ASSERT_TRUE(trash.ok()) << trash.status().ToString();
  ASSERT_EQ(trash->size(), 1u);
  const uint64_t id = (*trash)[0].id;
  Status root = service_->RestoreFromTrash(id, ".").status();
  EXPECT_EQ(root.code(), Code::kInvalidArgument);
  EXPECT_NE(root.message().find("drive root"), std::string::npos) << root.message();
  EXPECT_EQ(service_->Trash()->size(), 1u) << "a refused restore leaves the entry";
  auto back = service_->RestoreFromTrash(id, "");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->path, "gone.mov") << "where it was deleted from";
  EXPECT_TRUE(engine_->Resolve("gone.mov").ok());
  EXPECT_EQ(service_->RestoreFromTrash(id, "").status().code(), Code::kNotFound);
}

TEST_F(DriveServiceTest, WhatThisDriveLacksIsNotSupportedAndGcRunsWithoutTiers) {
  WriteFile(kRootInode, "a.mov", "bytes");
  for (PlaceAction a : {PlaceAction::kPublish, PlaceAction::kHydrate, PlaceAction::kEvict,
                        PlaceAction::kPin, PlaceAction::kUnpin, PlaceAction::kSaveToWorkingTier}) {
    EXPECT_EQ(service_->Place(a, "a.mov").status().code(), Code::kNotSupported);
  }
  EXPECT_EQ(service_->Usage("a.mov").status().code(), Code::kNotSupported);
  EXPECT_EQ(service_->Transfers().status().code(), Code::kNotSupported);
  EXPECT_EQ(service_->PauseTransfers().code(), Code::kNotSupported);
  EXPECT_EQ(service_->BackupCatalog().status().code(), Code::kNotSupported);

  // The file's only version, then deleted and purged: gc deletes its chunk (no shared tiers
  // to look at for orphan packs).
  ASSERT_TRUE(service_->Sync().ok());
  ASSERT_TRUE(engine_->Unlink(kRootInode, "a.mov").ok());
  auto gc = service_->CollectGarbage();
  ASSERT_TRUE(gc.ok()) << gc.status().ToString();
  EXPECT_EQ(gc->trash_purged, 1u);
  EXPECT_GE(gc->chunks_deleted, 1u);
  EXPECT_EQ(gc->orphan_packs_deleted, 0u);
  auto fsck = service_->Check();
  ASSERT_TRUE(fsck.ok()) << fsck.status().ToString();
  EXPECT_TRUE(fsck->ok());

  int backups = 0;
  DriveServiceParts parts;
  parts.engine = engine_.get();
  parts.backup_catalog = [&]() -> Result<nlohmann::json> {
    ++backups;
    return nlohmann::json{{"key", "catalog-backups/x.db.zst"}};
  };
  DriveService with_backups(std::move(parts));
  auto made = with_backups.BackupCatalog();
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_EQ((*made)["key"], "catalog-backups/x.db.zst");
  EXPECT_EQ(backups, 1);
}

}  // namespace
}  // namespace reel

namespace reel {
namespace {

class DriveServiceReadTest : public testing::MemoryEngineTest {};

TEST_F(DriveServiceReadTest, ReadsAnyVersionAndListsFoldersByPath) {
  DriveService service(engine_.get());
  std::string big(3 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) >> 5);
  auto dir = engine_->MakeDir(kRootInode, "plates", 0755, ::geteuid(), ::getegid());
  ASSERT_TRUE(dir.ok());
  WriteFile(dir->ino, "p.dpx", big);
  ASSERT_TRUE(service.Sync().ok());
  WriteFile(dir->ino, "p.dpx", "small now");
  ASSERT_TRUE(service.Sync().ok());

  auto v1 = service.OpenForRead("plates/p.dpx", 1);
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  EXPECT_EQ((*v1)->size(), big.size());
  std::string got(1 << 20, '\0');  // across chunk boundaries, from an odd offset
  auto n = (*v1)->Read(1'000'003, {reinterpret_cast<uint8_t*>(got.data()), got.size()});
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(*n, got.size());
  EXPECT_TRUE(got == big.substr(1'000'003, got.size()));
  auto tail = (*v1)->Read(big.size() - 5, {reinterpret_cast<uint8_t*>(got.data()), got.size()});
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, 5u);

  auto now = service.OpenForRead("plates/p.dpx", 0);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ((*now)->size(), 9u);
  EXPECT_EQ(service.OpenForRead("plates/p.dpx", 3).status().message(),
            "plates/p.dpx has no version 3; it has versions 1-2: pick one of those");
  EXPECT_EQ(service.OpenForRead("plates", 0).status().code(), Code::kIsDirectory);

  auto listed = service.List("plates", 0, 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name, "p.dpx");
  EXPECT_EQ((*listed)[0].attr.size, 9u);
  EXPECT_EQ(service.List("plates/p.dpx", 0, 10).status().code(), Code::kNotDirectory);
  EXPECT_EQ(service.Stat("plates/p.dpx")->size, 9u);
  EXPECT_TRUE(service.Stat("plates/q.dpx").status().message().starts_with("plates/q.dpx: no such"));
}

TEST_F(DriveServiceReadTest, ChangesNamesAsAFrontEndAsksAndBringsFoldersBackWithTheTrash) {
  DriveService service(engine_.get());
  auto made = service.MakeFolder("shots");
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_EQ(made->type, FileType::kDirectory);
  EXPECT_EQ(service.MakeFolder("shots").status().code(), Code::kAlreadyExists);
  EXPECT_EQ(service.MakeFolder("none/x").status().code(), Code::kNotFound);
  ASSERT_TRUE(service.MakeFolder("shots/sq010").ok());

  // An upload: a temp file written out of order, closed, then renamed over the target.
  auto w = service.CreateFile("shots/sq010/take.mov");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  const std::string a = "first take";
  ASSERT_TRUE((*w)->Write(0, {reinterpret_cast<const uint8_t*>(a.data()), a.size()}).ok());
  ASSERT_TRUE((*w)->Finish().ok());
  ASSERT_TRUE(service.Sync().ok());  // committed: not in use, so its history is kept below
  EXPECT_EQ(service.CreateFile("shots/sq010/take.mov").status().code(), Code::kAlreadyExists);
  auto tmp = service.CreateFile("shots/sq010/.take.mov.part");
  ASSERT_TRUE(tmp.ok());
  const std::string b1 = "second", b0 = "the ";
  ASSERT_TRUE((*tmp)->Write(4, {reinterpret_cast<const uint8_t*>(b1.data()), b1.size()}).ok());
  ASSERT_TRUE((*tmp)->Write(0, {reinterpret_cast<const uint8_t*>(b0.data()), b0.size()}).ok());
  ASSERT_TRUE((*tmp)->Finish().ok());
  auto v = service.ReplaceKeepingHistory("shots/sq010/.take.mov.part", "shots/sq010/take.mov");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->size, 10u);
  auto versions = service.Versions("shots/sq010/take.mov");
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);  // the first take's version, then the upload's
  EXPECT_EQ((*versions)[0].size, a.size());
  EXPECT_EQ(service.Stat("shots/sq010/.take.mov.part").status().code(), Code::kNotFound);

  // Moves: never over something, never into itself.
  ASSERT_TRUE(service.MakeFolder("final").ok());
  EXPECT_EQ(service.Move("shots", "shots/sq010/x").status().code(), Code::kInvalidArgument);
  ASSERT_TRUE(service.CreateFile("final/take.mov").ok());
  Status taken = service.Move("shots/sq010/take.mov", "final/take.mov").status();
  EXPECT_EQ(taken.code(), Code::kAlreadyExists);
  EXPECT_EQ(taken.message(), "final/take.mov already exists: choose another name");
  auto moved = service.Move("shots/sq010/take.mov", "final/take_v2.mov");
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(service.Versions("final/take_v2.mov")->size(), 2u);
  EXPECT_EQ(service.Move("nope", "final/n").status().message().substr(0, 5), "nope:");

  // A folder deleted with everything in it; its file comes back with its folders.
  ASSERT_TRUE(service.Move("final/take_v2.mov", "shots/sq010/take.mov").ok());
  auto gone = service.Delete("shots");
  ASSERT_TRUE(gone.ok()) << gone.status().ToString();
  EXPECT_EQ(gone->trashed, 1u);
  EXPECT_EQ(gone->removed, 2u);
  EXPECT_EQ(service.Stat("shots").status().code(), Code::kNotFound);
  auto trash = service.Trash();
  ASSERT_TRUE(trash.ok());
  uint64_t id = 0;
  for (const TrashEntry& e : *trash) {
    if (e.original_path == "shots/sq010/take.mov") id = e.id;
  }
  ASSERT_NE(id, 0u);
  auto back = service.RestoreFromTrash(id, "");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->path, "shots/sq010/take.mov");
  EXPECT_EQ(service.Versions("shots/sq010/take.mov")->size(), 2u);
  for (const char* bad : {"", "../x", ".reel/x", "a/../../b"}) {
    EXPECT_EQ(service.MakeFolder(bad).status().code(), Code::kInvalidArgument) << bad;
    EXPECT_EQ(service.Delete(bad).status().code(), Code::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace reel
