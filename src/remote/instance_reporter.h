// InstanceReporter: how a team mount tells the server it is there and how it is (cache use,
// transfer queue, commits waiting), so that `reel instances`, pipelines and the web app see which
// machines are online. A thread reports at once and then every `every` (10 s: the server counts
// an instance not seen for 30 s as offline); Stop() reports it offline once, best effort. A
// report that fails is logged and tried again at the next tick: the mount works without it.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "common/ticker.h"
#include "remote/team_client.h"

namespace reel {

class InstanceReporter {
 public:
  // The counts now (cache_bytes, cache_limit, transfer_queue, pending_commits).
  using Sample = std::function<InstanceView()>;

  InstanceReporter(TeamClientOptions client, std::string workspace,
                   std::chrono::milliseconds every = std::chrono::seconds(10));
  ~InstanceReporter();  // Stop()
  InstanceReporter(const InstanceReporter&) = delete;
  InstanceReporter& operator=(const InstanceReporter&) = delete;

  void Start(Sample sample);
  void Stop();
  // Reports the server accepted.
  uint64_t reported() const { return reported_.load(); }

 private:
  [[nodiscard]] Status Report(bool online);

  TeamClientOptions options_;
  TeamClient client_;
  const std::string workspace_;
  const std::string host_;
  const std::chrono::milliseconds every_;
  Sample sample_;      // set before the ticker starts
  bool failing_ = false;  // the last report failed (the ticker's thread only)
  std::atomic<uint64_t> reported_{0};
  bool started_ = false;
  Ticker ticker_;
};

}  // namespace reel
