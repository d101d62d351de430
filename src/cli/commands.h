// The reel CLI's subcommands, registered by family. Each family adds its subcommands to the app;
// the subcommand the user chose sets `*run` to the function that does the work.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "api/api_client.h"
#include "api/mount_registry.h"
#include "common/status.h"
#include "remote/team_client.h"


namespace reel::cli {


using Runner = std::function<int()>;

// The help of a command's optional PATH argument: which drive it acts on.
inline constexpr const char* kDrivePathHelp = "Any path inside the mounted drive (default: .)";

void AddDriveCommands(CLI::App& app, Runner* run);        // init, mount, umount
void AddVersionCommands(CLI::App& app, Runner* run);      // save, versions, restore, status
void AddMaintenanceCommands(CLI::App& app, Runner* run);  // trash, gc, fsck, sync
void AddEventCommands(CLI::App& app, Runner* run);        // events
void AddTierCommands(CLI::App& app, Runner* run);  // publish, hydrate, evict, pin, unpin, transfers
void AddCatalogCommands(CLI::App& app, Runner* run);  // catalog backup, list, restore
void AddServerCommands(CLI::App& app, Runner* run);   // server init, run, stop, user, group, token
void AddTeamCommands(CLI::App& app, Runner* run);     // login, logout, workspace
void AddWebCommands(CLI::App& app, Runner* run);      // web

// The mount that holds `path` (any path inside a mount) and a client for its control API.
struct Connection {
  MountLookup mount;
  ApiClient client;
};
[[nodiscard]] Result<Connection> Connect(const std::string& path);

// A client of team server `server` (or of the only server logged in to, when ""), with the
// stored login.
[[nodiscard]] Result<TeamClient> TeamClientFor(const std::string& server);

// Polls the placement of the connection's path until tier `field` ("local_bytes", "edge_bytes",
// "cloud_bytes") holds every byte (and, with `published`, no publish is pending), drawing a
// progress bar on a terminal. Busy when transfers are paused. Returns the last placement JSON.
[[nodiscard]] Result<nlohmann::json> WaitForTier(Connection& conn, const std::string& field,
                                                 const std::string& label, bool published);

}  // namespace reel::cli
