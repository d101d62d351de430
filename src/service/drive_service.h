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
#include <memory>
#include <span>
#include <string>
#include <utility>
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

// An open, read-only view of one version of a file: its bytes for a download or a player's range
// requests. The file's handle is released when the reader goes; the service must outlive it.
class FileReader {
 public:
  FileReader(Engine* engine, HandleId handle, uint64_t size);
  ~FileReader();
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  uint64_t size() const { return size_; }
  // Up to out.size() bytes at `offset`; fewer only at the end of the file.
  [[nodiscard]] Result<size_t> Read(uint64_t offset, std::span<uint8_t> out);

 private:
  Engine* engine_;
  HandleId handle_;
  uint64_t size_;
};

// A new file being written from outside the kernel (an upload): its bytes in any order, then
// Finish, which closes it as a writer closing it on the mount would (its version commits). A
// writer dropped without Finish closes it too. The service must outlive it.
class FileWriter {
 public:
  FileWriter(Engine* engine, HandleId handle);
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  [[nodiscard]] Status Write(uint64_t offset, std::span<const uint8_t> data);
  [[nodiscard]] Status Finish();

 private:
  Engine* engine_;
  HandleId handle_;
  bool open_ = true;
};

// What a Delete did.
struct DeleteReport {
  uint64_t trashed = 0;  // regular files, now in the trash
  uint64_t removed = 0;  // other names: folders, symlinks, special files
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

  // What is at `path`. For a directory, up to `limit` entries after the one whose cookie is
  // `after` (0: from the first), in the catalog's order; NotDirectory for anything else.
  [[nodiscard]] Result<Attributes> Stat(const std::string& path);
  [[nodiscard]] Result<std::vector<DirEntry>> List(const std::string& path, uint64_t after,
                                                   size_t limit);
  // Version `version` of the regular file at `path` (0: what the file holds now, closed writes
  // not yet committed included), open for reading. A version that does not exist is NotFound
  // listing the ones that do.
  [[nodiscard]] Result<std::unique_ptr<FileReader>> OpenForRead(const std::string& path,
                                                                uint64_t version);

  // Changes of names made here rather than through the kernel (a browser's): the kernel's cached
  // entries and attributes of what they touched are dropped, as for another machine's changes,
  // so the mount shows them at once. New names belong to the user running the service.
  [[nodiscard]] Result<Attributes> MakeFolder(const std::string& path);
  // A file or symlink, or a folder with everything in it; regular files go to the trash.
  [[nodiscard]] Result<DeleteReport> Delete(const std::string& path);
  // Moves or renames; AlreadyExists when `to` names something (nothing is replaced).
  [[nodiscard]] Result<Attributes> Move(const std::string& from, const std::string& to);
  // A new, empty regular file at `path` (AlreadyExists when the name is taken), open for writing.
  [[nodiscard]] Result<std::unique_ptr<FileWriter>> CreateFile(const std::string& path);
  // Renames `from` over `to` as an application saving by rename does on the mount: `to`'s
  // versions come first in the history of the file now at `to` (unless `to` is in use: then it
  // goes to the trash). Returns the current version once committed (number 0: none, as for a
  // new empty file).
  [[nodiscard]] Result<VersionInfo> ReplaceKeepingHistory(const std::string& from,
                                                          const std::string& to);

  [[nodiscard]] Result<std::vector<TrashEntry>> Trash();
  // To `path`, or where it was deleted from when `path` is "", making the folders on the way
  // that are gone.
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
  // Whether the drive has an edge or a cloud tier (else its bytes are all on this machine).
  [[nodiscard]] bool HasSharedTiers();
  [[nodiscard]] Result<TransferProgress> Transfers();
  [[nodiscard]] Status PauseTransfers();
  [[nodiscard]] Status ResumeTransfers();

 private:
  // `op` on the inode at `path` (checked and resolved); its errors name `path`.
  template <typename T>
  Result<T> AtPath(const std::string& path, const std::function<Result<T>(const std::string&,
                                                                          InodeId)>& op);
  [[nodiscard]] Result<Placement*> NeedPlacement();
  // The parent folder and the name of a validated path (not the root).
  [[nodiscard]] Result<std::pair<InodeId, std::string>> ParentOf(const std::string& valid);
  // Runs `op`, then drops the kernel's caches of what the events it wrote touched.
  [[nodiscard]] Status BehindTheKernel(const std::function<Status()>& op);
  // `op(valid path, parent folder, name)` for the path from outside (checked), behind the
  // kernel; its errors name `path`.
  using FolderOp =
      std::function<Status(const std::string& valid, InodeId parent, const std::string& name)>;
  [[nodiscard]] Status InFolder(const std::string& path, const FolderOp& op);
  [[nodiscard]] Status MakeFolders(const std::string& valid);
  [[nodiscard]] Status DeleteTree(InodeId parent, const std::string& name, DeleteReport& report);

  DriveServiceParts parts_;
};

}  // namespace reel
