// StagedFile records as a power cut leaves them (the machine-crash FUSE test covers the rest).
#include "engine/staged_file.h"

#include <sys/stat.h>

#include <string>

#include <gtest/gtest.h>

#include "common/fs_util.h"
#include "testing/temp_dir.h"

namespace reel {
namespace {

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

class StagedFileTest : public ::testing::Test {
 protected:
  // Stages 4 bytes of inode `ino` and syncs them; returns the record's path.
  std::string StageAndSync(InodeId ino) {
    auto file = StagedFile::Create(dir_.path(), ino, 0, 0, 1);
    EXPECT_TRUE(file.ok());
    if (!file.ok()) return "";
    const std::string data = "data";
    EXPECT_TRUE((*file)->Write(0, {reinterpret_cast<const uint8_t*>(data.data()), 4}, 2).ok());
    EXPECT_TRUE((*file)->Sync().ok());
    return dir_ / (std::to_string(ino) + ".meta");
  }
  testing::TempDir dir_;
};

TEST_F(StagedFileTest, RecordEmptiedByAPowerCutIsDroppedWithItsData) {
  const std::string meta = StageAndSync(7);
  ASSERT_TRUE(WriteFileAtomic(meta, std::string_view("")).ok());  // what an unsynced record becomes
  auto metas = StagedFile::ListRecoverable(dir_.path());
  ASSERT_TRUE(metas.ok()) << metas.status().ToString();
  EXPECT_TRUE(metas->empty());
  EXPECT_FALSE(Exists(meta));
  EXPECT_FALSE(Exists(dir_ / "7.data"));
}

TEST_F(StagedFileTest, ZeroFilledRecordIsDroppedGarbageRefusesRecovery) {
  const std::string meta = StageAndSync(8);
  ASSERT_TRUE(WriteFileAtomic(meta, std::string(16, '\0')).ok());
  auto metas = StagedFile::ListRecoverable(dir_.path());
  ASSERT_TRUE(metas.ok());
  EXPECT_TRUE(metas->empty());

  const std::string other = StageAndSync(9);
  ASSERT_TRUE(WriteFileAtomic(other, std::string_view("{\"ino\": 9, trunc")).ok());
  auto garbage = StagedFile::ListRecoverable(dir_.path());
  EXPECT_EQ(garbage.status().code(), Code::kCorruption);  // not a power cut: never guessed away
}

TEST_F(StagedFileTest, SyncedRecordIsRecovered) {
  StageAndSync(10);
  auto metas = StagedFile::ListRecoverable(dir_.path());
  ASSERT_TRUE(metas.ok());
  ASSERT_EQ(metas->size(), 1u);
  EXPECT_EQ((*metas)[0].ino, 10u);
  EXPECT_EQ((*metas)[0].size, 4u);
}

TEST_F(StagedFileTest, TheFenceOfTheLockTheWritesWereMadeUnderIsRecorded) {
  auto file = StagedFile::Create(dir_.path(), 11, 0, 0, 1);
  ASSERT_TRUE(file.ok());
  const std::string data = "under a lock";
  ASSERT_TRUE((*file)->Write(0, {reinterpret_cast<const uint8_t*>(data.data()), data.size()}, 2).ok());
  ASSERT_TRUE((*file)->RecordIfChanged().ok());
  (*file)->SetFence(42);
  ASSERT_TRUE((*file)->RecordIfChanged().ok()) << "a new fence is a change to record";
  auto metas = StagedFile::ListRecoverable(dir_.path());
  ASSERT_TRUE(metas.ok());
  ASSERT_EQ(metas->size(), 1u);
  EXPECT_EQ((*metas)[0].fence, 42u);

  StageAndSync(12);  // no lock: no fence
  metas = StagedFile::ListRecoverable(dir_.path());
  ASSERT_TRUE(metas.ok());
  ASSERT_EQ(metas->size(), 2u);
  for (const StagedMeta& m : *metas) EXPECT_EQ(m.fence, m.ino == 11 ? 42u : 0u) << m.ino;
}

TEST_F(StagedFileTest, ANewLayerTouchesNoFileUntilItIsWrittenOrRecorded) {
  auto file = StagedFile::Create(dir_.path(), 11, 0, 0, 1);
  ASSERT_TRUE(file.ok());
  StagedFile& f = **file;
  // A file created and closed empty: recorded, synced and removed without a staging file.
  EXPECT_TRUE(f.RecordIfChanged().ok());
  EXPECT_TRUE(f.Sync().ok());
  EXPECT_FALSE(f.on_disk());
  EXPECT_FALSE(Exists(dir_ / "11.data"));
  EXPECT_FALSE(Exists(dir_ / "11.meta"));
  auto none = StagedFile::ListRecoverable(dir_.path());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  // The first write makes the data file; the record then follows as before.
  const std::string data = "data";
  ASSERT_TRUE(f.Write(0, {reinterpret_cast<const uint8_t*>(data.data()), 4}, 2).ok());
  EXPECT_TRUE(f.on_disk());
  EXPECT_TRUE(Exists(dir_ / "11.data"));
  ASSERT_TRUE(f.RecordIfChanged().ok());
  EXPECT_TRUE(Exists(dir_ / "11.meta"));
  f.Remove();
  EXPECT_FALSE(Exists(dir_ / "11.data"));
  EXPECT_FALSE(Exists(dir_ / "11.meta"));
}

TEST_F(StagedFileTest, ATruncateOfANewLayerMakesItsFiles) {
  auto file = StagedFile::Create(dir_.path(), 12, 0, 0, 1);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Truncate(4096, 2).ok());
  ASSERT_TRUE((*file)->Sync().ok());
  auto metas = StagedFile::ListRecoverable(dir_.path());
  ASSERT_TRUE(metas.ok());
  ASSERT_EQ(metas->size(), 1u);
  EXPECT_EQ((*metas)[0].size, 4096u);
}

TEST_F(StagedFileTest, ALayerOverOneWithNoFilesLiesOnItsBase) {
  // Writes made while an unwritten layer is committed: the layer below has no record for
  // recovery to find, and holds exactly its base, so the new layer lies on that base.
  auto empty = StagedFile::Create(dir_.path(), 13, 3, 100, 1, 5);
  ASSERT_TRUE(empty.ok());
  auto over_empty = StagedFile::CreateOver(**empty, 2);
  ASSERT_TRUE(over_empty.ok());
  EXPECT_EQ((*over_empty)->meta().over_id, 0u);
  EXPECT_EQ((*over_empty)->base_version(), 3u);
  EXPECT_EQ((*over_empty)->layer(), 1u);

  auto written = StagedFile::Create(dir_.path(), 14, 3, 100, 1, 5);
  ASSERT_TRUE(written.ok());
  const std::string data = "data";
  ASSERT_TRUE((*written)->Write(0, {reinterpret_cast<const uint8_t*>(data.data()), 4}, 2).ok());
  auto over_written = StagedFile::CreateOver(**written, 3);
  ASSERT_TRUE(over_written.ok());
  EXPECT_EQ((*over_written)->meta().over_id, (*written)->id());
}

}  // namespace
}  // namespace reel
