// Trash, garbage collection and fsck on a real local store.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "engine_test_util.h"
#include "store/object_store.h"

namespace reel::testing {
namespace {

using MaintenanceTest = EngineTest;

std::vector<std::filesystem::path> ChunkFiles(const std::string& dir) {
  std::vector<std::filesystem::path> out;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir + "/store")) {
    if (e.is_regular_file() && e.path().string().find("/chunks/") != std::string::npos) {
      out.push_back(e.path());
    }
  }
  return out;
}

TEST_F(MaintenanceTest, GcDeletesOrphansButKeepsReferencedChunks) {
  auto data = RandomBytes(600000, 1);
  InodeId ino = WriteFile("keep", data);
  size_t referenced = ChunkFiles(dir_).size();
  // An orphan, as a crash between chunk write and catalog commit leaves it.
  auto store = OpenObjectStore("file://" + dir_ + "/store");
  ASSERT_TRUE(store.ok());
  std::string orphan_key = "chunks/ab/cd/abcd" + std::string(60, '0');
  std::vector<uint8_t> junk(1000, 7);
  ASSERT_TRUE((*store)->Put(orphan_key, junk).ok());
  auto report = engine_->CollectGarbage();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->orphans_deleted, 1u);
  EXPECT_EQ(report->chunks_deleted, 0u);
  EXPECT_EQ((*store)->Head(orphan_key).status().code(), Code::kNotFound);
  EXPECT_EQ(ChunkFiles(dir_).size(), referenced);
  EXPECT_EQ(ReadAll(ino), data);
}

TEST_F(MaintenanceTest, GcPurgesExpiredTrashAndItsChunks) {
  options_.trash_retention_seconds = 0;
  CloseEngine();
  OpenEngine();
  WriteFile("doomed", RandomBytes(500000, 2));
  auto kept = RandomBytes(300000, 3);
  InodeId keep = WriteFile("kept", kept);
  ASSERT_TRUE(engine_->Unlink(kRootInode, "doomed").ok());
  ASSERT_EQ(engine_->ListTrash()->size(), 1u);
  auto report = engine_->CollectGarbage();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->trash_purged, 1u);
  EXPECT_GE(report->chunks_deleted, 1u);
  EXPECT_TRUE(engine_->ListTrash()->empty());
  EXPECT_EQ(ReadAll(keep), kept);
  EXPECT_LE(StoredChunkBytes(), kept.size());
  auto check = engine_->Check();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok());
}

TEST_F(MaintenanceTest, GcGracePeriodProtectsYoungObjects) {
  options_.gc_grace_seconds = 3600;
  CloseEngine();
  OpenEngine();
  auto store = OpenObjectStore("file://" + dir_ + "/store");
  std::string key = "chunks/00/00/0000" + std::string(60, '1');
  ASSERT_TRUE((*store)->Put(key, std::vector<uint8_t>(10, 1)).ok());
  auto report = engine_->CollectGarbage();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->orphans_deleted, 0u);
  EXPECT_TRUE((*store)->Head(key).ok());
}

TEST_F(MaintenanceTest, FsckFindsCorruptAndMissingChunksAndReadsFail) {
  InodeId ino = WriteFile("victim", RandomBytes(900000, 4));
  auto check = engine_->Check();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok());
  EXPECT_GE(check->chunks_checked, 2u);
  auto files = ChunkFiles(dir_);
  ASSERT_GE(files.size(), 2u);
  {
    std::fstream f(files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(10);
    f.put('\x5a');
    f.put('\xa5');
  }
  std::filesystem::remove(files[1]);
  // A fresh engine has no verified chunks cached.
  CloseEngine();
  OpenEngine();
  check = engine_->Check();
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->corrupt.size(), 1u);
  EXPECT_EQ(check->missing.size(), 1u);
  auto h = engine_->Open(ino, OpenFlags{});
  ASSERT_TRUE(h.ok());
  std::vector<uint8_t> buf(900000);
  auto n = engine_->Read(*h, 0, buf);
  EXPECT_FALSE(n.ok());
  ASSERT_TRUE(engine_->Release(*h).ok());
}

}  // namespace
}  // namespace reel::testing
