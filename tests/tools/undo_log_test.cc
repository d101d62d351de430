// UndoLog against real files: a power cut puts every file back to its state at its last sync.
#include "crashfs/undo_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "common/fs_util.h"
#include "testing/temp_dir.h"

namespace reel::crashfs {
namespace {

class UndoLogTest : public ::testing::Test {
 protected:
  UniqueFd Open(const std::string& name) {
    return UniqueFd(::open((dir_ / name).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  }
  // pwrite through the log, as the filesystem does.
  void Write(int fd, uint64_t offset, const std::string& data) {
    ASSERT_TRUE(log_.BeforeWrite(fd, offset, data.size()).ok());
    ASSERT_TRUE(PwriteFull(fd, data.data(), data.size(), offset).ok());
  }
  // A file whose synced content is `content`.
  UniqueFd SyncedFile(const std::string& name, const std::string& content) {
    UniqueFd fd = Open(name);
    Write(fd.get(), 0, content);
    log_.Synced(fd.get());
    return fd;
  }
  void Truncate(int fd, uint64_t size) {
    ASSERT_TRUE(log_.BeforeTruncate(fd, size).ok());
    ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
  }
  std::string Content(const std::string& name) {
    Result<std::string> r = ReadWholeFile(dir_ / name);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : "";
  }
  void PowerCut(size_t expect_restored) {
    Result<size_t> n = log_.RestoreAll();
    ASSERT_TRUE(n.ok());
    EXPECT_EQ(*n, expect_restored);
  }

  testing::TempDir dir_;
  UndoLog log_;
};

TEST_F(UndoLogTest, SyncedWriteSurvivesUnsyncedIsDropped) {
  UniqueFd fd = SyncedFile("f", "synced--");
  Write(fd.get(), 2, "XXXX");       // overwrites synced bytes
  Write(fd.get(), 4, "YYYYYYYYYY");  // overlaps the first change and extends the file
  EXPECT_EQ(Content("f"), "syXXYYYYYYYYYY");
  PowerCut(1);
  EXPECT_EQ(Content("f"), "synced--");
}

TEST_F(UndoLogTest, NeverSyncedFileComesBackEmpty) {
  UniqueFd fd = Open("new");
  Write(fd.get(), 0, "never synced");
  PowerCut(1);
  EXPECT_EQ(Content("new"), "");
}

TEST_F(UndoLogTest, TruncateIsUndone) {
  UniqueFd fd = SyncedFile("t", "0123456789");
  Truncate(fd.get(), 3);
  Write(fd.get(), 5, "ab");  // the hole between 3 and 5 reads zeros now
  Truncate(fd.get(), 20);
  PowerCut(1);
  EXPECT_EQ(Content("t"), "0123456789");
}

TEST_F(UndoLogTest, RenamedFileIsRestoredUnderItsNewName) {
  UniqueFd fd = SyncedFile("a", "kept");
  Write(fd.get(), 0, "lost");
  ASSERT_EQ(::rename((dir_ / "a").c_str(), (dir_ / "b").c_str()), 0);
  fd.Reset();  // the log keeps its own descriptor
  PowerCut(1);
  EXPECT_EQ(Content("b"), "kept");
}

TEST_F(UndoLogTest, SyncAfterChangesKeepsThem) {
  UniqueFd fd = Open("s");
  Write(fd.get(), 0, "first");
  Truncate(fd.get(), 2);
  Write(fd.get(), 2, "-second");
  log_.Synced(fd.get());
  EXPECT_EQ(log_.pending_files(), 0u);
  PowerCut(0);
  EXPECT_EQ(Content("s"), "fi-second");
}

}  // namespace
}  // namespace reel::crashfs
