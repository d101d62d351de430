// The reel binary end to end: init, mount --background over real FUSE, the version commands
// through the control API, a busy umount, umount. Skipped where FUSE cannot be used.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/fs_util.h"
#include "testing/require.h"
#include "testing/run_command.h"
#include "testing/temp_dir.h"

namespace reel {
namespace {

using nlohmann::json;
using testing::Outcome;
using testing::ScopedEnv;
using testing::TempDir;

class CliMountTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access("/dev/fuse", R_OK | W_OK) != 0 || std::system("command -v fusermount3 >/dev/null") != 0) {
      REEL_SKIP_UNLESS_REQUIRED("REEL_REQUIRE_FUSE",
                                "FUSE is not usable here (/dev/fuse, fusermount3)");
    }
    ASSERT_EQ(::mkdir((tmp_ / "rt").c_str(), 0700), 0);
    ASSERT_EQ(::mkdir((tmp_ / "mnt").c_str(), 0755), 0);
    mnt_ = tmp_ / "mnt";
  }

  void TearDown() override {
    if (!mnt_.empty()) (void)std::system(("fusermount3 -u '" + mnt_ + "' 2>/dev/null").c_str());
  }

  Outcome Reel(const std::string& args) {
    return testing::RunCommand(std::string(REEL_BINARY) + " " + args, tmp_.path());
  }

  bool Mounted() {
    auto mounts = ReadWholeFile("/proc/self/mounts");
    return mounts.ok() && mounts->find(" " + mnt_ + " ") != std::string::npos;
  }

  TempDir tmp_;
  ScopedEnv runtime_{"XDG_RUNTIME_DIR", tmp_.path().c_str()};
  std::string mnt_;
};

TEST_F(CliMountTest, InitMountVersionsUmount) {
  std::string drive = tmp_ / "drive";
  Outcome init = Reel("init " + drive + " --json");
  ASSERT_EQ(init.code, 0) << init.err;
  json ij = json::parse(init.out);
  EXPECT_EQ(ij["dir"], drive);
  EXPECT_EQ(ij["chunking"], "fastcdc");

  Outcome again = Reel("init " + drive);
  EXPECT_EQ(again.code, 1);
  EXPECT_EQ(again.err.rfind("reel: ", 0), 0u) << again.err;
  EXPECT_NE(again.err.find("refusing to overwrite"), std::string::npos);

  Outcome mount = Reel("mount " + mnt_ + " --drive " + drive + " --background");
  ASSERT_EQ(mount.code, 0) << mount.err;
  EXPECT_EQ(mount.out, mnt_ + "\n");
  EXPECT_TRUE(Mounted());

  { std::ofstream(mnt_ + "/take.exr") << "first take"; }
  ASSERT_EQ(Reel("sync " + mnt_).code, 0);
  { std::ofstream(mnt_ + "/take.exr") << "second take, longer"; }
  Outcome save = Reel("save " + mnt_ + "/take.exr -m 'director notes' --json");
  ASSERT_EQ(save.code, 0) << save.err;
  json sj = json::parse(save.out);
  EXPECT_EQ(sj["message"], "director notes");
  EXPECT_EQ(sj["kind"], "checkpoint");

  Outcome versions = Reel("versions " + mnt_ + "/take.exr --json");
  ASSERT_EQ(versions.code, 0) << versions.err;
  json vj = json::parse(versions.out);
  ASSERT_GE(vj["versions"].size(), 2u);
  EXPECT_EQ(vj["versions"][0]["size"], 10);

  Outcome table = Reel("versions " + mnt_ + "/take.exr");
  ASSERT_EQ(table.code, 0);
  EXPECT_EQ(table.out.rfind("VERSION  TIME", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("director notes"), std::string::npos);

  // From inside the mount, with a relative path.
  char cwd[4096];
  ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
  ASSERT_EQ(::chdir(mnt_.c_str()), 0);
  Outcome restore = Reel("restore take.exr --version 1");
  ASSERT_EQ(::chdir(cwd), 0);
  ASSERT_EQ(restore.code, 0) << restore.err;
  EXPECT_EQ(ReadWholeFile(mnt_ + "/take.exr").value(), "first take");

  Outcome missing = Reel("versions " + mnt_ + "/nope.exr");
  EXPECT_EQ(missing.code, 1);
  EXPECT_EQ(missing.err.rfind("reel: ", 0), 0u);

  // Busy: a directory is open inside the mount.
  ASSERT_EQ(::mkdir((mnt_ + "/dir").c_str(), 0755), 0);
  int fd = ::open((mnt_ + "/dir").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  Outcome busy = Reel("umount " + mnt_);
  ::close(fd);
  EXPECT_EQ(busy.code, 1);
  EXPECT_NE(busy.err.find("busy"), std::string::npos) << busy.err;
  EXPECT_TRUE(Mounted());

  Outcome umount = Reel("umount " + mnt_);
  ASSERT_EQ(umount.code, 0) << umount.err;
  EXPECT_FALSE(Mounted());
  EXPECT_EQ(Reel("versions " + mnt_ + "/take.exr").code, 1);

  // Mounted again, the versions are still there.
  ASSERT_EQ(Reel("mount " + mnt_ + " --drive " + drive + " --background").code, 0);
  Outcome after = Reel("versions " + mnt_ + "/take.exr --json");
  ASSERT_EQ(after.code, 0) << after.err;
  EXPECT_GE(json::parse(after.out)["versions"].size(), 3u);
  ASSERT_EQ(Reel("umount " + mnt_).code, 0);
}

TEST_F(CliMountTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Reel("").code, 2);
  EXPECT_EQ(Reel("restore x").code, 2);              // --version missing
  EXPECT_EQ(Reel("restore x --version 0").code, 2);  // not positive
  EXPECT_EQ(Reel("init " + tmp_.path() + "/d --policy sometimes").code, 2);
  Outcome size = Reel("init " + tmp_.path() + "/d --fixed-size 12XB");
  EXPECT_EQ(size.code, 2);
  EXPECT_NE(size.err.find("--fixed-size"), std::string::npos);
  EXPECT_EQ(Reel("--help").code, 0);
}

}  // namespace
}  // namespace reel
