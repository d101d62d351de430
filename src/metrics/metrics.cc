#include "metrics/metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <map>
#include <mutex>

namespace reel {

namespace {

// From 100 µs (a cached stat) to 30 s (a commit of a big file, a long poll).
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
      0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30};
  return kBuckets;
}

}  // namespace

struct TimedCalls::Series {
  prometheus::Histogram* seconds;
  prometheus::Counter* failures;
};

void TimedCalls::Observe(std::chrono::nanoseconds took, bool failed) {
  series_->seconds->Observe(std::chrono::duration<double>(took).count());
  if (failed && series_->failures != nullptr) series_->failures->Increment();
}

struct Metrics::Impl {
  prometheus::Registry registry;
  std::mutex mu;  // guards families, calls and collectors
  struct Family {
    prometheus::Family<prometheus::Histogram>* seconds;
    prometheus::Family<prometheus::Counter>* failures;
  };
  std::map<std::string, Family> families;
  struct Call {
    TimedCalls::Series series;
    std::unique_ptr<TimedCalls> handle;
  };
  std::map<std::pair<std::string, std::string>, std::unique_ptr<Call>> calls;
  std::vector<std::function<void(std::vector<Sample>&)>> collectors;
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

TimedCalls* Metrics::Calls(const std::string& family, const std::string& help,
                           const std::string& label, const std::string& name,
                           bool count_failures) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto f = impl_->families.find(family);
  if (f == impl_->families.end()) {
    Impl::Family made;
    made.seconds = &prometheus::BuildHistogram()
                        .Name(family + "_seconds")
                        .Help(help + ": how long they took")
                        .Register(impl_->registry);
    made.failures = count_failures ? &prometheus::BuildCounter()
                                          .Name(family + "_failures_total")
                                          .Help(help + " that failed")
                                          .Register(impl_->registry)
                                   : nullptr;
    f = impl_->families.emplace(family, made).first;
  }
  auto& call = impl_->calls[{family, name}];
  if (call == nullptr) {
    call = std::make_unique<Impl::Call>();
    call->series.seconds = &f->second.seconds->Add({{label, name}}, LatencyBuckets());
    call->series.failures =
        f->second.failures != nullptr ? &f->second.failures->Add({{label, name}}) : nullptr;
    call->handle.reset(new TimedCalls(&call->series));
  }
  return call->handle.get();
}

void Metrics::AddCollector(std::function<void(std::vector<Sample>&)> collect) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->collectors.push_back(std::move(collect));
}

std::string Metrics::Scrape() {
  std::vector<std::function<void(std::vector<Sample>&)>> collectors;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    collectors = impl_->collectors;
  }
  std::vector<Sample> samples;
  for (const auto& collect : collectors) collect(samples);
  std::vector<prometheus::MetricFamily> families = impl_->registry.Collect();
  std::map<std::string, size_t> by_name;
  for (const Sample& s : samples) {
    auto [at, added] = by_name.emplace(s.name, families.size());
    if (added) {
      prometheus::MetricFamily f;
      f.name = s.name;
      f.help = s.help;
      f.type = s.counter ? prometheus::MetricType::Counter : prometheus::MetricType::Gauge;
      families.push_back(std::move(f));
    }
    prometheus::ClientMetric m;
    for (const auto& [k, v] : s.labels) m.label.push_back({k, v});
    if (s.counter) {
      m.counter.value = s.value;
    } else {
      m.gauge.value = s.value;
    }
    families[at->second].metric.push_back(std::move(m));
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace reel
