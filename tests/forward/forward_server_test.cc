// `reel server run` with [[forward]] tables: every event of the team's feed reaches a NATS
// JetStream stream, a Kafka topic (librdkafka's mock cluster, in this process) and a webhook,
// through a clean restart of the server, events made while it was down, and a SIGKILL (the next
// server takes over once the dead one's lease runs out): after dropping repeats by id, each
// consumer holds every event exactly once, in feed order.
#include <signal.h>
#include <sys/stat.h>

#include <httplib.h>

#include <fstream>

#include "forward_server_fixture.h"
#include "testing/free_port.h"

namespace reel::testing {
namespace {

TEST_F(ForwardServerTest, EveryEventReachesEachConsumerOnceThroughRestartsAndAKill) {
  ASSERT_EQ(Reel("server init " + srv_ + " --catalog '" + uri_ + "' --cloud file://" +
                 tmp_.path() + "/cloud --listen 127.0.0.1:0")
                .code,
            0);
  const std::string tables = ForwardTables(srv_);
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
