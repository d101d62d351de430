// Metrics: what a team server or a mount measures, scraped by Prometheus from GET /metrics in its
// text format (docs/metrics.md). prometheus-cpp (core) keeps the series; its headers stay in
// metrics/*.cc, so this one is light to include.
//
// Two kinds of series: timed calls (a latency histogram and a failure count per call name),
// recorded where the call runs, and samples taken at each scrape from wherever the value already
// lives (counters of the engine, a queue's depth, a forwarder's lag) through collectors.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace reel {

// One call name's series: `FAMILY_seconds{LABEL="NAME"}` (a histogram: its _count is the number
// of calls) and `FAMILY_failures_total{LABEL="NAME"}`. Thread-safe: an
// observation takes only the series' own short lock (prometheus-cpp's histogram).
class TimedCalls {
 public:
  void Observe(std::chrono::nanoseconds took, bool failed);

 private:
  friend class Metrics;
  struct Series;
  explicit TimedCalls(Series* series) : series_(series) {}
  Series* series_;
};

// A value taken at a scrape.
struct Sample {
  std::string name;  // reel_..., a gauge unless `counter`
  std::string help;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
  bool counter = false;
};

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The series of call `name` in `family` (made on first use; the same pointer after, valid as
  // long as this object: look it up once, the lookup takes a lock). Without `count_failures` the
  // family has no _failures_total (calls whose outcome the caller does not see).
  [[nodiscard]] TimedCalls* Calls(const std::string& family, const std::string& help,
                                  const std::string& label, const std::string& name,
                                  bool count_failures = true);
  // Called at every scrape, on the scraping thread, to add samples.
  void AddCollector(std::function<void(std::vector<Sample>&)> collect);
  // Every series, in the text exposition format (version 0.0.4).
  [[nodiscard]] std::string Scrape();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Serves GET /metrics (and nothing else) of `metrics` on HOST:PORT, on threads of its own.
class MetricsEndpoint {
 public:
  // `listen` as in server.toml ("127.0.0.1:9464"; port 0: any free one). `metrics` must outlive
  // the endpoint.
  [[nodiscard]] static Result<std::unique_ptr<MetricsEndpoint>> Start(const std::string& listen,
                                                                      Metrics* metrics);
  ~MetricsEndpoint();  // stops serving
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;
  int port() const;

 private:
  struct Impl;
  explicit MetricsEndpoint(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace reel
