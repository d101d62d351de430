// Crash recovery of staged writes: what a staging record left by a killed process becomes when
// the catalog fails, when versions were renumbered, and when its commit already happened.
#include <filesystem>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "catalog/catalog_wrapper.h"
#include "common/fs_util.h"
#include "engine_test_util.h"
#include "store/object_store.h"

namespace reel::testing {
namespace {

using RecoveryTest = EngineTest;

// A real catalog whose reads of one inode fail with `error` (a busy or failing database).
class FailingReadsCatalog final : public CatalogWrapper {
 public:
  FailingReadsCatalog(std::unique_ptr<Catalog> inner, InodeId ino, Status error)
      : CatalogWrapper(std::move(inner)), ino_(ino), error_(std::move(error)) {}
  Result<Attributes> GetAttributes(InodeId ino) override {
    if (ino == ino_) return error_;
    return inner()->GetAttributes(ino);
  }
  Result<std::vector<VersionInfo>> ListVersions(InodeId ino) override {
    if (ino == ino_) return error_;
    return inner()->ListVersions(ino);
  }

 private:
  const InodeId ino_;
  const Status error_;
};

std::set<std::string> StagingFiles(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.insert(e.path().filename().string());
  }
  return names;
}

TEST_F(RecoveryTest, CatalogErrorsKeepStagedWritesForALaterOpen) {
  options_.policy = VersionPolicy::kManual;  // a close stages; nothing commits before the kill
  CloseEngine();
  auto data = RandomBytes(300000, 21);
  RunAndKill([&] {
    OpenEngine();
    WriteFile("render.exr", data);
  });
  auto staged = StagingFiles(options_.staging_dir);
  ASSERT_EQ(staged.size(), 2u);  // <ino>.data and <ino>.meta
  InodeId ino = std::stoull(*staged.begin());

  for (Code code : {Code::kBusy, Code::kIOError, Code::kCorruption}) {
    auto catalog = OpenCatalog("sqlite://" + dir_ + "/catalog.db", ::geteuid(), ::getegid());
    ASSERT_TRUE(catalog.ok());
    auto failing = std::make_unique<FailingReadsCatalog>(std::move(catalog).value(), ino,
                                                         Status(code, "injected"));
    auto store = OpenObjectStore("file://" + dir_ + "/store");
    ASSERT_TRUE(store.ok());
    auto engine = Engine::Open(std::move(failing), std::move(store).value(), options_);
    ASSERT_FALSE(engine.ok()) << "an open that cannot judge a staging record must not go on";
    EXPECT_NE(engine.status().message().find("staged writes are kept"), std::string::npos)
        << engine.status().ToString();
    EXPECT_EQ(StagingFiles(options_.staging_dir), staged) << CodeName(code);
  }

  OpenEngine();  // the catalog answers again: the writes become a version
  auto versions = engine_->ListVersions(ino);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ((*versions)[0].kind, VersionKind::kRecovered);
  EXPECT_EQ(ReadAll(ino), data);
}

TEST_F(RecoveryTest, StagedWritesSurviveARenameThatRenumbersTheirBase) {
  options_.policy = VersionPolicy::kManual;
  CloseEngine();
  auto older = RandomBytes(100000, 22);
  auto base = RandomBytes(200000, 23);
  auto patch = RandomBytes(5000, 24);
  RunAndKill([&] {
    OpenEngine();
    InodeId target = WriteFile("shot.exr", older);
    if (!engine_->Save(target, "").ok()) ::_exit(1);
    InodeId ino = WriteFile("shot.tmp", base);
    if (!engine_->Save(ino, "").ok()) ::_exit(1);
    PatchFile(ino, 1000, patch);  // staged on top of version 1 of shot.tmp
    // Saving by rename: shot.tmp takes shot.exr's history, its own version 1 becomes 2.
    if (!engine_->Rename(kRootInode, "shot.tmp", kRootInode, "shot.exr", RenameMode::kReplace)
             .ok()) {
      ::_exit(1);
    }
  });
  OpenEngine();
  auto found = engine_->Resolve("shot.exr");
  ASSERT_TRUE(found.ok());
  auto expected = base;
  std::copy(patch.begin(), patch.end(), expected.begin() + 1000);
  EXPECT_EQ(ReadAll(*found), expected);
  auto versions = engine_->ListVersions(*found);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 3u);
  EXPECT_EQ(versions->back().kind, VersionKind::kRecovered);
}

TEST_F(RecoveryTest, ARecordRebasedOntoAVersionAPowerCutLostLiesOnTheCurrentOne) {
  // A commit rebases the writes made during it onto its version; for a layer with no files it
  // does so without syncing the catalog, so a power cut can keep the record and lose the
  // version. Recovery must lay the writes on the version the catalog has.
  options_.policy = VersionPolicy::kManual;
  CloseEngine();
  auto base = RandomBytes(120000, 26);
  auto patch = RandomBytes(3000, 27);
  RunAndKill([&] {
    OpenEngine();
    InodeId ino = WriteFile("take.mov", base);
    if (!engine_->Save(ino, "").ok()) ::_exit(1);
    PatchFile(ino, 500, patch);  // recorded at close, on version 1
  });
  std::string record;
  for (const std::string& name : StagingFiles(options_.staging_dir)) {
    if (name.ends_with(".meta")) record = options_.staging_dir + "/" + name;
  }
  ASSERT_FALSE(record.empty()) << "no staging record left by the killed process";
  auto text = ReadWholeFile(record);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  auto meta = nlohmann::json::parse(*text);
  ASSERT_EQ(meta["base_version"], 1);
  meta["base_version"] = 2;  // the version the power cut lost
  meta["base_created"] = meta["base_created"].get<int64_t>() + 1;
  ASSERT_TRUE(WriteFileAtomic(record, meta.dump()).ok());

  OpenEngine();
  auto found = engine_->Resolve("take.mov");
  ASSERT_TRUE(found.ok());
  const InodeId ino = *found;
  auto expected = base;
  std::copy(patch.begin(), patch.end(), expected.begin() + 500);
  EXPECT_EQ(ReadAll(ino), expected);
  auto versions = engine_->ListVersions(ino);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ(versions->back().kind, VersionKind::kRecovered);
  EXPECT_TRUE(StagingFiles(options_.staging_dir).empty());
}

TEST_F(RecoveryTest, ARecordWhoseCommitIsInTheCatalogIsDropped) {
  options_.policy = VersionPolicy::kManual;
  CloseEngine();
  auto data = RandomBytes(150000, 25);
  RunAndKill([&] {
    OpenEngine();
    WriteFile("a.wav", data);
  });
  // Keep the record, let recovery commit it, then put the record back: a crash between the
  // catalog commit and the removal of the record leaves exactly this.
  std::string copy = dir_ + "/staging-copy";
  std::filesystem::copy(options_.staging_dir, copy);
  OpenEngine();
  auto ino = engine_->Resolve("a.wav");
  ASSERT_TRUE(ino.ok());
  ASSERT_EQ(engine_->ListVersions(*ino)->size(), 1u);
  CloseEngine();
  std::filesystem::remove_all(options_.staging_dir);
  std::filesystem::rename(copy, options_.staging_dir);

  OpenEngine();
  EXPECT_EQ(engine_->ListVersions(*ino)->size(), 1u) << "committed twice";
  EXPECT_EQ(ReadAll(*ino), data);
  EXPECT_TRUE(StagingFiles(options_.staging_dir).empty());
}

TEST_F(RecoveryTest, ARecordOfAFileThatIsGoneIsDropped) {
  options_.policy = VersionPolicy::kManual;
  CloseEngine();
  RunAndKill([&] {
    OpenEngine();
    WriteFile("gone.txt", RandomBytes(1000, 26));
  });
  // The catalog no longer knows the inode (its trash entry was purged, say).
  std::filesystem::remove(dir_ + "/catalog.db");
  std::filesystem::remove(dir_ + "/catalog.db-wal");
  std::filesystem::remove(dir_ + "/catalog.db-shm");
  OpenEngine();
  EXPECT_TRUE(StagingFiles(options_.staging_dir).empty());
}

}  // namespace
}  // namespace reel::testing
