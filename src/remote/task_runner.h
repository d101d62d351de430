// TaskRunner: how a team mount runs the tasks pipelines send it (POST /v1/instances/NAME/tasks:
// hydrate, publish, evict, pin, unpin, save a path of its workspace). A thread asks the server
// for this instance's queued tasks every `poll` (1 s; kTaskPollWithFeed for a mount whose change
// feed's task events wake it), runs them one at a time, oldest first,
// and reports each: running, then done (with what it did) or failed (with why). A server that
// cannot be reached is asked again at the next poll; a task reported running whose result could
// not be reported stays running on the server (the pipeline sees it never finished).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "common/status.h"
#include "common/ticker.h"
#include "remote/team_client.h"

namespace reel {

// How often a mount that follows the change feed asks for tasks anyway (a task event it did not
// get: the feed was out of reach when the task was sent).
inline constexpr std::chrono::milliseconds kTaskPollWithFeed = std::chrono::seconds(10);

class TaskRunner {
 public:
  // Runs task `kind` on `path`; answers what it did, for the task's message.
  using Run = std::function<Result<std::string>(const std::string& kind, const std::string& path)>;

  explicit TaskRunner(TeamClientOptions client,
                      std::chrono::milliseconds poll = std::chrono::seconds(1));
  ~TaskRunner();  // Stop()
  TaskRunner(const TaskRunner&) = delete;
  TaskRunner& operator=(const TaskRunner&) = delete;

  void Start(Run run);
  // Ends the wait for the next poll at once; a task running finishes first.
  void Stop();
  // Polls now: a task was sent to an instance of the workspace (a `task` event of its feed).
  void Wake() { ticker_.Wake(); }
  // Tasks run to an end (done or failed) and reported.
  uint64_t finished() const { return finished_.load(); }

 private:
  void RunQueued();

  TeamClient client_;
  const std::string instance_;
  const std::chrono::milliseconds poll_;
  Run run_;  // set before the ticker starts
  std::atomic<uint64_t> finished_{0};
  Ticker ticker_;
};

}  // namespace reel
