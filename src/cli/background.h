// Running a long-lived command (a mount, a team server) in the background: a child process in a
// session of its own, its stdin /dev/null and its stdout and stderr appended to a log file. The
// parent returns once the child says it is serving, or with the child's error.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "common/status.h"

namespace reel::cli {

// `serve` runs in the child: it calls `ready()` once it serves, then serves until it is told to
// stop; its Status is the child's exit code (0 or 1). Returns the child's pid once it is ready, or
// the error `serve` returned before it was (or one pointing at `log_path` when the child died
// without a word). Call it before any thread is started.
[[nodiscard]] Result<pid_t> RunInBackground(
    const std::string& log_path,
    const std::function<Status(const std::function<void()>& ready)>& serve);

}  // namespace reel::cli
