// One suite for every event sink (forward/event_sink.h), run against the real destinations:
// NATS JetStream, Kafka (librdkafka's mock cluster) and a webhook receiver. What the destination
// holds is read back with its own client and compared with what was delivered.
#include "forward/event_sink.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "catalog/catalog_test_util.h"
#include "sink_backends.h"
#include "testing/require.h"

namespace reel::testing {
namespace {

struct BackendParam {
  std::string name;
  std::function<std::unique_ptr<SinkBackend>()> make;
  const char* require;  // the variable that makes a missing destination a failure
};

// Test names and ctest's listing show the destination, not the parameter's bytes.
void PrintTo(const BackendParam& p, std::ostream* os) { *os << p.name; }

// Events as the team's whole feed holds them: in workspaces "shots" and "home.ann" (a dot: a
// NATS subject token cannot hold one), and one in the trash (no workspace).
std::vector<ChangeEvent> FeedEvents(uint64_t first, uint64_t count) {
  std::vector<ChangeEvent> out;
  for (uint64_t seq = first; seq < first + count; ++seq) {
    ChangeEvent e;
    e.seq = seq;
    e.time = 1'800'000'000'000'000'000 + static_cast<TimeNs>(seq);
    e.ino = 100 + seq;
    e.parent = 7;
    e.actor = "alice";
    switch (seq % 3) {
      case 0:
        e.kind = ChangeKind::kCreated;
        e.path = "shots/sq010/plate." + std::to_string(seq) + ".exr";
        break;
      case 1:
        e.kind = ChangeKind::kVersion;
        e.path = "home.ann/notes.txt";
        e.version = seq;
        e.size = seq * 10;
        break;
      default:
        e.kind = ChangeKind::kVersion;
        e.path = "";
        e.parent = 0;
        e.version = seq;
        break;
    }
    out.push_back(e);
  }
  return out;
}

class EventSinkTest : public ::testing::TestWithParam<BackendParam> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make();
    if (std::string missing = backend_->Missing(); !missing.empty()) {
      REEL_SKIP_UNLESS_REQUIRED(GetParam().require, missing);
    }
  }
  std::unique_ptr<EventSink> Open() {
    auto sink = OpenEventSink(backend_->Target());
    EXPECT_TRUE(sink.ok()) << sink.status().ToString();
    return sink.ok() ? std::move(sink).value() : nullptr;
  }
  // The held messages with repeats of an id dropped (what a consumer does), first kept.
  std::vector<Held> Deduped() {
    std::vector<Held> out;
    std::set<std::string> seen;
    for (Held& h : backend_->HeldMessages()) {
      if (seen.insert(h.id).second) out.push_back(std::move(h));
    }
    return out;
  }
  std::unique_ptr<SinkBackend> backend_;
};

TEST_P(EventSinkTest, DeliversEveryEventInFeedOrderWithItsIdWorkspaceAndKind) {
  auto sink = Open();
  ASSERT_NE(sink, nullptr);
  const std::vector<OutgoingEvent> out = OutgoingEvents("drive-1", FeedEvents(1, 250));
  ASSERT_OK(sink->Deliver(std::span(out).subspan(0, 100)));
  ASSERT_OK(sink->Deliver(std::span(out).subspan(100, 100)));
  ASSERT_OK(sink->Deliver(std::span(out).subspan(200)));

  const std::vector<Held> held = backend_->HeldMessages();
  ASSERT_EQ(held.size(), out.size());
  for (size_t i = 0; i < held.size(); ++i) {
    const uint64_t seq = i + 1;
    SCOPED_TRACE("event " + std::to_string(seq));
    EXPECT_EQ(held[i].id, "drive-1:" + std::to_string(seq));
    EXPECT_EQ(held[i].body["id"], held[i].id);
    EXPECT_EQ(held[i].body["seq"], seq);
    EXPECT_EQ(held[i].body["actor"], "alice");
    EXPECT_EQ(held[i].kind, seq % 3 == 0 ? "created" : "version");
    switch (seq % 3) {
      case 0:
        EXPECT_EQ(held[i].body["workspace"], "shots");
        EXPECT_EQ(held[i].body["path"], "sq010/plate." + std::to_string(seq) + ".exr");
        EXPECT_EQ(held[i].body["parent"], 7);
        break;
      case 1:
        EXPECT_EQ(held[i].body["workspace"], "home.ann");
        EXPECT_EQ(held[i].body["path"], "notes.txt");
        EXPECT_EQ(held[i].body["size"], seq * 10);
        break;
      default:
        EXPECT_EQ(held[i].body["workspace"], "");
        EXPECT_EQ(held[i].body["path"], "");
        EXPECT_FALSE(held[i].body.contains("parent"));
    }
    // The destination's own routing (subject, key) names the same workspace, a dot aside.
    std::string ws = held[i].body["workspace"];
    if (GetParam().name == "nats") {
      for (char& c : ws) c = c == '.' ? '_' : c;
      if (ws.empty()) ws = "_";
    }
    EXPECT_EQ(held[i].workspace, ws);
  }
}

TEST_P(EventSinkTest, ABatchDeliveredAgainReachesTheConsumerOnceAfterDedupById) {
  auto sink = Open();
  ASSERT_NE(sink, nullptr);
  const std::vector<OutgoingEvent> out = OutgoingEvents("drive-1", FeedEvents(1, 60));
  // A batch whose acknowledgement was lost is delivered again, with the next events.
  ASSERT_OK(sink->Deliver(std::span(out).subspan(0, 50)));
  ASSERT_OK(sink->Deliver(std::span(out).subspan(0, 60)));

  const std::vector<Held> unique = Deduped();
  ASSERT_EQ(unique.size(), 60u);
  for (size_t i = 0; i < unique.size(); ++i) {
    EXPECT_EQ(unique[i].id, "drive-1:" + std::to_string(i + 1)) << "in feed order, no gap";
  }
  const size_t raw = backend_->HeldMessages().size();
  if (backend_->DropsRepeats()) {
    EXPECT_EQ(raw, 60u) << "the destination dropped the repeated ids itself";
  } else {
    EXPECT_EQ(raw, 110u) << "every delivery arrived; the consumer drops repeats";
  }
}

TEST_P(EventSinkTest, ADestinationThatDoesNotAnswerNeverAcknowledges) {
  auto sink = OpenEventSink(backend_->Unreachable());
  if (!sink.ok()) {
    EXPECT_EQ(sink.status().code(), Code::kUnavailable) << sink.status().ToString();
    return;
  }
  const std::vector<OutgoingEvent> out = OutgoingEvents("drive-1", FeedEvents(1, 3));
  Status delivered = (*sink)->Deliver(out);
  EXPECT_FALSE(delivered.ok());
  EXPECT_EQ(delivered.code(), Code::kUnavailable) << delivered.ToString();
}

std::vector<BackendParam> Destinations() {
  std::vector<BackendParam> out = {{"nats", NatsBackend, "REEL_REQUIRE_NATS"},
                                   {"webhook", WebhookBackend, ""}};
#if !defined(__SANITIZE_THREAD__)
  // librdkafka starts its threads with C11 thrd_create, which ThreadSanitizer's runtime does not
  // intercept: any librdkafka thread crashes under it. Kafka runs in the normal and ASan builds.
  out.push_back({"kafka", KafkaBackend, ""});
#endif
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    Destinations, EventSinkTest, ::testing::ValuesIn(Destinations()),
    [](const ::testing::TestParamInfo<BackendParam>& info) { return info.param.name; });

TEST(ForwardUriTest, EachFormIsCheckedBeforeAnythingConnects) {
  EXPECT_OK(CheckForwardUri("nats://127.0.0.1:4222"));
  EXPECT_OK(CheckForwardUri("nats://a:4222,b:4223?subject=studio.events&stream=REEL"));
  EXPECT_OK(CheckForwardUri("kafka://k1:9092,k2:9092/reel.events"));
  EXPECT_OK(CheckForwardUri("https://hooks.example/reel"));
  for (const char* bad :
       {"nats://", "nats://host", "nats://host:0", "nats://host:99999", "nats://h:1/path",
        "nats://h:1?subject=a..b", "nats://h:1?subject=a.*", "nats://h:1?stream=a.b",
        "nats://h:1?unknown=1", "kafka://h:1", "kafka://h:1/", "kafka://h:1/a b",
        "kafka://h:1/t?x=1", "ftp://h/x", "no-scheme", "http://", "http://a b",
        "https://user:pw@hooks.example/x", "http:///path"}) {
    Status s = CheckForwardUri(bad);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << bad << ": " << s.ToString();
  }
}

TEST(ForwardUriTest, AWebhookWithoutASecretIsRefused) {
  auto sink = OpenEventSink({"hook", "http://127.0.0.1:1/x", ""});
  EXPECT_EQ(sink.status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace reel::testing
