// What `reel mount` and `reel umount` share between their files (cmd_drive.cc: one drive or
// workspace; mount_folder.cc: a folder of team workspaces).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/mount_registry.h"
#include "common/status.h"

namespace reel::cli {

struct MountArgs {
  std::string mountpoint;
  std::string drive;
  std::string manifest;
  std::string server;     // --server: a team drive's server (default: the one logged in to)
  std::string workspace;  // --workspace: the team drive's workspace to mount
  bool background = false;
  bool allow_other = false;   // --allow-other: other users in, or fail to mount
  bool private_mount = false; // --private: only the mounting user
  bool debug = false;
  bool json = false;
  std::string metrics;  // --metrics HOST:PORT: serve GET /metrics there
};

// Whether `path` is `dir` or below it (both absolute, normalised).
inline bool IsUnder(const std::string& path, const std::string& dir) {
  if (dir == "/") return true;
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}


// Mounts one drive or workspace: in the background (returns what it mounted once it is up) or
// in the foreground (returns once it is unmounted, with null).
[[nodiscard]] Result<nlohmann::json> DoMount(const MountArgs& given);

// Unmounts a live mount through its API (so a busy mount is refused: Busy) and waits for its
// process to finish.
[[nodiscard]] Status UnmountRecord(const MountRecord& record, int timeout_seconds);

// The live mounts in the folder `dir` (a folder mount's workspaces), deepest first.
[[nodiscard]] std::vector<MountRecord> MountsUnder(const std::vector<MountRecord>& live,
                                                   const std::string& dir);

// `reel mount DIR --server URL` (every workspace the user may see) or `--workspace A,B`: each
// workspace is a folder of DIR, where it is mounted as with --workspace NAME (mount_folder.cc).
[[nodiscard]] bool IsFolderMount(const MountArgs& a);
[[nodiscard]] int MountFolder(const MountArgs& a);

}  // namespace reel::cli
