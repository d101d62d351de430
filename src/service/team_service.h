// A team server for as long as it runs (`reel server run`): the team's database, the event
// forwarders of its [[forward]] tables, the HTTP API, the metrics endpoint and the team's
// once-only work (gc, trash purge, orphan packs: TeamMaintenance, under its lease), brought up
// in that order and taken down in the reverse; DIR/server.pid names the process meanwhile.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "server/server_config.h"
#include "team/team_directory.h"

namespace reel {

// The team's database named by DIR/server.toml; errors name the directory.
[[nodiscard]] Result<std::unique_ptr<TeamDirectory>> OpenTeam(const ServerConfig& c);
// The pid in DIR/server.pid when that process is alive, else 0.
[[nodiscard]] pid_t RunningServerPid(const std::string& dir);
// Serves until SIGTERM or SIGINT (blocked here before any thread starts, so only this call's
// sigwait receives them); `ready` is called once the API answers. AlreadyExists when a server
// runs from the same directory.
[[nodiscard]] Status ServeTeam(const ServerConfig& c, const std::function<void()>& ready);

}  // namespace reel
