// A lost or damaged catalog: opening is refused with the way back, and catalog backups bring
// every committed file back.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "common/fs_util.h"
#include "drive/catalog_backup.h"
#include "drive/drive.h"
#include "drive/drive_identity.h"
#include "engine/engine.h"
#include "store/object_store.h"
#include "testing/temp_dir.h"

namespace reel {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

std::vector<uint8_t> Bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

// Writes `data` as a new file and waits for its version.
void Commit(Engine& engine, const std::string& name, const std::vector<uint8_t>& data) {
  auto created = engine.Create(kRootInode, name, 0644, ::geteuid(), ::getegid(),
                               OpenFlags{.write = true});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_TRUE(engine.Write(created->second, 0, data).ok());
  ASSERT_TRUE(engine.Release(created->second).ok());
  ASSERT_TRUE(engine.WaitIdle().ok());
}

std::vector<uint8_t> ReadAll(Engine& engine, const std::string& name) {
  auto ino = engine.Resolve(name);
  EXPECT_TRUE(ino.ok()) << name << ": " << ino.status().ToString();
  if (!ino.ok()) return {};
  auto attr = engine.GetAttributes(*ino);
  auto h = engine.Open(*ino, OpenFlags{});
  EXPECT_TRUE(h.ok());
  std::vector<uint8_t> out(attr->size);
  auto n = engine.Read(*h, 0, out);
  EXPECT_TRUE(n.ok());
  EXPECT_TRUE(engine.Release(*h).ok());
  return out;
}

class CatalogRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = InitDrive(tmp_ / "d", {});
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    m_ = *m;
    catalog_ = m_.dir + "/catalog.db";
  }

  Result<OpenedDrive> Open() {
    auto lock = DriveLock::Acquire(m_.dir);
    if (!lock.ok()) return lock.status();
    lock_.emplace(std::move(lock).value());
    return OpenDrive(m_, *lock_);
  }
  void Unlock() { lock_.reset(); }

  // A drive with two committed files, closed (its last backup made at close).
  void WriteTwoFiles() {
    auto drive = Open();
    ASSERT_TRUE(drive.ok()) << drive.status().ToString();
    Commit(*drive->engine, "a.mov", a_);
    Commit(*drive->engine, "b.exr", b_);
    drive->Close();
    Unlock();
  }
  void DeleteCatalog() {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(catalog_ + suffix);
  }
  void ExpectRefused(Code code) {
    auto drive = Open();
    ASSERT_FALSE(drive.ok());
    EXPECT_EQ(drive.status().code(), code) << drive.status().ToString();
    EXPECT_NE(drive.status().message().find("reel catalog restore " + m_.dir), std::string::npos)
        << drive.status().ToString();
    Unlock();
  }
  Result<RestoreReport> Restore(RestoreOptions o = {}) {
    auto lock = DriveLock::Acquire(m_.dir);
    if (!lock.ok()) return lock.status();
    return RestoreCatalog(m_, *lock, o);
  }
  void ExpectBothFiles() {
    auto drive = Open();
    ASSERT_TRUE(drive.ok()) << drive.status().ToString();
    EXPECT_EQ(ReadAll(*drive->engine, "a.mov"), a_);
    EXPECT_EQ(ReadAll(*drive->engine, "b.exr"), b_);
  }

  TempDir tmp_;
  Manifest m_;
  std::string catalog_;
  std::optional<DriveLock> lock_;
  std::vector<uint8_t> a_ = Bytes(700000, 1);
  std::vector<uint8_t> b_ = Bytes(90000, 2);
};

TEST_F(CatalogRecoveryTest, InitBindsTheCatalogAndMarksTheStore) {
  auto catalog = OpenCatalog(m_.ResolvedCatalogUri(), 0, 0);
  ASSERT_TRUE(catalog.ok());
  EXPECT_EQ(*(*catalog)->GetDriveId(), m_.id);
  auto marker = ReadWholeFile(m_.dir + "/store/objects/drive.json");
  ASSERT_TRUE(marker.ok()) << marker.status().ToString();
  EXPECT_NE(marker->find(m_.id), std::string::npos);
}

TEST_F(CatalogRecoveryTest, AMissingCatalogIsRefusedAndNotCreated) {
  WriteTwoFiles();
  DeleteCatalog();
  ExpectRefused(Code::kNotFound);
  EXPECT_FALSE(fs::exists(catalog_)) << "opening must not create an empty catalog";
}

TEST_F(CatalogRecoveryTest, WithoutABackupTheRefusalDoesNotSendTheUserToRestore) {
  WriteTwoFiles();
  DeleteCatalog();
  fs::remove_all(m_.dir + "/store/objects/catalog-backups");
  auto drive = Open();
  ASSERT_FALSE(drive.ok());
  EXPECT_EQ(drive.status().code(), Code::kNotFound) << drive.status().ToString();
  EXPECT_EQ(drive.status().message().find("reel catalog restore " + m_.dir), std::string::npos)
      << drive.status().ToString();
  EXPECT_NE(drive.status().message().find("No store of the drive holds a catalog backup"),
            std::string::npos)
      << drive.status().ToString();
  EXPECT_NE(drive.status().message().find(catalog_), std::string::npos);
  Unlock();
  EXPECT_FALSE(fs::exists(catalog_));
  EXPECT_FALSE(Restore().ok());  // indeed nothing to restore from
}

TEST_F(CatalogRecoveryTest, EmptyGarbageAndTruncatedCatalogsAreRefused) {
  WriteTwoFiles();
  auto good = ReadWholeFile(catalog_);
  ASSERT_TRUE(good.ok());
  ASSERT_GT(good->size(), 8192u);
  const std::pair<std::string, Code> kDamage[] = {
      {"", Code::kNotFound},
      {std::string(5000, 'x'), Code::kCorruption},
      {good->substr(0, good->size() / 2), Code::kCorruption},
      {good->substr(0, 100), Code::kCorruption},
  };
  for (const auto& [content, code] : kDamage) {
    DeleteCatalog();
    ASSERT_TRUE(WriteFileAtomic(catalog_, std::string_view(content)).ok());
    ExpectRefused(code);
    EXPECT_EQ(*ReadWholeFile(catalog_), content) << "a refused catalog is left as it was";
  }
}

TEST_F(CatalogRecoveryTest, AnotherDrivesCatalogIsRefused) {
  auto other = InitDrive(tmp_ / "other", {});
  ASSERT_TRUE(other.ok());
  DeleteCatalog();
  fs::copy_file(other->dir + "/catalog.db", catalog_);
  auto drive = Open();
  ASSERT_FALSE(drive.ok());
  EXPECT_NE(drive.status().message().find("belongs to drive " + other->id), std::string::npos)
      << drive.status().ToString();
}

TEST_F(CatalogRecoveryTest, ADriveWithoutDataMayStillCreateItsCatalog) {
  // A manifest written by hand (no init): nothing in the store, so nothing can be lost.
  Manifest m;
  m.id = NewDriveId();
  m.name = "fresh";
  m.dir = tmp_ / "fresh";
  ASSERT_TRUE(MakeDirs(m.dir + "/store").ok());
  ASSERT_TRUE(WriteManifest(m.Path(), m).ok());
  auto lock = DriveLock::Acquire(m.dir);
  ASSERT_TRUE(lock.ok());
  auto drive = OpenDrive(m, *lock);
  ASSERT_TRUE(drive.ok()) << drive.status().ToString();
  drive->Close();
  auto catalog = OpenCatalog(m.ResolvedCatalogUri(), 0, 0);
  EXPECT_EQ(*(*catalog)->GetDriveId(), m.id);
}

TEST_F(CatalogRecoveryTest, RestoreBringsBackEveryCommittedFile) {
  WriteTwoFiles();
  DeleteCatalog();
  ExpectRefused(Code::kNotFound);
  auto report = Restore();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->tier, "local");  // no shared tier: backups are kept locally
  EXPECT_EQ(report->stats.files, 2u);
  EXPECT_TRUE(report->replaced.empty());
  ExpectBothFiles();
}

TEST_F(CatalogRecoveryTest, RestoreOverADamagedCatalogKeepsTheDamagedFile) {
  WriteTwoFiles();
  ASSERT_TRUE(WriteFileAtomic(catalog_, std::string_view("garbage")).ok());
  auto report = Restore();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_FALSE(report->replaced.empty());
  EXPECT_EQ(*ReadWholeFile(report->replaced), "garbage");
  ExpectBothFiles();
}

TEST_F(CatalogRecoveryTest, RestoreRefusesWhileTheDriveIsOpen) {
  auto drive = Open();
  ASSERT_TRUE(drive.ok());
  auto report = Restore();
  EXPECT_EQ(report.status().code(), Code::kBusy) << report.status().ToString();
}

TEST_F(CatalogRecoveryTest, RestoreAtATimeAndTheLastNKept) {
  m_.backup_keep = 3;
  auto drive = Open();
  ASSERT_TRUE(drive.ok());
  Commit(*drive->engine, "a.mov", a_);
  auto first = drive->backups->BackupNow();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->tiers, std::vector<std::string>{"local"});
  Commit(*drive->engine, "b.exr", b_);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(drive->backups->BackupNow().ok());
  drive->Close();  // one more backup
  Unlock();
  auto local = OpenObjectStore(m_.ResolvedTierUri(*m_.LocalTier()));
  auto kept = ListCatalogBackups(**local);
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->size(), 3u);
  for (const StoredBackup& b : *kept) EXPECT_LT(first->time, b.time) << "the oldest go first";

  // The newest backup at or before a time.
  RestoreOptions before;
  before.at = kept->back().time - 1;
  EXPECT_EQ(Restore(before).status().code(), Code::kNotFound);
  RestoreOptions at_oldest;
  at_oldest.at = kept->back().time;
  auto report = Restore(at_oldest);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->key, kept->back().key);
  RestoreOptions from_edge;
  from_edge.from_tier = "edge";
  EXPECT_EQ(Restore(from_edge).status().code(), Code::kInvalidArgument);
  ExpectBothFiles();
}

TEST_F(CatalogRecoveryTest, StagedWritesNewerThanTheBackupAreCommittedAtTheNextOpen) {
  m_.policy = VersionPolicy::kManual;  // a close stages; the kill leaves the writes staged
  ASSERT_TRUE(WriteManifest(m_.Path(), m_).ok());
  {
    auto drive = Open();
    ASSERT_TRUE(drive.ok());
    Commit(*drive->engine, "a.mov", a_);
    ASSERT_TRUE(drive->engine->Save(*drive->engine->Resolve("a.mov"), "").ok());
    drive->Close();  // backs up: a.mov at version 1
    Unlock();
  }
  auto patch = Bytes(4000, 3);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto drive = Open();
    if (!drive.ok()) ::_exit(1);
    Engine& e = *drive->engine;
    auto ino = e.Resolve("a.mov");
    auto h = ino.ok() ? e.Open(*ino, OpenFlags{.write = true}) : Result<HandleId>(ino.status());
    if (!h.ok() || !e.Write(*h, 5000, patch).ok() || !e.Fsync(*h, false).ok()) ::_exit(1);
    // A file the backup does not know.
    auto created = e.Create(kRootInode, "new.wav", 0644, ::geteuid(), ::getegid(),
                            OpenFlags{.write = true});
    if (!created.ok() || !e.Write(created->second, 0, b_).ok() ||
        !e.Fsync(created->second, false).ok()) {
      ::_exit(1);
    }
    ::kill(::getpid(), SIGKILL);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the writer failed before the kill";

  DeleteCatalog();
  auto report = Restore();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->staged_files, 2u);
  EXPECT_EQ(report->adopted_files, 1u);
  auto drive = Open();
  ASSERT_TRUE(drive.ok()) << drive.status().ToString();
  auto expected = a_;
  std::copy(patch.begin(), patch.end(), expected.begin() + 5000);
  EXPECT_EQ(ReadAll(*drive->engine, "a.mov"), expected);
  auto versions = drive->engine->ListVersions(*drive->engine->Resolve("a.mov"));
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->back().kind, VersionKind::kRecovered);
  // The new file's writes are kept too, under the name the restore gave it.
  auto dir = drive->engine->Resolve(report->adopted_dir);
  ASSERT_TRUE(dir.ok()) << report->adopted_dir;
  auto entries = drive->engine->ReadDir(*dir, 0, 10);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ(ReadAll(*drive->engine, report->adopted_dir + "/" + (*entries)[0].name), b_);
}

TEST_F(CatalogRecoveryTest, BackupsAreMadeOnSchedule) {
  m_.backup_interval_seconds = 1;
  auto drive = Open();
  ASSERT_TRUE(drive.ok());
  ASSERT_TRUE(drive->backups->WaitForBackups(2, std::chrono::seconds(20)));
  auto local = OpenObjectStore(m_.ResolvedTierUri(*m_.LocalTier()));
  ASSERT_TRUE(local.ok());
  EXPECT_GE(ListCatalogBackups(**local)->size(), 2u);
}

TEST_F(CatalogRecoveryTest, AStoreOfAnotherDriveIsRefused) {
  std::string edge = "file://" + tmp_ / "edge";
  InitOptions o;
  o.edge_uri = edge;
  auto first = InitDrive(tmp_ / "one", o);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = InitDrive(tmp_ / "two", o);
  EXPECT_EQ(second.status().code(), Code::kAlreadyExists) << second.status().ToString();
  // A manifest pointing a drive at it later is refused at open.
  m_.tiers.push_back({"edge", edge, 0});
  auto drive = Open();
  EXPECT_EQ(drive.status().code(), Code::kAlreadyExists) << drive.status().ToString();
}

TEST(CatalogBackupKeyTest, KeysSortByTimeAndParseBack) {
  TimeNs t = 1764762780123000000;  // 2025-12-03T11:53:00.123Z
  std::string key = CatalogBackupKey(t);
  EXPECT_EQ(key.rfind("catalog-backups/20251203T115300.123Z-", 0), 0u) << key;
  EXPECT_EQ(ParseCatalogBackupKey(key), t);
  EXPECT_LT(CatalogBackupKey(t), CatalogBackupKey(t + 1000000));
  EXPECT_EQ(ParseCatalogBackupKey("catalog-backups/notes.txt"), std::nullopt);
  EXPECT_EQ(ParseCatalogBackupKey("chunks/ab/cd/abcd"), std::nullopt);
  EXPECT_EQ(*ParseUtcTime("2025-12-03T11:53:00Z"), 1764762780999999999);
  EXPECT_EQ(*ParseUtcTime("2025-12-03 11:53"), 1764762780999999999);
  EXPECT_FALSE(ParseUtcTime("yesterday").ok());
}

}  // namespace
}  // namespace reel
