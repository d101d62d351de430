// DriveService: what a front end asks of one mounted drive or workspace, by path: versions,
// the trash, garbage collection and checks, where bytes live, the change feed. The unix-socket
// control API (api/) is one front end; an HTTP front end for a browser is another. Each takes
// paths from outside as they came (checked here, see drive_paths.h), calls one method, and
// turns the typed answer into its own format. What a request needs of several modules is
// composed here once: `gc` is the engine's garbage and then the shared tiers' orphan packs; a
// publish first commits what was closed before it; a restore of a version that does not exist
// lists the ones that do. Errors name the path the caller gave, not inode numbers.
// Thread-safe as the engine and placement are.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "catalog/types.h"
#include "common/status.h"
#include "engine/engine.h"

namespace reel {

// tiers/placement.h and tiers/transfer_engine.h: included where their answers are used, not by
// every includer of this header (the control API's JSON types are one).
class Placement;
class TransferEngine;
struct PlacementResult;
struct TierUsage;
struct TransferProgress;

// What a trash restore did.
struct TrashRestoreResult {
  std::string path;  // where the file is now, relative to the drive root ("" if unknown)
  Attributes attr;
};

// What the service runs on; everything outlives it.
struct DriveServiceParts {
  Engine* engine = nullptr;  // required
  // Tier controls (publish, hydrate, evict, pin, transfers, orphan packs). Unset: NotSupported.
  Placement* placement = nullptr;
  TransferEngine* transfers = nullptr;
  // Makes a catalog backup now and describes it. Unset: NotSupported.
  std::function<Result<nlohmann::json>()> backup_catalog;
};

// Where a file's or directory's bytes should go (Placement's actions on a path).
enum class PlaceAction { kPublish, kHydrate, kEvict, kPin, kUnpin, kSaveToWorkingTier };

class DriveService {
 public:
  explicit DriveService(DriveServiceParts parts);
  // A drive with no tier controls and no catalog backups.
  explicit DriveService(Engine* engine);

  // Paths are relative to the drive root ("" is the root), as the caller received them.
  [[nodiscard]] Result<VersionInfo> Save(const std::string& path, const std::string& message);
  [[nodiscard]] Result<std::vector<VersionInfo>> Versions(const std::string& path);
  [[nodiscard]] Result<VersionInfo> Restore(const std::string& path, uint64_t version);
  [[nodiscard]] Result<FileStatus> StatusOf(const std::string& path);

  [[nodiscard]] Result<std::vector<TrashEntry>> Trash();
  // To `path`, or where it was deleted from when `path` is "".
  [[nodiscard]] Result<TrashRestoreResult> RestoreFromTrash(uint64_t id, const std::string& path);

  // The engine's garbage (trash past retention, unreferenced chunks, orphaned objects), then
  // packs no version references on the shared tiers (older than an hour) where there are tiers.
  [[nodiscard]] Result<GcReport> CollectGarbage();
  [[nodiscard]] Result<FsckReport> Check();
  // Once every file closed before the call is committed.
  [[nodiscard]] Status Sync();
  [[nodiscard]] Result<nlohmann::json> BackupCatalog();
  EngineCounters Counters();
  [[nodiscard]] Result<EventPage> ReadEvents(const EventQuery& query);

  // A publish and a save to the working tier commit what was closed before the call first (as
  // `reel sync`), so `cp x MOUNT && reel publish MOUNT/x` publishes what was just written.
  [[nodiscard]] Result<PlacementResult> Place(PlaceAction action, const std::string& path);
  [[nodiscard]] Result<TierUsage> Usage(const std::string& path);
  [[nodiscard]] Result<TransferProgress> Transfers();
  [[nodiscard]] Status PauseTransfers();
  [[nodiscard]] Status ResumeTransfers();

 private:
  // `op` on the inode at `path` (checked and resolved); its errors name `path`.
  template <typename T>
  Result<T> AtPath(const std::string& path, const std::function<Result<T>(const std::string&,
                                                                          InodeId)>& op);
  [[nodiscard]] Result<Placement*> NeedPlacement();

  DriveServiceParts parts_;
};

}  // namespace reel
