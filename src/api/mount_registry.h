// The registry of running mounts of this user: each `reel mount` process writes a record
// (mount-<pid>.json) next to its control socket (api-<pid>.sock) in the private runtime
// directory. CLI commands find the mount that holds a path through it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace reel {

struct MountRecord {
  std::string mountpoint;   // realpath of the mountpoint
  std::string socket_path;  // control API socket
  pid_t pid = 0;            // the mount process
  std::string drive_dir;    // directory of the drive's manifest
  std::string drive_id;
  // Start time of the process (clock ticks since boot, /proc/PID/stat field 22), so a reused
  // pid is not taken for the mount; 0 when unknown.
  uint64_t start_time = 0;
};

struct MountLookup {
  MountRecord record;
  std::string relative_path;  // path inside the mount, "" for the mountpoint itself
};

// Start time of a process (see MountRecord::start_time). NotFound if it does not exist.
[[nodiscard]] Result<uint64_t> ProcessStartTime(pid_t pid);
// Whether the record's process is still running (and is the same process).
[[nodiscard]] bool IsMountProcessAlive(const MountRecord& record);

class MountRegistry {
 public:
  // A registry in `dir`, which the caller has checked (see EnsureRuntimeDir).
  explicit MountRegistry(std::string dir);
  // The registry in the user's runtime directory (created and checked).
  [[nodiscard]] static Result<MountRegistry> Open();

  const std::string& dir() const { return dir_; }
  std::string SocketPathFor(pid_t pid) const;
  std::string RecordPathFor(pid_t pid) const;

  // Writes the record (atomically, 0600). AlreadyExists if another live mount has the same
  // mountpoint.
  [[nodiscard]] Status Register(const MountRecord& record);
  // Removes the record of `pid` (and nothing else). OK if absent.
  [[nodiscard]] Status Unregister(pid_t pid);
  // Records of live mounts; records of dead processes are removed with their sockets.
  [[nodiscard]] Result<std::vector<MountRecord>> List();
  // The live mount that contains `path` (any path, relative to the cwd or absolute; a path that
  // does not exist yet is resolved through its parent): the one with the longest mountpoint
  // prefix of the path's realpath. NotFound when no mount contains it; InvalidArgument when the
  // path inside the mount is not valid (".." or under ".reel").
  [[nodiscard]] Result<MountLookup> FindMountFor(const std::string& path);

 private:
  void RemoveStale(const MountRecord& record, const std::string& record_path);
  std::string dir_;
};

}  // namespace reel
