// A soak of the change feed: 10,000 changes to a team workspace, made by four writers through
// two `reel server` processes on one database, while one of the servers (and the forwarders it
// runs) is killed with SIGKILL at random and started again, over and over. Every change is made
// exactly once (a retried call carries its request id); a follower of the workspace's feed
// through the servers (FeedFollower, as a mount follows it) sees each of the workspace's events
// once and in order, resuming from its cursor across the restarts; and the NATS JetStream, Kafka
// and webhook consumers hold the whole feed exactly once after dropping repeats by id. Zero gaps
// anywhere.
#include <signal.h>

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

class SoakTest : public ForwardServerTest {
 protected:
  void SetUp() override {
    ForwardServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    servers_.push_back(srv_b_);
    for (int s = 0; s < 2; ++s) {
      ports_[s] = FreeLoopbackPort();
      Outcome init = Reel("server init " + Dir(s) + " --catalog '" + uri_ + "' --cloud file://" +
                          tmp_.path() + "/cloud --listen 127.0.0.1:" + std::to_string(ports_[s]));
      ASSERT_EQ(init.code, 0) << init.err;
      std::ofstream(Dir(s) + "/server.toml", std::ios::app) << ForwardTables(Dir(s));
    }
    ASSERT_EQ(Reel("server user add alice --dir " + srv_).code, 0);
    Outcome token = Reel("server token create alice --dir " + srv_ + " --json");
    ASSERT_EQ(token.code, 0) << token.err;
    token_ = nlohmann::json::parse(token.out).at("token").get<std::string>();
    for (int s = 0; s < 2; ++s) StartServer(s);
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
  int ports_[2] = {0, 0};
  std::string token_;
};

TEST_F(SoakTest, TenThousandChangesThroughRandomKillsLeaveNoGapAtAnyConsumer) {
  ASSERT_OK(TeamClient(Client(0)).CreateWorkspace("show").status());

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
  // Chaos: a random server killed every 0.2 to 1.2 s, started again 0 to 0.3 s later, until the
  // writers are done (and at least six times).
  std::mt19937 rng(std::random_device{}());
  int kills = 0;
  while (writing.load() > 0 || kills < 6) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng() % 1000));
    const int s = static_cast<int>(rng() % 2);
    KillServer(s);
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 300));
    StartServer(s);
    ++kills;
    if (HasFatalFailure()) break;
  }
  for (std::thread& t : writers) t.join();
  ASSERT_FALSE(HasFatalFailure());
  RecordProperty("server_kills", kills);

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
  std::cerr << "soak: " << expected.size() << " events of the workspace, " << kills
            << " server kills\n";
}

}  // namespace
}  // namespace reel::testing
