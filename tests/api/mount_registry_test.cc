#include "api/mount_registry.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "common/fs_util.h"
#include "testing/temp_dir.h"

namespace reel {
namespace {

using testing::TempDir;

// A child process that lives until the object goes away.
class LiveProcess {
 public:
  LiveProcess() {
    pid_ = ::fork();
    if (pid_ == 0) {
      for (;;) ::pause();
    }
  }
  ~LiveProcess() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
};

pid_t DeadPid() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

class MountRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::mkdir((tmp_ / "rt").c_str(), 0700), 0);
    ASSERT_TRUE(MakeDirs(tmp_ / "mnt/a/sub/b/deep").ok());
    ASSERT_TRUE(MakeDirs(tmp_ / "elsewhere").ok());
  }

  MountRecord Record(const std::string& mountpoint, pid_t pid) {
    MountRecord r;
    r.mountpoint = mountpoint;
    r.pid = pid;
    r.socket_path = registry_.SocketPathFor(pid);
    r.drive_dir = tmp_ / "drive";
    r.drive_id = "3b1f0c9e-8d7a-4f21-9c55-0a1b2c3d4e5f";
    auto start = ProcessStartTime(pid);
    r.start_time = start.ok() ? *start : 0;
    return r;
  }

  TempDir tmp_;
  MountRegistry registry_{tmp_ / "rt"};
};

TEST_F(MountRegistryTest, RegisterListUnregister) {
  MountRecord r = Record(tmp_ / "mnt/a", ::getpid());
  ASSERT_TRUE(registry_.Register(r).ok());
  struct stat st;
  ASSERT_EQ(::stat(registry_.RecordPathFor(::getpid()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto list = registry_.List();
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].mountpoint, r.mountpoint);
  EXPECT_EQ((*list)[0].socket_path, r.socket_path);
  EXPECT_EQ((*list)[0].pid, r.pid);
  EXPECT_EQ((*list)[0].drive_dir, r.drive_dir);
  EXPECT_EQ((*list)[0].drive_id, r.drive_id);
  EXPECT_EQ((*list)[0].start_time, r.start_time);
  ASSERT_TRUE(registry_.Unregister(::getpid()).ok());
  EXPECT_TRUE(registry_.List()->empty());
  EXPECT_TRUE(registry_.Unregister(::getpid()).ok());  // idempotent
}

TEST_F(MountRegistryTest, FindMountForPicksTheLongestMountpointPrefix) {
  LiveProcess other;
  // Both ways round, so the order in which records are listed cannot decide the answer.
  for (bool swap : {false, true}) {
    pid_t outer_pid = swap ? other.pid() : ::getpid();
    pid_t inner_pid = swap ? ::getpid() : other.pid();
    ASSERT_TRUE(registry_.Register(Record(tmp_ / "mnt/a", outer_pid)).ok());
    ASSERT_TRUE(registry_.Register(Record(tmp_ / "mnt/a/sub/b", inner_pid)).ok());

    auto deep = registry_.FindMountFor(tmp_ / "mnt/a/sub/b/deep");
    ASSERT_TRUE(deep.ok()) << deep.status().ToString();
    EXPECT_EQ(deep->record.pid, inner_pid);
    EXPECT_EQ(deep->relative_path, "deep");

    auto outer = registry_.FindMountFor(tmp_ / "mnt/a/sub");
    ASSERT_TRUE(outer.ok()) << outer.status().ToString();
    EXPECT_EQ(outer->record.pid, outer_pid);
    EXPECT_EQ(outer->relative_path, "sub");

    // The mountpoint itself is the drive root.
    auto root = registry_.FindMountFor(tmp_ / "mnt/a/sub/b");
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(root->record.pid, inner_pid);
    EXPECT_EQ(root->relative_path, "");

    ASSERT_TRUE(registry_.Unregister(outer_pid).ok());
    ASSERT_TRUE(registry_.Unregister(inner_pid).ok());
  }

  // A sibling whose name merely starts with the mountpoint's is not inside it.
  ASSERT_TRUE(registry_.Register(Record(tmp_ / "mnt/a", ::getpid())).ok());
  ASSERT_TRUE(MakeDirs(tmp_ / "mnt/ab").ok());
  EXPECT_EQ(registry_.FindMountFor(tmp_ / "mnt/ab").status().code(), Code::kNotFound);
}

TEST_F(MountRegistryTest, FindMountForResolvesRelativeMissingAndSymlinkedPaths) {
  ASSERT_TRUE(registry_.Register(Record(tmp_ / "mnt/a", ::getpid())).ok());

  // A file that does not exist yet: resolved through its parent.
  auto missing = registry_.FindMountFor(tmp_ / "mnt/a/sub/new.exr");
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_EQ(missing->relative_path, "sub/new.exr");
  // Nor its parent: through the nearest ancestor that exists (the drive then says what is missing).
  auto deeper = registry_.FindMountFor(tmp_ / "mnt/a/sub/new/dir/x.exr");
  ASSERT_TRUE(deeper.ok()) << deeper.status().ToString();
  EXPECT_EQ(deeper->relative_path, "sub/new/dir/x.exr");

  // Through a symlink from outside.
  ASSERT_EQ(::symlink((tmp_ / "mnt/a/sub").c_str(), (tmp_ / "elsewhere/link").c_str()), 0);
  auto linked = registry_.FindMountFor(tmp_ / "elsewhere/link/b");
  ASSERT_TRUE(linked.ok()) << linked.status().ToString();
  EXPECT_EQ(linked->relative_path, "sub/b");

  // Relative to the current directory, and "." (the default of the CLI).
  char cwd[4096];
  ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
  ASSERT_EQ(::chdir((tmp_ / "mnt/a/sub").c_str()), 0);
  auto rel = registry_.FindMountFor("b/deep");
  auto dot = registry_.FindMountFor(".");
  auto dotdot = registry_.FindMountFor("..");
  ASSERT_EQ(::chdir(cwd), 0);
  ASSERT_TRUE(rel.ok()) << rel.status().ToString();
  EXPECT_EQ(rel->relative_path, "sub/b/deep");
  ASSERT_TRUE(dot.ok());
  EXPECT_EQ(dot->relative_path, "sub");
  ASSERT_TRUE(dotdot.ok());  // ".." that exists resolves to a real directory: fine
  EXPECT_EQ(dotdot->relative_path, "");
}

TEST_F(MountRegistryTest, PathOutsideAnyMountIsNotFound) {
  ASSERT_TRUE(registry_.Register(Record(tmp_ / "mnt/a", ::getpid())).ok());
  auto r = registry_.FindMountFor(tmp_ / "elsewhere");
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_NE(r.status().message().find("not inside a mounted reel drive"), std::string::npos);
  EXPECT_NE(r.status().message().find("(mounted here: " + tmp_ / "mnt/a" + ")"), std::string::npos)
      << r.status().message();
  // No mounts at all.
  ASSERT_TRUE(registry_.Unregister(::getpid()).ok());
  Status none = registry_.FindMountFor(tmp_ / "mnt/a").status();
  EXPECT_EQ(none.code(), Code::kNotFound);
  EXPECT_NE(none.message().find("no drive is mounted (start one with `reel mount`)"),
            std::string::npos) << none.message();
  // A path that does not exist, nor its parent.
  EXPECT_EQ(registry_.FindMountFor(tmp_ / "no/such/dir").status().code(), Code::kNotFound);
}

TEST_F(MountRegistryTest, StaleRecordsAreRemoved) {
  pid_t dead = DeadPid();
  MountRecord r = Record(tmp_ / "mnt/a", dead);
  ASSERT_TRUE(registry_.Register(r).ok());
  ASSERT_TRUE(WriteFileAtomic(registry_.SocketPathFor(dead), std::string_view("")).ok());
  ASSERT_TRUE(Exists(registry_.RecordPathFor(dead)));

  EXPECT_EQ(registry_.FindMountFor(tmp_ / "mnt/a/sub").status().code(), Code::kNotFound);
  EXPECT_FALSE(Exists(registry_.RecordPathFor(dead)));
  EXPECT_FALSE(Exists(registry_.SocketPathFor(dead)));
}

TEST_F(MountRegistryTest, ReusedPidIsStale) {
  MountRecord r = Record(tmp_ / "mnt/a", ::getpid());
  r.start_time += 12345;  // the process that registered was another one with our pid
  ASSERT_TRUE(registry_.Register(r).ok());
  EXPECT_TRUE(registry_.List()->empty());
  EXPECT_FALSE(Exists(registry_.RecordPathFor(::getpid())));
}

TEST_F(MountRegistryTest, CorruptRecordsAreRemoved) {
  std::string bogus = registry_.RecordPathFor(::getpid());
  ASSERT_TRUE(WriteFileAtomic(bogus, std::string_view("{not json")).ok());
  ASSERT_TRUE(WriteFileAtomic(tmp_ / "rt/unrelated.json", std::string_view("{}")).ok());
  EXPECT_TRUE(registry_.List()->empty());
  EXPECT_FALSE(Exists(bogus));
  EXPECT_TRUE(Exists(tmp_ / "rt/unrelated.json"));  // only mount-<pid>.json is ours
}

TEST_F(MountRegistryTest, SecondLiveMountOfTheSameMountpointIsRefused) {
  LiveProcess other;
  ASSERT_TRUE(registry_.Register(Record(tmp_ / "mnt/a", other.pid())).ok());
  EXPECT_EQ(registry_.Register(Record(tmp_ / "mnt/a", ::getpid())).code(),
            Code::kAlreadyExists);
  // Re-registering the same process is fine.
  EXPECT_TRUE(registry_.Register(Record(tmp_ / "mnt/a", other.pid())).ok());
}

TEST_F(MountRegistryTest, DotDotAndDotReelAreRejected) {
  ASSERT_TRUE(registry_.Register(Record(tmp_ / "mnt/a", ::getpid())).ok());
  // ".." below a directory that does not exist cannot be resolved: rejected, not guessed.
  auto up = registry_.FindMountFor(tmp_ / "mnt/a/missing/..");
  EXPECT_EQ(up.status().code(), Code::kInvalidArgument) << up.status().ToString();

  ASSERT_TRUE(MakeDirs(tmp_ / "mnt/a/.reel/versions").ok());
  auto virt = registry_.FindMountFor(tmp_ / "mnt/a/.reel/versions");
  EXPECT_EQ(virt.status().code(), Code::kInvalidArgument);
  EXPECT_NE(virt.status().message().find(".reel"), std::string::npos);
}

TEST(ProcessStartTimeTest, KnowsLiveAndDeadProcesses) {
  auto self = ProcessStartTime(::getpid());
  ASSERT_TRUE(self.ok());
  EXPECT_GT(*self, 0u);
  EXPECT_FALSE(ProcessStartTime(DeadPid()).ok());
  MountRecord r;
  r.pid = ::getpid();
  EXPECT_TRUE(IsMountProcessAlive(r));
  r.pid = DeadPid();
  EXPECT_FALSE(IsMountProcessAlive(r));
}

}  // namespace
}  // namespace reel
