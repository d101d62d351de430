// The reel CLI's subcommands, registered by family. Each family adds its subcommands to the app;
// the subcommand the user chose sets `*run` to the function that does the work.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "api/api_client.h"
#include "api/mount_registry.h"
#include "common/status.h"

namespace reel::cli {

using Runner = std::function<int()>;

void AddDriveCommands(CLI::App& app, Runner* run);        // init, mount, umount
void AddVersionCommands(CLI::App& app, Runner* run);      // save, versions, restore, status
void AddMaintenanceCommands(CLI::App& app, Runner* run);  // trash, gc, fsck, sync

// The mount that holds `path` (any path inside a mount) and a client for its control API.
struct Connection {
  MountLookup mount;
  ApiClient client;
};
[[nodiscard]] Result<Connection> Connect(const std::string& path);

}  // namespace reel::cli
