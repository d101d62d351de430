#include "remote/instance_reporter.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

namespace reel {

namespace {

std::string HostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "unknown";
  return name;
}

// A report that cannot get through waits for the next tick, not for the client's retries.
TeamClientOptions WithoutRetries(TeamClientOptions options) {
  options.retry_for = std::chrono::milliseconds(0);
  return options;
}

}  // namespace

InstanceReporter::InstanceReporter(TeamClientOptions client, std::string workspace,
                                   std::chrono::milliseconds every)
    : options_(WithoutRetries(std::move(client))),
      client_(options_),
      workspace_(std::move(workspace)),
      host_(HostName()),
      every_(every) {}

InstanceReporter::~InstanceReporter() { Stop(); }

void InstanceReporter::Start(Sample sample) {
  sample_ = std::move(sample);
  thread_ = std::thread([this] { Run(); });
}

void InstanceReporter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (!thread_.joinable()) return;
  thread_.join();
  if (Status s = Report(false); !s.ok()) {
    spdlog::warn("could not tell the server this mount is going: {}", s.ToString());
  }
}

uint64_t InstanceReporter::reported() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reported_;
}

Status InstanceReporter::Report(bool online) {
  InstanceView self = sample_ ? sample_() : InstanceView();
  self.name = options_.instance;
  self.workspace = workspace_;
  self.host = host_;
  self.online = online;
  Status s = client_.ReportInstance(self);
  if (s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++reported_;
  }
  return s;
}

void InstanceReporter::Run() {
  bool failing = false;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    Status s = Report(true);
    if (!s.ok() && !failing) spdlog::warn("instance report: {}", s.ToString());
    if (s.ok() && failing) spdlog::info("instance report: the server hears this mount again");
    failing = !s.ok();
    lock.lock();
    cv_.wait_for(lock, every_, [this] { return stopping_; });
  }
}

}  // namespace reel
