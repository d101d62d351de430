// InstanceReporter: how a team mount tells the server it is there and how it is (cache use,
// transfer queue, commits waiting), so that `reel instances`, pipelines and the web app see which
// machines are online. A thread reports at once and then every `every` (10 s: the server counts
// an instance not seen for 30 s as offline); Stop() reports it offline once, best effort. A
// report that fails is logged and tried again at the next tick: the mount works without it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

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
  // Reports made that the server accepted (for tests and metrics).
  uint64_t reported() const;

 private:
  void Run();
  [[nodiscard]] Status Report(bool online);

  TeamClientOptions options_;
  TeamClient client_;
  const std::string workspace_;
  const std::string host_;
  const std::chrono::milliseconds every_;
  Sample sample_;  // set before the thread starts
  mutable std::mutex mu_;  // guards stopping_, reported_
  std::condition_variable cv_;
  bool stopping_ = false;
  uint64_t reported_ = 0;
  std::thread thread_;
};

}  // namespace reel
