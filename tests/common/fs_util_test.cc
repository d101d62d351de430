#include "common/fs_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include <gtest/gtest.h>

namespace reel {
namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/reel-fsutil-XXXXXX";
  return ::mkdtemp(tmpl);
}

TEST(FsUtilTest, WriteFileAtomicReplacesWholeFile) {
  std::string dir = TempDir();
  std::string path = dir + "/sub/dir/file";
  ASSERT_TRUE(MakeDirs(DirName(path)).ok());
  ASSERT_TRUE(WriteFileAtomic(path, std::string_view("first version")).ok());
  ASSERT_TRUE(WriteFileAtomic(path, std::string_view("second")).ok());
  auto content = ReadWholeFile(path);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(*content, "second");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(std::system(("rm -rf " + dir).c_str()), 0);
}

TEST(FsUtilTest, ReadMissingFileIsNotFound) {
  EXPECT_EQ(ReadWholeFile("/nonexistent/reel/file").status().code(), Code::kNotFound);
}

TEST(FsUtilTest, PreadFullReportsShortFile) {
  std::string dir = TempDir();
  std::string path = dir + "/f";
  ASSERT_TRUE(WriteFileAtomic(path, std::string_view("abc")).ok());
  UniqueFd fd(::open(path.c_str(), O_RDONLY));
  char buf[8];
  EXPECT_TRUE(PreadFull(fd.get(), buf, 3, 0).ok());
  EXPECT_EQ(PreadFull(fd.get(), buf, 8, 0).code(), Code::kCorruption);
  EXPECT_EQ(std::system(("rm -rf " + dir).c_str()), 0);
}

}  // namespace
}  // namespace reel
