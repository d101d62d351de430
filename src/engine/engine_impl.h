// EngineImpl: the Engine behind the interface. Private to the engine module; its methods are
// spread over engine_*.cc files by family (namespace, files, versions, maintenance, open).
//
// Locking order: files_mu_ before FileState::mu; never take files_mu_ while holding a
// FileState::mu. Catalog and store calls are thread-safe and take no engine locks.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "catalog/catalog.h"
#include "chunking/chunker.h"
#include "engine/chunk_reader.h"
#include "engine/committer.h"
#include "engine/engine.h"
#include "engine/file_state.h"
#include "engine/inflight_chunks.h"
#include "engine/virtual_tree.h"
#include "store/object_store.h"

namespace reel {

TimeNs NowNs();

class EngineImpl final : public Engine {
 public:
  EngineImpl(std::unique_ptr<Catalog> catalog, std::unique_ptr<ObjectStore> store,
             EngineOptions options, std::unique_ptr<Chunker> chunker);
  ~EngineImpl() override;

  Status Recover();
  void StartCommitter();

  void SetInvalidationSink(InvalidationSink* sink) override { sink_.store(sink); }
  void SetFileLocks(std::shared_ptr<FileLocks> locks,
                    std::vector<std::string> lock_on_open) override;
  FileLocks* file_locks() override { return locks_.get(); }
  void ApplyRemoteChanges(const std::vector<ChangeEvent>& events) override;

  Result<Attributes> Lookup(InodeId parent, const std::string& name) override;
  Result<Attributes> GetAttributes(InodeId ino) override;
  Result<Attributes> SetAttributes(InodeId ino, const AttrUpdate& update,
                                   std::optional<uint64_t> size) override;
  Result<std::vector<DirEntry>> ReadDir(InodeId dir, uint64_t after, size_t limit) override;
  Result<Attributes> MakeDir(InodeId parent, const std::string& name, uint32_t mode, uint32_t uid,
                             uint32_t gid) override;
  Result<Attributes> MakeSymlink(InodeId parent, const std::string& name,
                                 const std::string& target, uint32_t uid, uint32_t gid) override;
  Result<std::string> ReadSymlink(InodeId ino) override;
  Result<Attributes> MakeNode(InodeId parent, const std::string& name, FileType type,
                              uint32_t mode, uint64_t rdev, uint32_t uid, uint32_t gid) override;
  Result<Attributes> Link(InodeId ino, InodeId new_parent, const std::string& name) override;
  Status Unlink(InodeId parent, const std::string& name) override;
  Status RemoveDir(InodeId parent, const std::string& name) override;
  Status Rename(InodeId old_parent, const std::string& old_name, InodeId new_parent,
                const std::string& new_name, RenameMode mode) override;
  Result<FsStats> StatFs() override;

  Result<std::string> GetXattr(InodeId ino, const std::string& name) override;
  Status SetXattr(InodeId ino, const std::string& name, const std::string& value,
                  bool create_only, bool replace_only) override;
  Result<std::vector<std::string>> ListXattrs(InodeId ino) override;
  Status RemoveXattr(InodeId ino, const std::string& name) override;

  Result<std::pair<Attributes, HandleId>> Create(InodeId parent, const std::string& name,
                                                 uint32_t mode, uint32_t uid, uint32_t gid,
                                                 OpenFlags flags) override;
  Result<HandleId> Open(InodeId ino, OpenFlags flags) override;
  Result<size_t> Read(HandleId h, uint64_t offset, std::span<uint8_t> out) override;
  Result<std::vector<SharedBytes>> ReadShared(HandleId h, uint64_t offset, size_t size) override;
  Result<size_t> Write(HandleId h, uint64_t offset, std::span<const uint8_t> data) override;
  Result<size_t> WriteFrom(HandleId h, uint64_t offset, size_t size,
                           const StagingFill& fill) override;
  Status Flush(HandleId h) override;
  Status Fsync(HandleId h, bool data_only) override;
  Status SyncMetadata() override { return catalog_->Sync(); }
  Status Fallocate(HandleId h, int mode, uint64_t offset, uint64_t length) override;
  Status Release(HandleId h) override;

  Result<InodeId> Resolve(const std::string& path) override;
  Result<VersionInfo> Save(InodeId ino, const std::string& message) override;
  Result<std::vector<VersionInfo>> ListVersions(InodeId ino) override;
  Result<VersionInfo> Restore(InodeId ino, uint64_t number) override;
  Result<FileStatus> GetFileStatus(InodeId ino) override;
  Result<std::vector<TrashEntry>> ListTrash() override;
  Result<EventPage> ReadEvents(const EventQuery& query) override;
  Result<Attributes> RestoreFromTrash(uint64_t trash_id, const std::string& path) override;
  Result<GcReport> CollectGarbage() override;
  Result<FsckReport> Check() override;
  Status WaitIdle() override;
  EngineCounters Counters() override;
  Status Shutdown() override;

 private:
  // Readahead state of one handle: a reader whose reads follow each other gets the chunks ahead
  // of it fetched in the background, in a window that doubles (4 MiB to 64 MiB) while it streams;
  // a jump resets it, so random access fetches only what it touches.
  struct ReadAhead {
    std::mutex mu;  // guards the fields below
    uint64_t next = 0;           // where a sequential reader reads next
    uint64_t window = 0;         // bytes to keep in flight ahead of it (0: not streaming)
    uint32_t streak = 0;         // reads in a row that followed the one before
    uint64_t prefetched_to = 0;  // prefetches were queued up to here
  };

  struct Handle {
    InodeId ino = 0;
    std::shared_ptr<FileState> file;              // real files
    std::shared_ptr<const VersionLayout> version;  // read-only version files
    OpenFlags flags;
    bool flushed = false;  // a descriptor was closed; counted in closing_writers_
    bool open_locked = false;  // counted in open_locks_ (lock-on-open)
    std::shared_ptr<ReadAhead> ra;                 // set by AddHandle
  };
  // A handle on a real file (not a version file).
  static Handle FileHandle(InodeId ino, std::shared_ptr<FileState> file, OpenFlags flags) {
    Handle h;
    h.ino = ino;
    h.file = std::move(file);
    h.flags = flags;
    return h;
  }
  // After a read of [offset, offset+n) of `layout` through handle `ra`: updates the stream and
  // prefetches chunks ahead.
  void AfterRead(ReadAhead& ra, const VersionLayout& layout, uint64_t offset, size_t n);
  // Read and ReadShared: up to `size` bytes at `offset` of the handle's content, walked by
  // `visit(content, n)` with the file's lock held; returns n.
  Result<size_t> ReadWith(HandleId h, uint64_t offset, size_t size,
                          const std::function<Status(const FileContent&, size_t)>& visit);

  // --- crash recovery (engine_open.cc) ---
  struct RecoveryPlan {
    bool recover = false;  // false: drop the record
    std::string why;       // the log line, and the recovered version's message
    VersionLayout base;    // what the staged writes apply to
  };
  // What to do with a staging record left by a previous run. An error (a catalog failure other
  // than NotFound) means: keep it, decide at a later open.
  Result<RecoveryPlan> PlanRecovery(const StagedMeta& meta);

  // --- file states (engine_files.cc) ---
  std::shared_ptr<FileState> Pin(InodeId ino);
  void Unpin(const std::shared_ptr<FileState>& fs);
  std::shared_ptr<FileState> FindFile(InodeId ino);
  // Whether the file is open, or holds writes not yet in a version: a replace or a restore then
  // sends it to the trash whole instead of taking over its history. A state merely still listed
  // (its last unpin found it busy) is neither.
  bool InUse(InodeId ino);
  // With fs->mu held exclusively:
  Status EnsureLoaded(FileState& fs);
  // Gives `fs` a staged layer (over the one being committed, if any) starting at `mtime`.
  Status EnsureStaged(FileState& fs, TimeNs mtime);
  // Queues or skips an autosave according to the policy, after the last writer is gone.
  Status AfterLastWrite(FileState& fs);
  // Notes in the staged layers of `fs` the fence of the write lock this mount holds on the file
  // (if any), before their records are written (fs.mu held).
  void NoteFence(FileState& fs);
  Result<Handle> GetHandle(HandleId h);
  // A handle of a real file open for writing (ReadOnly / PermissionDenied otherwise).
  Result<Handle> GetWritableHandle(HandleId h);
  HandleId AddHandle(Handle handle);
  Result<HandleId> OpenVersionFile(InodeId vino);

  // --- versions (engine_versions.cc) ---
  // Turns the file's staged writes into a version (a checkpoint of the current content when
  // nothing is staged); a layer left by a failed commit goes first, as a version of its own.
  // Takes fs.commit_mu, and fs.mu only for moments: reads and writes of the file go on meanwhile,
  // and writes made during the commit stay staged for the next one. Call without fs.mu held.
  // Background kinds (autosave, recovered) make no version when nothing is left to commit
  // (nullopt); a checkpoint always makes one.
  Result<std::optional<VersionInfo>> CommitFile(FileState& fs, VersionKind kind,
                                                const std::string& message);
  // CommitFile's part for one layer, with fs.commit_mu held: fs.committing becomes a version
  // (a checkpoint of the current content when it is null). On failure it stays for the next.
  Result<VersionInfo> CommitLayer(FileState& fs, VersionKind kind, const std::string& message);
  void CommitQueued(InodeId ino);
  void CommitAllDirty(VersionKind kind);
  // A commit answered with a conflict (VersionInfo::conflict): see engine_versions.cc.
  void NoteConflict(InodeId ino, const VersionInfo& info);
  // A background commit of `fs` (CommitFile): a failure is logged and kept in commit_errors_
  // for WaitIdle.
  void CommitInBackground(FileState& fs, VersionKind kind);
  void Invalidate(InodeId ino);
  void InvalidateEntry(InodeId parent, const std::string& name);

  // Lays a file's staged size and mtime over catalog attributes `a`. `epoch` is
  // dropped_states_ read before `a` was: if a state was dropped since (a commit finished and
  // its FileState left files_), `a` may predate that commit and is read again.
  Attributes Overlay(Attributes a, uint64_t epoch);
  // `a` as the file's layers show it (size, mtime); fs.mu held.
  static Attributes WithLayers(Attributes a, const FileState& fs);
  Status CheckWritableParent(InodeId parent, const std::string& name);
  // Lock-on-open (engine_locks.cc): whether a file named `name` is locked while open for
  // writing; takes that lock for one more writer of `ino` (Busy when another machine holds it);
  // lets go of one writer's, releasing the lock once no writer has the file open and nothing
  // of it waits to be committed (or at the end of its commit, ReleaseOpenLockIfIdle).
  bool LockedOnOpen(const std::string& name) const;
  Status TakeOpenLock(InodeId ino, const std::string& name);
  void DropOpenLockUser(InodeId ino);
  void ReleaseOpenLockIfIdle(InodeId ino);
  Result<std::pair<InodeId, std::string>> ResolveParent(const std::string& path);

  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<ObjectStore> store_;
  const EngineOptions options_;
  std::unique_ptr<Chunker> chunker_;
  ChunkReader reader_;
  InflightChunks inflight_;
  VirtualTree virtual_tree_;
  std::unique_ptr<Committer> committer_;
  std::atomic<InvalidationSink*> sink_{nullptr};

  // guards files_, handles_, next_handle_, FileState::pins, closing_writers_, changed_elsewhere_
  std::mutex files_mu_;
  std::condition_variable released_cv_;  // closing_writers_ dropped
  uint64_t closing_writers_ = 0;  // writer handles flushed but not yet released
  std::unordered_map<InodeId, std::shared_ptr<FileState>> files_;
  // Counts FileStates removed from files_ (incremented under files_mu_); see Overlay.
  std::atomic<uint64_t> dropped_states_{0};
  std::unordered_map<HandleId, Handle> handles_;
  HandleId next_handle_ = 1;
  // Files open here when another machine made a new version of them (ApplyRemoteChanges), with
  // the directory and name the version was made under: they read the version they opened until
  // closed; then the kernel's inode of them (its pages and, with the writeback cache, its own
  // size and times, refilled from that version meanwhile) is dropped (Unpin).
  std::unordered_map<InodeId, std::pair<InodeId, std::string>> changed_elsewhere_;

  // Files whose last background commit failed (disk full, store down): their data stays staged;
  // WaitIdle (reel sync) tries them again and reports what still fails. A leaf lock.
  std::mutex commit_errors_mu_;  // guards commit_errors_
  std::map<InodeId, Status> commit_errors_;

  // Locks other machines see, and the name endings locked on open: set before serving.
  std::shared_ptr<FileLocks> locks_;
  std::vector<std::string> lock_on_open_;  // lower case
  // A leaf lock but for FileState::mu and files_mu_, which may be taken under it.
  std::mutex open_locks_mu_;  // guards open_locks_
  // Files this mount holds a lock-on-open of, with how many writer handles use it.
  std::unordered_map<InodeId, uint32_t> open_locks_;

  std::atomic<uint64_t> chunks_written_{0};
  std::atomic<uint64_t> chunk_bytes_written_{0};
  std::atomic<uint64_t> chunks_deduplicated_{0};
  std::atomic<uint64_t> versions_committed_{0};
  std::atomic<uint64_t> conflicts_{0};
  std::atomic<bool> shut_down_{false};
};

}  // namespace reel
