// Drive identity, commit ids of versions and backups, run against every backend (backups per
// kind of backend); damaged SQLite files.
#include <unistd.h>

#include <atomic>
#include <thread>

#include "catalog_test_util.h"
#include "common/fs_util.h"

namespace reel::testing {
namespace {

TEST_P(CatalogTest, DriveIdIsSetOnce) {
  ASSERT_OK_AND_ASSIGN(std::string none, cat_->GetDriveId());
  EXPECT_EQ(none, "");
  EXPECT_OK(Server().SetDriveId("3b1f0c9e-8d7a-4f21-9c55-0a1b2c3d4e5f"));
  EXPECT_OK(Server().SetDriveId("3b1f0c9e-8d7a-4f21-9c55-0a1b2c3d4e5f"));  // the same: no-op
  EXPECT_CODE(Server().SetDriveId("00000000-0000-4000-8000-000000000000"), Code::kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(std::string id, cat_->GetDriveId());
  EXPECT_EQ(id, "3b1f0c9e-8d7a-4f21-9c55-0a1b2c3d4e5f");
}

TEST_P(CatalogTest, VersionsKeepTheirCommitId) {
  Attributes f = MkFile(kRootInode, "a.exr");
  NewVersion v;
  v.size = 10;
  v.chunks = {ChunkRef{TestChunk(1), 10}};
  v.commit_id = 0x8000000000000001ull;  // the top bit must survive SQLite's signed integers
  ASSERT_OK_AND_ASSIGN(VersionInfo info, cat_->CommitVersion(f.ino, v, Now()));
  EXPECT_EQ(info.commit_id, v.commit_id);
  ASSERT_OK_AND_ASSIGN(auto list, cat_->ListVersions(f.ino));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].commit_id, v.commit_id);
  ASSERT_OK_AND_ASSIGN(Version got, cat_->GetVersion(f.ino, 1));
  EXPECT_EQ(got.info.commit_id, v.commit_id);
}

TEST_P(CatalogFileBackupTest, BackupIsAConsistentSnapshotTakenWhileWritersGoOn) {
  ASSERT_OK(cat_->SetDriveId("3b1f0c9e-8d7a-4f21-9c55-0a1b2c3d4e5f"));
  for (int i = 0; i < 50; ++i) MkFile(kRootInode, "before-" + std::to_string(i));
  std::atomic<bool> stop{false};
  std::atomic<int> made{0};
  std::thread writer([&] {
    NewNode n;
    n.type = FileType::kDirectory;
    n.mode = 0755;
    for (int i = 0; !stop; ++i) {
      if (cat_->CreateNode(kRootInode, "during-" + std::to_string(i), n, Now() + i).ok()) ++made;
    }
  });
  std::string path = dir_ + "/backup.db";
  Status s = cat_->BackupTo(path);
  stop = true;
  writer.join();
  ASSERT_OK(s);

  auto copy = OpenCatalog("sqlite://" + path, kTestUid, kTestGid);
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  ASSERT_OK_AND_ASSIGN(std::string id, (*copy)->GetDriveId());
  EXPECT_EQ(id, "3b1f0c9e-8d7a-4f21-9c55-0a1b2c3d4e5f");
  ASSERT_OK_AND_ASSIGN(CatalogStats stats, (*copy)->Stats());
  EXPECT_EQ(stats.files, 50u);
  // Consistent: the counters (kept by triggers) match the rows of the same snapshot.
  uint64_t dirs = 0;
  uint64_t cookie = 0;
  while (true) {
    ASSERT_OK_AND_ASSIGN(auto page, (*copy)->ReadDir(kRootInode, cookie, 1000));
    if (page.empty()) break;
    for (const DirEntry& e : page) dirs += e.attr.type == FileType::kDirectory;
    cookie = page.back().cookie;
  }
  EXPECT_EQ(stats.directories, dirs + 1);
  EXPECT_TRUE((*copy)->Lookup(kRootInode, "before-49").ok());
}

// A backend whose server keeps the data (PostgreSQL) writes no backup file: it says so, and names
// the tool that backs it up, without the password of its URI.
TEST_P(CatalogServerBackupTest, BackupToAFileIsNotSupportedAndNamesTheServersTool) {
  MkFile(kRootInode, "a.exr");
  const std::string path = dir_ + "/backup.db";
  Status s = cat_->BackupTo(path);
  EXPECT_CODE(s, Code::kNotSupported);
  EXPECT_NE(s.message().find(GetParam().backup_tool), std::string::npos) << s.message();
  EXPECT_NE(::access(path.c_str(), F_OK), 0) << "no file is left at " << path;
  const size_t colon = uri_.find(':', uri_.find("://") + 3);
  const size_t at = uri_.find('@');
  if (colon != std::string::npos && at != std::string::npos && colon < at) {
    const std::string password = uri_.substr(colon + 1, at - colon - 1);
    EXPECT_EQ(s.message().find(password), std::string::npos) << "the message shows the password";
  }
}

TEST(SqliteDamageTest, GarbageAndTruncatedFilesAreCorruption) {
  std::string dir = MakeTempDir("reel-damage");
  std::string path = dir + "/catalog.db";
  {
    auto cat = OpenCatalog("sqlite://" + path, kTestUid, kTestGid);
    ASSERT_TRUE(cat.ok());
    NewNode n;
    n.type = FileType::kRegular;
    n.mode = 0644;
    for (int i = 0; i < 2000; ++i) {
      ASSERT_OK((*cat)->CreateNode(kRootInode, "file-with-a-longish-name-" + std::to_string(i),
                                   n, 1000 + i));
    }
  }
  auto good = ReadWholeFile(path);
  ASSERT_TRUE(good.ok());
  ASSERT_GT(good->size(), 65536u);
  for (const std::string& damaged :
       {std::string(20000, '\x5a'), good->substr(0, good->size() / 2), good->substr(0, 100)}) {
    for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
    ASSERT_OK(WriteFileAtomic(path, std::string_view(damaged)));
    auto cat = OpenCatalog("sqlite://" + path, kTestUid, kTestGid);
    EXPECT_CODE(cat, Code::kCorruption) << damaged.size() << " bytes";
  }
  RemoveTree(dir);
}

}  // namespace
}  // namespace reel::testing
