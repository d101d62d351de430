#include "api/runtime_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "common/fs_util.h"
#include "testing/temp_dir.h"

namespace reel {
namespace {

using testing::ScopedEnv;
using testing::TempDir;

TEST(RuntimeDirTest, PathFollowsXdgRuntimeDir) {
  TempDir tmp;
  {
    ScopedEnv xdg("XDG_RUNTIME_DIR", (tmp.path() + "/").c_str());
    EXPECT_EQ(RuntimeDirPath(), tmp / "reel");
  }
  {
    // Missing (a stale variable): the fallback, so `reel mount` works instead of failing.
    ScopedEnv xdg("XDG_RUNTIME_DIR", (tmp / "gone").c_str());
    EXPECT_EQ(RuntimeDirPath(), "/tmp/reel-" + std::to_string(::geteuid()));
  }
  {
    // Not a directory.
    const std::string file = tmp / "file";
    ASSERT_TRUE(WriteFileAtomic(file, std::string_view("x")).ok());
    ScopedEnv xdg("XDG_RUNTIME_DIR", file.c_str());
    EXPECT_EQ(RuntimeDirPath(), "/tmp/reel-" + std::to_string(::geteuid()));
  }
  if (::geteuid() == 0) {
    // Another user's (root after `su` from a user keeps the user's variable).
    const std::string theirs = tmp / "theirs";
    ASSERT_EQ(::mkdir(theirs.c_str(), 0700), 0);
    ASSERT_EQ(::chown(theirs.c_str(), 4321, 4321), 0);
    ScopedEnv xdg("XDG_RUNTIME_DIR", theirs.c_str());
    EXPECT_EQ(RuntimeDirPath(), "/tmp/reel-0");
  }
  {
    ScopedEnv xdg("XDG_RUNTIME_DIR", nullptr);
    EXPECT_EQ(RuntimeDirPath(), "/tmp/reel-" + std::to_string(::geteuid()));
  }
  {
    ScopedEnv xdg("XDG_RUNTIME_DIR", "relative");
    EXPECT_EQ(RuntimeDirPath(), "/tmp/reel-" + std::to_string(::geteuid()));
  }
}

TEST(RuntimeDirTest, EnsureCreatesAPrivateDirectory) {
  TempDir tmp;
  ScopedEnv xdg("XDG_RUNTIME_DIR", tmp.path().c_str());
  auto dir = EnsureRuntimeDir();
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_EQ(*dir, tmp / "reel");
  struct stat st;
  ASSERT_EQ(::lstat(dir->c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // A second call accepts the existing directory.
  EXPECT_TRUE(EnsureRuntimeDir().ok());
}

TEST(RuntimeDirTest, RefusesGroupOrWorldAccess) {
  TempDir tmp;
  std::string dir = tmp / "rt";
  for (mode_t mode : {0755, 0750, 0701, 0770, 0777}) {
    ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
    ASSERT_EQ(::chmod(dir.c_str(), mode), 0);
    Status s = EnsurePrivateDir(dir);
    EXPECT_EQ(s.code(), Code::kPermissionDenied) << std::oct << mode;
    EXPECT_NE(s.message().find("chmod 700"), std::string::npos) << s.message();
    // It is not "fixed" behind the user's back.
    struct stat st;
    ASSERT_EQ(::stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, mode);
    ASSERT_EQ(::rmdir(dir.c_str()), 0);
  }
}

TEST(RuntimeDirTest, RefusesSymlinksAndFiles) {
  TempDir tmp;
  ASSERT_EQ(::mkdir((tmp / "real").c_str(), 0700), 0);
  ASSERT_EQ(::symlink((tmp / "real").c_str(), (tmp / "link").c_str()), 0);
  Status s = EnsurePrivateDir(tmp / "link");
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_NE(s.message().find("symbolic link"), std::string::npos) << s.message();
  ASSERT_TRUE(WriteFileAtomic(tmp / "file", std::string_view("x")).ok());
  EXPECT_EQ(EnsurePrivateDir(tmp / "file").code(), Code::kPermissionDenied);
  EXPECT_TRUE(EnsurePrivateDir(tmp / "real").ok());
}

TEST(RuntimeDirTest, RefusesADirectoryOwnedBySomeoneElse) {
  // Root gives a directory of its own away; anyone else finds one of root's (the root directory).
  TempDir tmp;
  std::string dir = "/";
  uid_t owner = 0;
  if (::geteuid() == 0) {
    dir = tmp / "theirs";
    owner = 65534;
    ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
    ASSERT_EQ(::chown(dir.c_str(), owner, owner), 0);
  }
  Status s = EnsurePrivateDir(dir);
  EXPECT_EQ(s.code(), Code::kPermissionDenied);
  EXPECT_NE(s.message().find("owned by uid " + std::to_string(owner)), std::string::npos)
      << s.message();
}

TEST(RuntimeDirTest, MissingParentIsAnError) {
  EXPECT_FALSE(EnsurePrivateDir("/nonexistent/parent/reel").ok());
}

}  // namespace
}  // namespace reel
