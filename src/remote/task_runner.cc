#include "remote/task_runner.h"

#include <spdlog/spdlog.h>

namespace reel {

TaskRunner::TaskRunner(TeamClientOptions client, std::chrono::milliseconds poll)
    : client_(WithoutRetries(client)), instance_(client.instance), poll_(poll) {}

TaskRunner::~TaskRunner() { Stop(); }

void TaskRunner::Start(Run run) {
  run_ = std::move(run);
  ticker_.Start(poll_, [this] { RunQueued(); });
}

void TaskRunner::Stop() { ticker_.Stop(); }

void TaskRunner::RunQueued() {
  Result<std::vector<TaskView>> queued = client_.Tasks(instance_, "queued");
  if (!queued.ok()) {
    spdlog::debug("tasks: {}", queued.status().ToString());
    return;
  }
  for (const TaskView& t : *queued) {
    if (ticker_.stopping()) return;
    if (auto started = client_.UpdateTask(t.id, "running", ""); !started.ok()) {
      spdlog::warn("task {}: {}", t.id, started.status().ToString());
      continue;
    }
    spdlog::info("task {}: {} \"{}\" for {}", t.id, t.kind, t.path, t.created_by);
    Result<std::string> done = run_(t.kind, t.path);
    const std::string state = done.ok() ? "done" : "failed";
    const std::string message = done.ok() ? *done : done.status().ToString();
    if (auto reported = client_.UpdateTask(t.id, state, message); !reported.ok()) {
      spdlog::warn("task {} {} but could not say so: {}", t.id, state,
                   reported.status().ToString());
      continue;
    }
    finished_.fetch_add(1);
  }
}

}  // namespace reel
