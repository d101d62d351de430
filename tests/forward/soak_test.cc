// A soak of the change feed: 10,000 changes to a team workspace, made by four writers through
// two `reel server` processes on one database and by a real mount (FUSE, the cloud tier on the
// Ceph S3 gateway of REEL_TEST_S3_URI), while one of the servers (and the forwarders it runs) or
// the mount is killed with SIGKILL at random and started again, over and over. Every change is
// made exactly once (a retried call carries its request id); every file the mount acknowledged
// (fsync) reads back whole once it is mounted again; a follower of the workspace's feed through
// the servers (FeedFollower, as a mount follows it) sees each of the workspace's events once and
// in order, resuming from its cursor across the restarts; and the NATS JetStream, Kafka and
// webhook consumers hold the whole feed exactly once after dropping repeats by id. Zero gaps
// anywhere.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "common/clock.h"
#include "forward_server_fixture.h"
#include "remote/feed_follower.h"
#include "remote/remote_catalog.h"
#include "testing/free_port.h"

namespace reel::testing {
namespace {

constexpr int kWriters = 4;
constexpr int kFilesPerWriter = 1250;  // a create and a commit each: 10,000 changes

// What the mount writes as file i.
std::string MountContent(int i) { return "take " + std::to_string(i) + std::string(1000 + i, 'x'); }

// Whether `path` is a mount point (another device than its parent).
bool MountPoint(const std::string& path) {
  struct stat here {}, up {};
  if (::stat(path.c_str(), &here) != 0 || ::stat((path + "/..").c_str(), &up) != 0) return false;
  return here.st_dev != up.st_dev;
}

class SoakTest : public ForwardServerTest {
 protected:
  void SetUp() override {
    ForwardServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const char* s3 = std::getenv("REEL_TEST_S3_URI");
    if (s3 == nullptr || *s3 == '\0') {
      REEL_SKIP_UNLESS_REQUIRED("REEL_REQUIRE_CEPH", "no S3 gateway (REEL_TEST_S3_URI)");
    }
    if (::geteuid() != 0 || ::access("/dev/fuse", R_OK | W_OK) != 0) {
      REEL_SKIP_UNLESS_REQUIRED("REEL_REQUIRE_FUSE", "no usable /dev/fuse as root");
    }
    const std::string uri(s3);
    const size_t q = uri.find('?');
    const std::string cloud = uri.substr(0, q) + "/soak-" + std::to_string(::getpid()) + "-" +
                              std::to_string(WallClockNs() % 1'000'000'000) +
                              (q == std::string::npos ? "" : uri.substr(q));
    servers_.push_back(srv_b_);
    for (int s = 0; s < 2; ++s) {
      ports_[s] = FreeLoopbackPort();
      Outcome init = Reel("server init " + Dir(s) + " --catalog '" + uri_ + "' --cloud '" +
                          cloud + "' --listen 127.0.0.1:" + std::to_string(ports_[s]));
      ASSERT_EQ(init.code, 0) << init.err;
      std::ofstream(Dir(s) + "/server.toml", std::ios::app) << ForwardTables(Dir(s));
    }
    ASSERT_EQ(Reel("server user add alice --dir " + srv_).code, 0);
    Outcome token = Reel("server token create alice --dir " + srv_ + " --json");
    ASSERT_EQ(token.code, 0) << token.err;
    token_ = nlohmann::json::parse(token.out).at("token").get<std::string>();
    for (int s = 0; s < 2; ++s) StartServer(s);
    ASSERT_OK(WriteFileAtomic(tmp_ / "token", token_ + "\n", 0600));
    ASSERT_EQ(::mkdir(mnt_.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(run_.c_str(), 0700), 0);
    Outcome login = RunCommand(AsAlice() + "login " + Client(0).url, tmp_.path(), tmp_ / "token");
    ASSERT_EQ(login.code, 0) << login.err;
  }
  void TearDown() override {
    if (MountPoint(mnt_)) {
      (void)RunCommand(AsAlice() + "umount " + mnt_, tmp_.path());
      if (MountPoint(mnt_)) (void)RunCommand("fusermount3 -uz " + mnt_, tmp_.path());
    }
    ForwardServerTest::TearDown();
  }

  // A reel command as alice on her machine, which holds no store credentials.
  std::string AsAlice() const {
    return "env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u CEPH_CONF "
           "XDG_CONFIG_HOME=" + tmp_.path() + "/alice XDG_DATA_HOME=" + tmp_.path() +
           "/alice-data XDG_RUNTIME_DIR=" + run_ + " " + std::string(REEL_BINARY) + " ";
  }
  void Mount() {
    Outcome m = RunCommand(AsAlice() + "mount " + mnt_ + " --workspace show --background",
                           tmp_.path());
    ASSERT_EQ(m.code, 0) << m.err;
    ASSERT_TRUE(MountPoint(mnt_));
  }
  // kill -9 of the mount, the dead mount point detached and its record gone, mounted again.
  void KillMount() {
    std::string record;
    int pid = 0;
    if (DIR* d = ::opendir((run_ + "/reel").c_str())) {
      while (dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name.size() < 6 || name.substr(name.size() - 5) != ".json") continue;
        auto text = ReadWholeFile(run_ + "/reel/" + name);
        if (!text.ok()) continue;
        auto j = nlohmann::json::parse(*text, nullptr, false);
        if (j.is_object() && j.contains("pid")) {
          pid = j["pid"].get<int>();
          record = run_ + "/reel/" + name;
        }
      }
      ::closedir(d);
    }
    ASSERT_GT(pid, 0) << "no record of the mount in " << run_;
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    ASSERT_TRUE(WaitUntil([&] { return ::kill(pid, 0) != 0; }, std::chrono::seconds(20)));
    (void)RunCommand("fusermount3 -uz " + mnt_, tmp_.path());
    ::unlink(record.c_str());
    ASSERT_FALSE(MountPoint(mnt_));
    Mount();
  }
  // Writes files f0, f1... in the mount's directory m, each with fsync, until `stop`; a file whose
  // write or fsync failed (the mount was killed) is written again once the mount is back.
  // `written`: how many were acknowledged.
  void MountWriter(const std::atomic<bool>& stop, std::atomic<int>& written) {
    int dir = -1;
    for (int i = 0; !stop.load();) {
      if (dir < 0) {  // through the mount only: a dead one's directory fd answers ENOTCONN
        dir = ::open((mnt_ + "/m").c_str(), O_RDONLY | O_DIRECTORY);
        if (dir < 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));  // mounted again soon
          continue;
        }
      }
      const std::string name = "f" + std::to_string(i), content = MountContent(i);
      const int fd = ::openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      bool acked = fd >= 0 &&
                   ::write(fd, content.data(), content.size()) ==
                       static_cast<ssize_t>(content.size()) &&
                   ::fsync(fd) == 0;
      if (fd >= 0) ::close(fd);
      if (acked) {
        written.store(++i);
      } else {
        ::close(dir);
        dir = -1;
      }
    }
    if (dir >= 0) ::close(dir);
  }

  std::string Dir(int s) const { return s == 0 ? srv_ : srv_b_; }
  TeamClientOptions Client(int s) const {
    TeamClientOptions o;
    o.url = "http://127.0.0.1:" + std::to_string(ports_[s]);
    o.token = token_;
    o.retry_for = std::chrono::seconds(120);  // through any number of restarts
    return o;
  }
  void StartServer(int s) {
    Outcome run = Reel("server run " + Dir(s) + " --background");
    ASSERT_EQ(run.code, 0) << run.err;
  }
  void KillServer(int s) {
    auto pid = ReadWholeFile(Dir(s) + "/server.pid");
    ASSERT_OK(pid.status());
    const int p = std::stoi(*pid);
    ASSERT_EQ(::kill(p, SIGKILL), 0);
    ASSERT_TRUE(WaitUntil([&] { return ::kill(p, 0) != 0; }, std::chrono::seconds(20)))
        << "server " << p << " is still there";
  }

  // Makes writer `w`'s directory and files, each with one version, through server w % 2.
  void Write(int w) {
    RemoteCatalog cat(Client(w % 2), "show");
    auto dir = cat.CreateNode(kRootInode, "w" + std::to_string(w),
                              NewNode{FileType::kDirectory, 0755, 0, 0, {}}, WallClockNs());
    ASSERT_OK(dir.status());
    for (int i = 0; i < kFilesPerWriter; ++i) {
      auto f = cat.CreateNode(dir->ino, "f" + std::to_string(i),
                              NewNode{FileType::kRegular, 0644, 0, 0, {}}, WallClockNs());
      ASSERT_OK(f.status());
      NewVersion v = VersionOf({{TestChunk(static_cast<uint32_t>(w * 100000 + i)), 10}});
      v.base = 0;
      ASSERT_OK(cat.CommitVersion(f->ino, v, WallClockNs()).status());
    }
  }

  // The seqs of the workspace's events, as the database holds them.
  std::vector<uint64_t> WorkspaceSeqs(uint64_t after) {
    auto team = TeamDirectory::Open(uri_);
    EXPECT_TRUE(team.ok()) << team.status().ToString();
    std::vector<uint64_t> out;
    if (!team.ok()) return out;
    for (;;) {
      auto page = (*team)->catalog().ReadEvents(
          {.after = after, .limit = kMaxEventsPerRead, .scope = "show"});
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok() || page->events.empty()) return out;
      for (const ChangeEvent& e : page->events) out.push_back(e.seq);
      after = page->events.back().seq;
    }
  }

  std::string srv_b_ = tmp_ / "srv-b";
  std::string mnt_ = tmp_ / "mnt";
  std::string run_ = tmp_ / "run";
  int ports_[2] = {0, 0};
  std::string token_;
};

TEST_F(SoakTest, TenThousandChangesThroughRandomKillsLeaveNoGapAtAnyConsumer) {
  ASSERT_OK(TeamClient(Client(0)).CreateWorkspace("show").status());
  Mount();
  ASSERT_EQ(::mkdir((mnt_ + "/m").c_str(), 0755), 0);

  // A follower of the workspace's feed through server b, as a mount follows it.
  std::mutex mu;
  std::vector<uint64_t> followed;  // guarded by mu
  bool missed = false;             // guarded by mu
  FeedFollower follower(Client(1), "show");
  ASSERT_OK(follower.Start([&](const std::vector<ChangeEvent>& events, bool gap) {
    std::lock_guard lock(mu);
    missed = missed || gap;
    for (const ChangeEvent& e : events) followed.push_back(e.seq);
  }));
  const uint64_t start = follower.cursor();

  std::atomic<int> writing{kWriters};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      Write(w);
      --writing;
    });
  }
  std::atomic<bool> mount_stop{false};
  std::atomic<int> mount_files{0};
  std::thread mount_writer([&] { MountWriter(mount_stop, mount_files); });
  // Chaos: every 0.2 to 1.2 s a server (started again 0 to 0.3 s later) or, one time in three,
  // the mount (while it writes) is killed, until the writers are done, with at least six server
  // kills and three mount kills.
  std::mt19937 rng(std::random_device{}());
  int server_kills = 0, mount_kills = 0;
  while (writing.load() > 0 || server_kills < 6 || mount_kills < 3) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng() % 1000));
    if (rng() % 3 == 0) {
      KillMount();
      ++mount_kills;
    } else {
      const int s = static_cast<int>(rng() % 2);
      KillServer(s);
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 300));
      StartServer(s);
      ++server_kills;
    }
    if (HasFatalFailure()) break;
  }
  for (std::thread& t : writers) t.join();
  mount_stop = true;
  mount_writer.join();
  ASSERT_FALSE(HasFatalFailure());

  // Every file the mount acknowledged, whole.
  Outcome synced = RunCommand(AsAlice() + "sync " + mnt_, tmp_.path());
  EXPECT_EQ(synced.code, 0) << synced.err;
  ASSERT_GT(mount_files.load(), 0);
  for (int i = 0; i < mount_files.load(); ++i) {
    auto text = ReadWholeFile(mnt_ + "/m/f" + std::to_string(i));
    ASSERT_TRUE(text.ok()) << "f" << i << ": " << text.status().ToString();
    EXPECT_EQ(*text, MountContent(i)) << "f" << i;
  }

  // Every change made exactly once: each file has one version.
  {
    auto team = TeamDirectory::Open(uri_);
    ASSERT_OK(team.status());
    Catalog& all = (*team)->catalog();
    ASSERT_OK_AND_ASSIGN(Attributes show, all.Lookup(kRootInode, "show"));
    for (int w = 0; w < kWriters; ++w) {
      ASSERT_OK_AND_ASSIGN(Attributes dir, all.Lookup(show.ino, "w" + std::to_string(w)));
      int files = 0, single = 0;
      for (uint64_t after = 0;;) {
        ASSERT_OK_AND_ASSIGN(auto entries, all.ReadDir(dir.ino, after, 1000));
        if (entries.empty()) break;
        for (const DirEntry& e : entries) {
          ++files;
          single += e.attr.version == 1 ? 1 : 0;
          after = e.cookie;
        }
      }
      EXPECT_EQ(files, kFilesPerWriter) << "writer " << w;
      EXPECT_EQ(single, kFilesPerWriter) << "writer " << w << ": files with exactly one version";
    }
  }

  // The follower: every event of the workspace once, in order.
  const std::vector<uint64_t> expected = WorkspaceSeqs(start);
  ASSERT_GE(expected.size(), static_cast<size_t>(2 * kWriters * kFilesPerWriter));
  std::vector<uint64_t> got;
  const bool caught_up = WaitUntil(
      [&] {
        std::lock_guard lock(mu);
        got = followed;
        return got.size() >= expected.size();
      },
      std::chrono::seconds(60));
  EXPECT_TRUE(caught_up) << "the follower has " << got.size() << " of " << expected.size();
  EXPECT_EQ(got, expected) << "the follower: every event of the workspace once, in order";
  {
    std::lock_guard lock(mu);
    EXPECT_FALSE(missed);
  }
  follower.Stop();

  // The data platform: the whole feed at every consumer, once each after dedup by id.
  ExpectEveryConsumerHasTheFeed(std::chrono::seconds(120));
  std::cerr << "soak: " << expected.size() << " events of the workspace, " << server_kills
            << " server kills, " << mount_kills << " mount kills, " << mount_files.load()
            << " files written on the mount\n";
}

}  // namespace
}  // namespace reel::testing
