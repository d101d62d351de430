#include "service/drive_paths.h"

#include <gtest/gtest.h>

namespace reel {
namespace {

std::vector<VersionInfo> Numbered(std::initializer_list<uint64_t> numbers) {
  std::vector<VersionInfo> out;
  for (uint64_t n : numbers) {
    VersionInfo v;
    v.number = n;
    out.push_back(v);
  }
  return out;
}

TEST(DrivePathsTest, PathsFromOutsideAreCheckedAndNormalized) {
  EXPECT_EQ(ValidateMountRelativePath("a/../b").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ValidateMountRelativePath("..").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ValidateMountRelativePath(".reel").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ValidateMountRelativePath("/abs").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(*ValidateMountRelativePath("a//b/./c"), "a/b/c");
  EXPECT_EQ(*ValidateMountRelativePath("shots/.reelish"), "shots/.reelish");
  EXPECT_EQ(*ValidateMountRelativePath(""), "");
  EXPECT_EQ(ValidateDrivePath(std::string(4097, 'a')).status().code(), Code::kNameTooLong);
  EXPECT_EQ(ValidateDrivePath(std::string("a\0b", 3)).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(ValidateDrivePath("/abs").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(*ValidateDrivePath("shots//a.mov"), "shots/a.mov");
}

TEST(PathErrorsTest, InodeNumbersBecomeThePath) {
  Status s = NameThePath(Status::NotFound("inode 2 has no version 99"), "shots/a.mov");
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "shots/a.mov has no version 99");
  EXPECT_EQ(NameThePath(Status::IsDirectory("inode 1 is a directory"), "").message(),
            "/ is a directory");
  // Other messages get the path in front, unless they start with it already.
  EXPECT_EQ(NameThePath(Status::IOError("disk on fire"), "a").message(), "a: disk on fire");
  Status gone = NameThePath(Status::NotFound("no inode 52"), "s6/f");
  EXPECT_EQ(gone.code(), Code::kNotFound);
  EXPECT_EQ(gone.message(),
            "s6/f: no such file any more: it was deleted or replaced while the command ran");
  EXPECT_EQ(NameThePath(Status::NotFound("inode table"), "a").message(), "a: inode table");
  EXPECT_EQ(NameThePath(Status::NotFound("a: gone"), "a").message(), "a: gone");
  EXPECT_EQ(NameThePath(Status::IOError("disk on fire"), "a").code(), Code::kIOError);
  EXPECT_TRUE(NameThePath(Status::Ok(), "a").ok());
}

TEST(PathErrorsTest, AMissingVersionListsTheOnesThatExist) {
  Status s = NoSuchVersion("a.mov", 9, Numbered({4, 1, 2, 3, 7, 10, 11}));
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(),
            "a.mov has no version 9; it has versions 1-4, 7, 10-11: pick one of those");
  EXPECT_EQ(NoSuchVersion("a.mov", 2, Numbered({1})).message(),
            "a.mov has no version 2; it has version 1: pick one of those");
  EXPECT_NE(NoSuchVersion("a.mov", 1, {}).message().find("no versions yet"), std::string::npos);
}

}  // namespace
}  // namespace reel
