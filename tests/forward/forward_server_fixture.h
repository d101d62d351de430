// The fixture of the tests that run `reel server` processes with [[forward]] tables on a new
// database of the real PostgreSQL (REEL_TEST_PG_URI): consumers on a real NATS server with
// JetStream, librdkafka's mock Kafka cluster and a webhook receiver, and the checks that each
// holds the whole feed exactly once, in feed order, after dropping repeats by id.
#pragma once

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "catalog/catalog_test_util.h"
#include "catalog/pg_test_db.h"
#include "common/fs_util.h"
#include "sink_backends.h"
#include "team/team_directory.h"
#include "testing/run_command.h"
#include "testing/temp_dir.h"
#include "testing/wait.h"

namespace reel::testing {

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
    for (const std::string& dir : servers_) (void)Reel("server stop " + dir);
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
    auto page = (*team)->catalog().ReadEvents({.after = 0, .limit = 1, .scope = {}});
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

  // The [[forward]] tables that deliver to every consumer (writes the webhook's secret in `dir`).
  std::string ForwardTables(const std::string& dir) {
    std::string tables;
    for (auto& [name, consumer] : consumers_) {
      ForwardTarget t = consumer->Target();
      tables += "\n[[forward]]\nname = \"" + name + "\"\nuri = \"" + t.uri + "\"\n";
      if (!t.secret.empty()) {
        EXPECT_OK(WriteFileAtomic(dir + "/hook.secret", t.secret + "\n", 0600));
        tables += "secret_file = \"hook.secret\"\n";
      }
    }
    return tables;
  }

  TempDir tmp_;
  std::string srv_ = tmp_ / "srv";
  std::vector<std::string> servers_ = {srv_};  // stopped at the end
  std::vector<std::pair<std::string, std::unique_ptr<SinkBackend>>> consumers_;
};

}  // namespace reel::testing
