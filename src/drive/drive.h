// A drive directory: its layout, creation (`reel init`), the lock that keeps a drive to one
// process, and opening its engine.
//
// Layout of DIR (all directories mode 0700, files 0600):
//   DIR/reel.toml    the bootstrap manifest (relative URIs, so DIR can be moved)
//   DIR/catalog.db   the SQLite catalog (sqlite://catalog.db)
//   DIR/machine.db   this machine's state: transfer queue, pins (machine/machine_state.h)
//   DIR/store/       the local tier (file://store)
//   DIR/staging/     written data waiting to become versions
//   DIR/lock         flock()ed by the process that has the drive open
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

#include "common/fs_util.h"
#include "common/status.h"
#include "drive/manifest.h"

namespace reel {

class TeamLocks;

class CatalogBackups;
class FeedFollower;
class InstanceReporter;
class TaskRunner;
class MachineState;
class Placement;
class TieredStore;
class TransferEngine;

class Engine;

struct InitOptions {
  std::string name;  // default: the directory's base name
  std::optional<ChunkerOptions::Kind> chunking;
  std::optional<uint64_t> fixed_size;  // implies nothing about `chunking`; see InitDrive
  std::optional<VersionPolicy> policy;
  std::optional<uint32_t> interval_seconds;
  std::string edge_uri;              // an edge tier's store URI (empty: none)
  std::string cloud_uri;             // a cloud tier's store URI (empty: none)
  std::optional<uint64_t> cache_limit;  // the local tier's limit for clean chunks
  // A workspace of a team drive (Manifest::team_server, team_workspace): no edge or cloud URI.
  std::string team_server;
  std::string team_workspace;
};

// Creates a new drive in `dir` (created if missing, mode 0700): manifest, catalog, store and
// staging dir. AlreadyExists if `dir` already holds a drive (reel.toml, catalog.db or store).
// Setting `fixed_size` without `chunking` selects fixed-size chunking. Edge and cloud stores
// must be reachable (they are opened once, as a check).
// Returns the manifest as written (with Manifest::dir set).
[[nodiscard]] Result<Manifest> InitDrive(const std::string& dir, const InitOptions& options);

// The default drive directory: $XDG_DATA_HOME/reel/default when XDG_DATA_HOME is set to an
// absolute path, else ~/.local/share/reel/default.
[[nodiscard]] Result<std::string> DefaultDriveDir();
// Where this user's machine keeps workspace `workspace` of the team drive at `server` (a
// normalized URL): $XDG_DATA_HOME/reel/team/HOST_PORT/WORKSPACE (or under ~/.local/share).
[[nodiscard]] Result<std::string> DefaultTeamDriveDir(const std::string& server,
                                                      const std::string& workspace);

// Exclusive, advisory lock of a drive directory (flock on DIR/lock). Held until destroyed.
// Another process (or another DriveLock in this process) gets Busy naming the holder's pid.
class DriveLock {
 public:
  [[nodiscard]] static Result<DriveLock> Acquire(const std::string& drive_dir);
  DriveLock(DriveLock&&) = default;
  DriveLock& operator=(DriveLock&&) = default;

  const std::string& dir() const { return dir_; }

 private:
  DriveLock(std::string dir, UniqueFd fd) : dir_(std::move(dir)), fd_(std::move(fd)) {}
  std::string dir_;
  UniqueFd fd_;
};

// An open drive: the engine over a TieredStore, and the tier services beside it. Close() (also
// run by the destructor and before a move assignment) stops placement, then transfers, then
// shuts the engine down (committing what is staged), makes a last catalog backup, and closes the
// engine.
struct OpenedDrive {
  OpenedDrive();
  OpenedDrive(OpenedDrive&&) noexcept;
  OpenedDrive& operator=(OpenedDrive&&) noexcept;
  ~OpenedDrive();
  void Close();

  std::unique_ptr<Engine> engine;
  TieredStore* store = nullptr;  // owned by the engine
  std::unique_ptr<MachineState> machine;  // this machine's queue and pins (machine.db)
  std::unique_ptr<TransferEngine> transfers;
  std::unique_ptr<Placement> placement;
  std::unique_ptr<CatalogBackups> backups;  // of the engine's catalog, to the drive's stores
  // A team workspace's reader of the change feed: other machines' changes reach the engine's
  // catalog cache and the kernel (remote/feed_follower.h). Stopped first on Close().
  std::unique_ptr<FeedFollower> feed;
  // A team workspace's mount tells the server it is there and how it is (remote/
  // instance_reporter.h); stopped (reported offline) before anything else on Close().
  std::unique_ptr<InstanceReporter> reporter;
  // ... and runs the tasks pipelines send it (remote/task_runner.h), through placement.
  std::unique_ptr<TaskRunner> tasks;
  // ... and holds its locks on files through the server (remote/team_locks.h); its lock
  // session ends after the engine's last commit on Close().
  std::shared_ptr<TeamLocks> locks;
  // A team workspace the user only reads (reader role when the drive was opened): mount it
  // read-only. The server refuses a reader's changes whatever the mount does.
  bool read_only = false;
};

// Opens the drive described by `manifest`: its tier stores (local cache first), its catalog
// (root owned by the effective uid/gid; refused when it is lost or damaged while the stores hold
// data, see drive_identity.h), this machine's state (MachinePath(manifest)), the engine (which
// recovers staged writes), and starts the
// transfer workers (resuming queued transfers) and the scheduled catalog backups. The caller
// must hold the drive's lock (`lock.dir()` == `manifest.dir`) and keep it while the drive is open.
[[nodiscard]] Result<OpenedDrive> OpenDrive(const Manifest& manifest, const DriveLock& lock);

// Where this machine's state of the drive lives: DIR/machine.db next to the manifest.
std::string MachineStatePath(const Manifest& manifest);
// The creates this machine answered and the catalog has not recorded yet: DIR/creates.journal
// (create_ahead_catalog.h); sent to the catalog when the drive opens.
std::string CreateJournalPath(const Manifest& manifest);

}  // namespace reel
