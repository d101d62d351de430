// Metrics in Prometheus' text format: timed calls by name (histogram and failures), samples from
// collectors at each scrape, and GET /metrics on a loopback listener of its own.
#include "metrics/metrics.h"

#include <httplib.h>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "testing/status_assert.h"

namespace reel::testing {
namespace {

using std::chrono::milliseconds;

// The value of the series written exactly as `series` ("name{labels}"), or -1 when absent.
double ValueOf(const std::string& text, const std::string& series) {
  size_t at = 0;
  while ((at = text.find(series + " ", at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') return std::stod(text.substr(at + series.size() + 1));
    at += series.size();
  }
  return -1;
}

TEST(MetricsTest, TimedCallsAreCountedAndBucketedByName) {
  Metrics m;
  TimedCalls* lookup = m.Calls("reel_test_ops", "Test calls", "op", "lookup");
  TimedCalls* create = m.Calls("reel_test_ops", "Test calls", "op", "create");
  EXPECT_EQ(m.Calls("reel_test_ops", "Test calls", "op", "lookup"), lookup) << "one series a name";
  lookup->Observe(milliseconds(2), false);
  lookup->Observe(milliseconds(40), true);
  create->Observe(std::chrono::seconds(3), false);

  const std::string text = m.Scrape();
  EXPECT_NE(text.find("# TYPE reel_test_ops_seconds histogram"), std::string::npos) << text;
  EXPECT_EQ(ValueOf(text, "reel_test_ops_seconds_count{op=\"lookup\"}"), 2);
  EXPECT_NEAR(ValueOf(text, "reel_test_ops_seconds_sum{op=\"lookup\"}"), 0.042, 1e-9);
  EXPECT_EQ(ValueOf(text, "reel_test_ops_seconds_bucket{op=\"lookup\",le=\"0.0025\"}"), 1);
  EXPECT_EQ(ValueOf(text, "reel_test_ops_seconds_bucket{op=\"lookup\",le=\"0.05\"}"), 2);
  EXPECT_EQ(ValueOf(text, "reel_test_ops_seconds_bucket{op=\"create\",le=\"2.5\"}"), 0);
  EXPECT_EQ(ValueOf(text, "reel_test_ops_seconds_bucket{op=\"create\",le=\"5\"}"), 1);
  EXPECT_EQ(ValueOf(text, "reel_test_ops_failures_total{op=\"lookup\"}"), 1);
  EXPECT_EQ(ValueOf(text, "reel_test_ops_failures_total{op=\"create\"}"), 0);

  TimedCalls* plain = m.Calls("reel_plain_ops", "No outcome", "op", "read", false);
  plain->Observe(milliseconds(1), true);
  EXPECT_EQ(m.Scrape().find("reel_plain_ops_failures_total"), std::string::npos);
}

TEST(MetricsTest, CollectorsAreAskedAtEveryScrape) {
  Metrics m;
  std::atomic<int> depth{3};
  m.AddCollector([&](std::vector<Sample>& out) {
    out.push_back(Sample{"reel_queue_depth", "Queued", {}, static_cast<double>(depth.load()), false});
    out.push_back(Sample{"reel_reads_total", "Reads", {{"from", "local"}}, 7, true});
    out.push_back(Sample{"reel_reads_total", "", {{"from", "shared"}}, 2, true});
  });
  std::string text = m.Scrape();
  EXPECT_EQ(ValueOf(text, "reel_queue_depth"), 3);
  EXPECT_NE(text.find("# TYPE reel_queue_depth gauge"), std::string::npos);
  EXPECT_NE(text.find("# TYPE reel_reads_total counter"), std::string::npos);
  EXPECT_EQ(ValueOf(text, "reel_reads_total{from=\"local\"}"), 7);
  EXPECT_EQ(ValueOf(text, "reel_reads_total{from=\"shared\"}"), 2);
  depth = 9;
  EXPECT_EQ(ValueOf(m.Scrape(), "reel_queue_depth"), 9);
}

TEST(MetricsTest, TheEndpointServesMetricsOnlyAndOnlyWhileItRuns) {
  Metrics m;
  m.Calls("reel_test_ops", "Test calls", "op", "lookup")->Observe(milliseconds(1), false);
  auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", &m);
  ASSERT_OK(endpoint.status());
  const int port = (*endpoint)->port();
  ASSERT_GT(port, 0);
  {
    httplib::Client c("127.0.0.1", port);
    auto res = c.Get("/metrics");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(ValueOf(res->body, "reel_test_ops_seconds_count{op=\"lookup\"}"), 1);
    auto other = c.Get("/v1/info");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->status, 404);
  }
  // The port is this endpoint's alone while it runs.
  auto second = MetricsEndpoint::Start("127.0.0.1:" + std::to_string(port), &m);
  EXPECT_EQ(second.status().code(), Code::kUnavailable) << second.status().ToString();
  endpoint->reset();
  httplib::Client after("127.0.0.1", port);
  EXPECT_FALSE(after.Get("/metrics")) << "stopped";
}

TEST(MetricsTest, ABadAddressIsRefused) {
  Metrics m;
  for (const char* bad : {"", "nowhere", "127.0.0.1:99999", "127.0.0.1:-1"}) {
    auto e = MetricsEndpoint::Start(bad, &m);
    EXPECT_EQ(e.status().code(), Code::kInvalidArgument) << bad << ": " << e.status().ToString();
  }
}

}  // namespace
}  // namespace reel::testing
