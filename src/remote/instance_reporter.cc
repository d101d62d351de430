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
  started_ = true;
  ticker_.Start(every_, [this] {
    Status s = Report(true);
    if (!s.ok() && !failing_) spdlog::warn("instance report: {}", s.ToString());
    if (s.ok() && failing_) spdlog::info("instance report: the server hears this mount again");
    failing_ = !s.ok();
  });
}

void InstanceReporter::Stop() {
  if (!ticker_.Stop() || !started_) return;
  if (Status s = Report(false); !s.ok()) {
    spdlog::warn("could not tell the server this mount is going: {}", s.ToString());
  }
}

Status InstanceReporter::Report(bool online) {
  InstanceView self = sample_ ? sample_() : InstanceView();
  self.name = options_.instance;
  self.workspace = workspace_;
  self.host = host_;
  self.online = online;
  Status s = client_.ReportInstance(self);
  if (s.ok()) reported_.fetch_add(1);
  return s;
}

}  // namespace reel
