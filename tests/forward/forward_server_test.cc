// `reel server run` with [[forward]] tables: every event of the team's feed reaches a NATS
// JetStream stream, a Kafka topic (librdkafka's mock cluster, in this process) and a webhook,
// through a clean restart of the server, events made while it was down, and a SIGKILL (the next
// server takes over once the dead one's lease runs out): after dropping repeats by id, each
// consumer holds every event exactly once, in feed order.
#include <signal.h>
#include <sys/stat.h>

#include <httplib.h>

#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "catalog/catalog_test_util.h"
#include "catalog/pg_test_db.h"
#include "common/fs_util.h"
#include "sink_backends.h"
#include "team/team_directory.h"
#include "testing/free_port.h"
#include "testing/run_command.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace reel::testing {
namespace {

class ForwardServerTest : public PgDatabaseTest {
 protected:
  void SetUp() override {
    PgDatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    consumers_.emplace_back("nats", NatsBackend());
    consumers_.emplace_back("kafka", KafkaBackend());
    consumers_.emplace_back("webhook", WebhookBackend());
    if (std::string missing = consumers_[0].second->Missing(); !missing.empty()) {
      REEL_SKIP_UNLESS_REQUIRED("REEL_REQUIRE_NATS", missing);
    }
  }
  void TearDown() override {
    (void)Reel("server stop " + srv_);
    PgDatabaseTest::TearDown();
  }
  Outcome Reel(const std::string& args) {
    ScopedEnv config("XDG_CONFIG_HOME", (tmp_ / "admin").c_str());
    return RunCommand(std::string(REEL_BINARY) + " " + args, tmp_.path());
  }
  // The ids of the whole feed as the database holds it.
  std::vector<std::string> FeedIds() {
    auto team = TeamDirectory::Open(uri_);
    EXPECT_TRUE(team.ok()) << team.status().ToString();
    if (!team.ok()) return {};
    const std::string drive = (*team)->catalog().GetDriveId().value();
    auto page = (*team)->catalog().ReadEvents({.after = 0, .limit = 1});
    std::vector<std::string> out;
    for (uint64_t seq = 1; page.ok() && seq <= page->newest; ++seq) {
      out.push_back(drive + ":" + std::to_string(seq));
    }
    return out;
  }
  std::vector<std::string> DedupedIds(SinkBackend& consumer) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const Held& h : consumer.HeldMessages()) {
      if (seen.insert(h.id).second) out.push_back(h.id);
    }
    return out;
  }
  // Waits until every consumer holds the whole feed; says which did not.
  void ExpectEveryConsumerHasTheFeed(std::chrono::seconds timeout) {
    const std::vector<std::string> feed = FeedIds();
    ASSERT_FALSE(feed.empty());
    for (auto& [name, consumer] : consumers_) {
      std::vector<std::string> got;
      const bool all = WaitUntil(
          [&] {
            got = DedupedIds(*consumer);
            return got.size() >= feed.size();
          },
          timeout);
      EXPECT_TRUE(all) << name << " holds " << got.size() << " of " << feed.size() << " events";
      EXPECT_EQ(got, feed) << name << ": every event once, in feed order";
    }
  }
  void AddUsers(int from, int to) {
    for (int i = from; i < to; ++i) {
      Outcome added = Reel("server user add user" + std::to_string(i) + " --dir " + srv_);
      ASSERT_EQ(added.code, 0) << added.err;
    }
  }

  TempDir tmp_;
  std::string srv_ = tmp_ / "srv";
  std::vector<std::pair<std::string, std::unique_ptr<SinkBackend>>> consumers_;
};

TEST_F(ForwardServerTest, EveryEventReachesEachConsumerOnceThroughRestartsAndAKill) {
  ASSERT_EQ(Reel("server init " + srv_ + " --catalog '" + uri_ + "' --cloud file://" +
                 tmp_.path() + "/cloud --listen 127.0.0.1:0")
                .code,
            0);
  std::string tables;
  for (auto& [name, consumer] : consumers_) {
    ForwardTarget t = consumer->Target();
    tables += "\n[[forward]]\nname = \"" + name + "\"\nuri = \"" + t.uri + "\"\n";
    if (!t.secret.empty()) {
      ASSERT_OK(WriteFileAtomic(srv_ + "/hook.secret", t.secret + "\n", 0600));
      tables += "secret_file = \"hook.secret\"\n";
    }
  }
  const int metrics_port = FreeLoopbackPort();
  {
    std::ofstream toml(srv_ + "/server.toml", std::ios::app);
    toml << "\n[metrics]\nlisten = \"127.0.0.1:" << metrics_port << "\"\n" << tables;
  }
  Outcome run = Reel("server run " + srv_ + " --background");
  ASSERT_EQ(run.code, 0) << run.err;
  AddUsers(0, 4);  // each with a home workspace: an event each
  ExpectEveryConsumerHasTheFeed(std::chrono::seconds(30));
  // The server's /metrics: the feed's newest event, each forwarder caught up and held here.
  {
    httplib::Client c("127.0.0.1", metrics_port);
    auto res = c.Get("/metrics");
    ASSERT_TRUE(res);
    const std::string newest = std::to_string(FeedIds().size());
    EXPECT_NE(res->body.find("\nreel_events_newest " + newest + "\n"), std::string::npos)
        << res->body;
    for (auto& [name, consumer] : consumers_) {
      const std::string label = "{forward=\"" + name + "\"} ";
      EXPECT_NE(res->body.find("\nreel_forward_lag_events" + label + "0\n"), std::string::npos)
          << name;
      EXPECT_NE(res->body.find("\nreel_forward_cursor" + label + newest + "\n"),
                std::string::npos)
          << name;
      EXPECT_NE(res->body.find("\nreel_forward_holding" + label + "1\n"), std::string::npos)
          << name;
    }
  }

  // Stopped cleanly (its leases released), events made while no server runs, started again.
  ASSERT_EQ(Reel("server stop " + srv_).code, 0);
  AddUsers(4, 8);
  ASSERT_EQ(Reel("server run " + srv_ + " --background").code, 0);
  ExpectEveryConsumerHasTheFeed(std::chrono::seconds(30));

  // Killed: its leases run out (30 s) before the next server forwards.
  auto pid = ReadWholeFile(srv_ + "/server.pid");
  ASSERT_OK(pid.status());
  ASSERT_EQ(::kill(std::stoi(*pid), SIGKILL), 0);
  ASSERT_TRUE(WaitUntil([&] { return ::kill(std::stoi(*pid), 0) != 0; }, std::chrono::seconds(10)));
  AddUsers(8, 12);
  ASSERT_EQ(Reel("server run " + srv_ + " --background").code, 0);
  ExpectEveryConsumerHasTheFeed(std::chrono::seconds(60));

  // A webhook secret others can read is refused at start.
  ASSERT_EQ(Reel("server stop " + srv_).code, 0);
  ASSERT_EQ(::chmod((srv_ + "/hook.secret").c_str(), 0644), 0);
  Outcome refused = Reel("server run " + srv_);
  EXPECT_NE(refused.code, 0);
  EXPECT_NE(refused.err.find("readable by others"), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace reel::testing
