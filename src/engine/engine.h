// Engine: the drive's behaviour, independent of FUSE. The FUSE adapter and the control API are
// thin callers. All methods are thread-safe.
//
// Inode numbers: real inodes come from the catalog; the read-only version tree under
// "<mount>/.reel/versions/..." uses virtual inode numbers (see virtual_tree.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "catalog/file_lock.h"
#include "catalog/types.h"
#include "common/shared_bytes.h"
#include "common/status.h"
#include "engine/engine_options.h"

namespace reel {

class FileLocks;

class Catalog;
class ObjectStore;

using HandleId = uint64_t;

// The largest file, as on ext4 with 4 KiB blocks: truncating past it fails with EFBIG, as
// applications and conformance suites expect of a local filesystem.
inline constexpr uint64_t kMaxFileSize = (1ull << 44) - 4096;

// Moves `size` bytes into the staging descriptor `fd` at `offset` (the FUSE adapter splices them
// from the kernel without a copy through memory); returns how many it moved.
using StagingFill = std::function<Result<size_t>(int fd, uint64_t offset, size_t size)>;

struct OpenFlags {
  bool write = false;     // O_WRONLY or O_RDWR
  bool truncate = false;  // O_TRUNC
  bool append = false;    // O_APPEND
};

struct FsStats {
  uint64_t block_size = 4096;
  uint64_t total_bytes = 0;
  uint64_t free_bytes = 0;
  uint64_t files = 0;
  uint64_t free_files = 0;
};

// What `reel status PATH` shows.
struct FileStatus {
  Attributes attr;
  std::string path;
  uint64_t chunk_count = 0;
  uint64_t unique_chunk_bytes = 0;  // distinct chunks of the current version
  uint64_t staged_bytes = 0;        // bytes written but not yet in a version
  bool dirty = false;               // has changes not yet in a version
  std::optional<VersionInfo> current;
  // Versions set aside by a `reject` conflict policy since the current one was made: saved
  // here or elsewhere on a version that was no longer current (reel restore brings one back).
  std::vector<VersionInfo> rejected;
  // Who holds locks on it, on any machine (a team mount; empty otherwise).
  std::vector<LockHolderInfo> locks;
};

struct GcReport {
  uint64_t trash_purged = 0;
  uint64_t chunks_deleted = 0;
  uint64_t bytes_deleted = 0;
  uint64_t orphans_deleted = 0;  // store objects with no catalog record
  uint64_t orphan_bytes_deleted = 0;
  // Filled by the drive's tiers, not the engine: pack objects no chunk references.
  uint64_t orphan_packs_deleted = 0;
  uint64_t orphan_pack_bytes_deleted = 0;
};

struct FsckReport {
  uint64_t chunks_checked = 0;
  uint64_t bytes_checked = 0;
  std::vector<std::string> missing;  // chunk ids referenced but absent
  std::vector<std::string> corrupt;  // chunk ids whose content does not match
  bool ok() const { return missing.empty() && corrupt.empty(); }
};

struct EngineCounters {
  uint64_t chunks_written = 0;
  uint64_t chunk_bytes_written = 0;
  uint64_t chunks_deduplicated = 0;
  uint64_t versions_committed = 0;
  uint64_t conflicts = 0;  // commits made on a version another machine replaced meanwhile
  uint64_t pending_commits = 0;
  uint64_t chunks_prefetched = 0;  // fetched ahead of a streaming reader
};

// Told about changes made behind the kernel's back (API calls), so the FUSE adapter can drop
// what the kernel cached.
class InvalidationSink {
 public:
  virtual ~InvalidationSink() = default;
  // Cached pages and attributes of `ino` (for a directory: its cached listing).
  virtual void InvalidateContent(InodeId ino) = 0;
  // The name `name` in `parent` now refers to another inode.
  virtual void InvalidateEntry(InodeId parent, const std::string& name) = 0;
  // InvalidateEntry(parent, name) then InvalidateContent(ino), soon, from another thread: safe
  // to ask for inside a request handler.
  virtual void InvalidateLater(InodeId ino, InodeId parent, const std::string& name) = 0;
};

class Engine {
 public:
  // Opens the engine over a catalog and a store. Recovers staged writes left by a crash
  // (committing them as "recovered" versions) before returning.
  static Result<std::unique_ptr<Engine>> Open(std::unique_ptr<Catalog> catalog,
                                              std::unique_ptr<ObjectStore> store,
                                              EngineOptions options);
  virtual ~Engine() = default;

  virtual void SetInvalidationSink(InvalidationSink* sink) = 0;
  // Locks other machines see (a team mount), set before serving: flock and fcntl locks go
  // through them, commits carry their fences, and a file whose name ends with one of
  // `lock_on_open` (case insensitive) is locked for the team while open for writing here
  // (another machine's open for writing: Busy). Without them, the kernel keeps locks for this
  // machine alone.
  virtual void SetFileLocks(std::shared_ptr<FileLocks> locks,
                            std::vector<std::string> lock_on_open) = 0;
  virtual FileLocks* file_locks() = 0;  // nullptr when none
  // Changes other machines made (a team mount's change feed): the kernel drops what it cached of
  // the names, attributes and pages they touched. A file open here keeps the version it opened
  // until it is opened again (close-to-open).
  virtual void ApplyRemoteChanges(const std::vector<ChangeEvent>& events) = 0;

  // --- namespace (FUSE) ---
  virtual Result<Attributes> Lookup(InodeId parent, const std::string& name) = 0;
  virtual Result<Attributes> GetAttributes(InodeId ino) = 0;
  // Applies `update`, and a size change (truncate/extend) when `size` is set (FileTooLarge past
  // kMaxFileSize).
  virtual Result<Attributes> SetAttributes(InodeId ino, const AttrUpdate& update,
                                           std::optional<uint64_t> size) = 0;
  virtual Result<std::vector<DirEntry>> ReadDir(InodeId dir, uint64_t after, size_t limit) = 0;
  virtual Result<Attributes> MakeDir(InodeId parent, const std::string& name, uint32_t mode,
                                     uint32_t uid, uint32_t gid) = 0;
  virtual Result<Attributes> MakeSymlink(InodeId parent, const std::string& name,
                                         const std::string& target, uint32_t uid,
                                         uint32_t gid) = 0;
  virtual Result<std::string> ReadSymlink(InodeId ino) = 0;
  // Makes a fifo, character or block device (number `rdev`) or socket: metadata only, the kernel
  // serves their I/O (InvalidArgument for any other type).
  virtual Result<Attributes> MakeNode(InodeId parent, const std::string& name, FileType type,
                                      uint32_t mode, uint64_t rdev, uint32_t uid,
                                      uint32_t gid) = 0;
  virtual Result<Attributes> Link(InodeId ino, InodeId new_parent, const std::string& name) = 0;
  virtual Status Unlink(InodeId parent, const std::string& name) = 0;
  virtual Status RemoveDir(InodeId parent, const std::string& name) = 0;
  virtual Status Rename(InodeId old_parent, const std::string& old_name, InodeId new_parent,
                        const std::string& new_name, RenameMode mode) = 0;
  virtual Result<FsStats> StatFs() = 0;

  // --- extended attributes ---
  virtual Result<std::string> GetXattr(InodeId ino, const std::string& name) = 0;
  virtual Status SetXattr(InodeId ino, const std::string& name, const std::string& value,
                          bool create_only, bool replace_only) = 0;
  virtual Result<std::vector<std::string>> ListXattrs(InodeId ino) = 0;
  virtual Status RemoveXattr(InodeId ino, const std::string& name) = 0;

  // --- file content (FUSE) ---
  // Creates and opens a regular file (AlreadyExists if the name is taken).
  virtual Result<std::pair<Attributes, HandleId>> Create(InodeId parent, const std::string& name,
                                                         uint32_t mode, uint32_t uid,
                                                         uint32_t gid, OpenFlags flags) = 0;
  virtual Result<HandleId> Open(InodeId ino, OpenFlags flags) = 0;
  // Reads up to `size` bytes at `offset` into `out` (fewer at end of file); returns bytes read.
  virtual Result<size_t> Read(HandleId h, uint64_t offset, std::span<uint8_t> out) = 0;
  // Read of up to `size` bytes as slices of the engine's buffers (chunks as they were fetched or
  // loaded), in order, without copying them into one buffer (the FUSE reply is sent from them).
  virtual Result<std::vector<SharedBytes>> ReadShared(HandleId h, uint64_t offset, size_t size) = 0;
  // Writes at `offset` (at end of file for an O_APPEND handle); returns bytes written.
  virtual Result<size_t> Write(HandleId h, uint64_t offset, std::span<const uint8_t> data) = 0;
  // Write, with the bytes moved by `fill` into the staging file; returns bytes written.
  virtual Result<size_t> WriteFrom(HandleId h, uint64_t offset, size_t size,
                                   const StagingFill& fill) = 0;
  // A descriptor of the handle was closed (close(2) waits for this; the release that follows is
  // asynchronous). Lets WaitIdle account for versions whose release is still on its way.
  virtual Status Flush(HandleId h) = 0;
  // Makes written data durable (survives kill -9 and a machine crash), without making a version.
  virtual Status Fsync(HandleId h, bool data_only) = 0;
  // Makes every namespace change so far durable (fsync of a directory).
  virtual Status SyncMetadata() = 0;
  // Allocates (mode 0) or punches a hole (FALLOC_FL_PUNCH_HOLE|KEEP_SIZE) in a file.
  virtual Status Fallocate(HandleId h, int mode, uint64_t offset, uint64_t length) = 0;
  // Closes the handle; the last writer's close makes a version per the policy.
  virtual Status Release(HandleId h) = 0;

  // --- versions, trash, maintenance (control API) ---
  // The inode at `path` (relative to the drive root, "" = root).
  virtual Result<InodeId> Resolve(const std::string& path) = 0;
  // Makes a version of the file now (a checkpoint when `message` is set); if nothing changed
  // since the current version, still records a checkpoint with the message.
  virtual Result<VersionInfo> Save(InodeId ino, const std::string& message) = 0;
  virtual Result<std::vector<VersionInfo>> ListVersions(InodeId ino) = 0;
  // Makes a new version whose content is version `number`'s. The file's name then refers to a new
  // inode that carries the whole history (as after a save by rename): handles still open on the
  // old inode keep reading what they had. Returns the new current version.
  virtual Result<VersionInfo> Restore(InodeId ino, uint64_t number) = 0;
  virtual Result<FileStatus> GetFileStatus(InodeId ino) = 0;
  virtual Result<std::vector<TrashEntry>> ListTrash() = 0;
  // The change feed of the drive (Catalog::ReadEvents): paths from the drive's root (a team
  // mount's: its workspace's).
  virtual Result<EventPage> ReadEvents(const EventQuery& query) = 0;
  // Restores a trash entry to `path` (its original path when empty).
  virtual Result<Attributes> RestoreFromTrash(uint64_t trash_id, const std::string& path) = 0;
  virtual Result<GcReport> CollectGarbage() = 0;
  virtual Result<FsckReport> Check() = 0;
  // Waits until every closed file's version is committed: first for releases of closed writers
  // still on their way from the kernel (at most a few seconds: a dup'ed descriptor may stay
  // open), then for the commit queue.
  virtual Status WaitIdle() = 0;
  virtual EngineCounters Counters() = 0;
  // Commits everything staged and stops background work; called before unmount.
  virtual Status Shutdown() = 0;
};

}  // namespace reel
