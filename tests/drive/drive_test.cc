#include "drive/drive.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "common/fs_util.h"
#include "engine/engine.h"
#include "testing/temp_dir.h"

namespace reel {
namespace {

using testing::ScopedEnv;
using testing::TempDir;

mode_t ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

bool IsDir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

TEST(DriveTest, InitCreatesTheLayout) {
  TempDir tmp;
  std::string dir = tmp / "drives/studio";
  auto m = InitDrive(dir, {});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->dir, dir);
  EXPECT_EQ(m->name, "studio");
  EXPECT_TRUE(IsDir(dir));
  EXPECT_EQ(ModeOf(dir), 0700u);
  EXPECT_TRUE(IsDir(dir + "/store"));
  EXPECT_EQ(ModeOf(dir + "/store"), 0700u);
  EXPECT_TRUE(IsDir(dir + "/staging"));
  EXPECT_EQ(ModeOf(dir + "/staging"), 0700u);
  EXPECT_EQ(ModeOf(dir + "/reel.toml"), 0600u);
  EXPECT_EQ(ModeOf(dir + "/catalog.db"), 0600u);

  // The manifest on disk is the one returned, with relative URIs.
  auto loaded = LoadManifest(dir + "/reel.toml");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, *m);
  EXPECT_EQ(loaded->catalog_uri, "sqlite://catalog.db");
  EXPECT_EQ(loaded->tiers[0].uri, "file://store");
  EXPECT_EQ(loaded->ResolvedCatalogUri(), "sqlite://" + dir + "/catalog.db");

  // The catalog exists and has a root owned by us.
  auto catalog = OpenCatalog(loaded->ResolvedCatalogUri(), 0, 0);
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  auto root = (*catalog)->GetAttributes(kRootInode);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->uid, ::geteuid());
}

TEST(DriveTest, InitRefusesToOverwriteADrive) {
  TempDir tmp;
  auto first = InitDrive(tmp.path(), {});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = InitDrive(tmp.path(), {});
  EXPECT_EQ(second.status().code(), Code::kAlreadyExists);
  EXPECT_NE(second.status().message().find("refusing to overwrite"), std::string::npos);
  auto loaded = LoadManifest(tmp / "reel.toml");
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->id, first->id);

  // Remnants of a drive (a catalog without manifest) are not overwritten either.
  TempDir other;
  ASSERT_TRUE(WriteFileAtomic(other / "catalog.db", std::string_view("precious")).ok());
  EXPECT_EQ(InitDrive(other.path(), {}).status().code(), Code::kAlreadyExists);
  EXPECT_EQ(*ReadWholeFile(other / "catalog.db"), "precious");
}

TEST(DriveTest, InitOptionsGoIntoTheManifest) {
  TempDir tmp;
  InitOptions o;
  o.fixed_size = 64ull << 20;  // alone: selects fixed-size chunking
  o.policy = VersionPolicy::kInterval;
  o.interval_seconds = 10;
  o.name = "renders";
  auto m = InitDrive(tmp / "d", o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto loaded = LoadManifest(tmp / "d/reel.toml");
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->chunking.kind, ChunkerOptions::Kind::kFixed);
  EXPECT_EQ(loaded->chunking.fixed_size, 64u << 20);
  EXPECT_EQ(loaded->policy, VersionPolicy::kInterval);
  EXPECT_EQ(loaded->interval_seconds, 10u);
  EXPECT_EQ(loaded->name, "renders");

  InitOptions cdc;
  cdc.chunking = ChunkerOptions::Kind::kFastCdc;
  cdc.fixed_size = 16ull << 20;
  auto m2 = InitDrive(tmp / "e", cdc);
  ASSERT_TRUE(m2.ok());
  EXPECT_EQ(m2->chunking.kind, ChunkerOptions::Kind::kFastCdc);
}

TEST(DriveTest, InvalidInitOptionsCreateNothing) {
  TempDir tmp;
  InitOptions o;
  o.fixed_size = 1024;  // below the 4 KiB minimum
  auto m = InitDrive(tmp / "d", o);
  EXPECT_EQ(m.status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(IsDir(tmp / "d"));
  o.fixed_size = 8ull << 30;
  EXPECT_EQ(InitDrive(tmp / "d", o).status().code(), Code::kInvalidArgument);
  InitOptions zero;
  zero.interval_seconds = 0;
  EXPECT_EQ(InitDrive(tmp / "d", zero).status().code(), Code::kInvalidArgument);
}

TEST(DriveTest, LockExcludesASecondOpener) {
  TempDir tmp;
  auto first = DriveLock::Acquire(tmp.path());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(ModeOf(tmp / "lock"), 0600u);

  // Another open of the lock file, even in this process, is refused and names the holder.
  auto second = DriveLock::Acquire(tmp.path());
  ASSERT_EQ(second.status().code(), Code::kBusy);
  EXPECT_NE(second.status().message().find("pid " + std::to_string(::getpid())),
            std::string::npos)
      << second.status().message();

  // And so is another process.
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto l = DriveLock::Acquire(tmp.path());
    ::_exit(l.ok() ? 0 : l.status().code() == Code::kBusy ? 3 : 4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3);

  // Released when the holder goes away.
  { DriveLock moved = std::move(first).value(); }
  auto third = DriveLock::Acquire(tmp.path());
  EXPECT_TRUE(third.ok()) << third.status().ToString();
}

TEST(DriveTest, LockOfAMissingDirectoryIsNotFound) {
  EXPECT_EQ(DriveLock::Acquire("/nonexistent/reel/drive").status().code(), Code::kNotFound);
}

TEST(DriveTest, DefaultDriveDirFollowsXdg) {
  {
    ScopedEnv xdg("XDG_DATA_HOME", "/data/me");
    EXPECT_EQ(*DefaultDriveDir(), "/data/me/reel/default");
  }
  {
    ScopedEnv xdg("XDG_DATA_HOME", nullptr);
    ScopedEnv home("HOME", "/home/artist");
    EXPECT_EQ(*DefaultDriveDir(), "/home/artist/.local/share/reel/default");
  }
  {
    // A relative XDG_DATA_HOME is ignored, as the XDG spec says.
    ScopedEnv xdg("XDG_DATA_HOME", "relative/dir");
    ScopedEnv home("HOME", "/home/artist");
    EXPECT_EQ(*DefaultDriveDir(), "/home/artist/.local/share/reel/default");
  }
}

TEST(DriveTest, OpenDriveGivesAWorkingEngine) {
  TempDir tmp;
  auto m = InitDrive(tmp / "d", {});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto lock = DriveLock::Acquire(m->dir);
  ASSERT_TRUE(lock.ok());
  auto drive = OpenDrive(*m, *lock);
  ASSERT_TRUE(drive.ok()) << drive.status().ToString();
  Engine* engine = drive->engine.get();
  auto root = engine->Resolve("");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(*root, kRootInode);
  auto created = engine->Create(kRootInode, "a.txt", 0644, ::geteuid(), ::getegid(),
                                   OpenFlags{.write = true});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::string data = "hello";
  ASSERT_TRUE(engine
                  ->Write(created->second, 0,
                          {reinterpret_cast<const uint8_t*>(data.data()), data.size()})
                  .ok());
  ASSERT_TRUE(engine->Release(created->second).ok());
  ASSERT_TRUE(engine->Shutdown().ok());
  drive->Close();

  // Reopened: the file and its version are there (the catalog is on disk, the store too).
  auto again = OpenDrive(*m, *lock);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto ino = again->engine->Resolve("a.txt");
  ASSERT_TRUE(ino.ok()) << ino.status().ToString();
  auto versions = again->engine->ListVersions(*ino);
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->size(), 1u);
}

TEST(DriveTest, AssigningOverAnOpenDriveStopsItsServicesBeforeItsEngine) {
  TempDir tmp;
  auto m = InitDrive(tmp / "d", {});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto lock = DriveLock::Acquire(m->dir);
  ASSERT_TRUE(lock.ok());
  auto drive = OpenDrive(*m, *lock);
  ASSERT_TRUE(drive.ok()) << drive.status().ToString();
  *drive = OpenedDrive();  // placement uses the transfers, both use the engine's catalog
  EXPECT_EQ(drive->engine, nullptr);
  auto again = OpenDrive(*m, *lock);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  *drive = std::move(again).value();
  EXPECT_TRUE(drive->engine->Resolve("").ok());
}

TEST(DriveTest, OpenDriveNeedsTheDrivesOwnLock) {
  TempDir tmp;
  auto m = InitDrive(tmp / "d", {});
  ASSERT_TRUE(m.ok());
  auto other = DriveLock::Acquire(tmp.path());
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(OpenDrive(*m, *other).ok());
}

}  // namespace
}  // namespace reel
