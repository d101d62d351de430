// Versions: commits of staged writes, checkpoints, restores, per-file status.
#include <filesystem>
#include <set>

#include <spdlog/spdlog.h>

#include "store/chunk_keys.h"
#include "engine/chunk_uploader.h"
#include "engine/engine_impl.h"
#include "engine/file_locks.h"
#include "engine/version_builder.h"

namespace reel {

Result<std::optional<VersionInfo>> EngineImpl::CommitFile(FileState& fs, VersionKind kind,
                                                          const std::string& message) {
  std::lock_guard commit(fs.commit_mu);
  bool pending = false, newer = false;
  {
    std::unique_lock lock(fs.mu);
    REEL_RETURN_IF_ERROR(EnsureLoaded(fs));
    // Another commit may have taken everything while this one waited for commit_mu.
    if (kind != VersionKind::kCheckpoint && !fs.Dirty()) return std::optional<VersionInfo>();
    pending = fs.committing != nullptr;
    newer = fs.staged != nullptr;
  }
  if (pending) {
    // Writes a failed commit left: the version asked for when nothing was written since, else
    // the version before the writes staged since.
    if (!newer) {
      REEL_ASSIGN_OR_RETURN(VersionInfo info, CommitLayer(fs, kind, message));
      return std::optional<VersionInfo>(info);
    }
    REEL_ASSIGN_OR_RETURN(VersionInfo info, CommitLayer(fs, VersionKind::kAutosave, ""));
    std::shared_lock lock(fs.mu);
    if (kind != VersionKind::kCheckpoint && !fs.Dirty()) return std::optional<VersionInfo>(info);
  }
  {
    std::unique_lock lock(fs.mu);
    if (fs.staged) {
      // The record goes down before a layer over it can exist, so recovery finds every layer
      // below a recorded one (the staging of a file closed earlier is recorded already).
      NoteFence(fs);
      REEL_RETURN_IF_ERROR(fs.staged->RecordIfChanged());
      fs.committing = std::move(fs.staged);
    }
  }
  REEL_ASSIGN_OR_RETURN(VersionInfo info, CommitLayer(fs, kind, message));
  return std::optional<VersionInfo>(info);
}

Result<VersionInfo> EngineImpl::CommitLayer(FileState& fs, VersionKind kind,
                                            const std::string& message) {
  std::shared_ptr<StagedFile> layer;
  VersionLayout base;
  // Whether the version must be on disk before the layer's files go (read under the lock: an
  // fsync may write the layer's record meanwhile). A layer with no files (a new file closed
  // unwritten) loses nothing if the version is lost; a named checkpoint was asked for, and is
  // acknowledged, so it is made durable either way.
  bool durable = kind == VersionKind::kCheckpoint;
  uint64_t noted_fence = 0;  // the lock the layer's writes were made under, as its record says
  {
    std::shared_lock lock(fs.mu);
    layer = fs.committing;
    base = fs.base;
    if (layer && layer->on_disk()) durable = true;
    if (layer) noted_fence = layer->meta().fence;
  }
  NewVersion nv;
  nv.kind = kind;
  nv.message = message;
  // The version names the staging record it comes from, so crash recovery can tell whether
  // a record left behind was committed (staged_file.h).
  if (layer) nv.commit_id = layer->id();
  // It names the version it was made from, so it never silently replaces one made elsewhere
  // meanwhile. Recovery knowingly puts this machine's acknowledged writes on the current version.
  if (kind != VersionKind::kRecovered) nv.base = base.id();
  // Written under a lock other machines see: the server refuses the content as current if that
  // lock's session lapsed meanwhile (this mount was gone longer than its lease). Writes
  // recovered after a crash carry the fence their record noted (the lock of the run that died).
  nv.fence = noted_fence;
  if (locks_) {
    if (uint64_t held = locks_->FenceFor(fs.ino); held != 0) nv.fence = held;
  }
  // The uploader keeps every chunk id pinned against GC until the catalog commit is done.
  ChunkUploader uploader(store_.get(), catalog_.get(), &inflight_, options_.chunk_names,
                         options_.upload_threads,
                         4ull * chunker_->MaxChunk());
  if (layer) {
    REEL_RETURN_IF_ERROR(BuildVersionChunks(base, *layer, &reader_, *chunker_, &uploader));
    REEL_ASSIGN_OR_RETURN(nv.chunks, uploader.Finish());
    nv.size = layer->size();
    nv.mtime = layer->mtime();
  } else {
    // Nothing staged: a checkpoint of the current content.
    nv.chunks = base.chunks();
    for (const auto& c : nv.chunks) uploader.AddExisting(c);
    nv.size = base.size();
    REEL_ASSIGN_OR_RETURN(Attributes attr, catalog_->GetAttributes(fs.ino));
    nv.mtime = attr.mtime;
  }
  REEL_ASSIGN_OR_RETURN(VersionInfo info, catalog_->CommitVersion(fs.ino, nv, NowNs()));
  if (info.conflict) NoteConflict(fs.ino, info);
  auto version = std::make_shared<Version>();
  version->info = info;
  version->chunks = std::move(nv.chunks);
  // The version must be on disk before the staged data it came from goes: the catalog commits
  // without an fsync, so a power cut could otherwise keep the removal and lose the version.
  const Status synced = durable ? catalog_->Sync() : Status::Ok();
  {
    std::unique_lock lock(fs.mu);
    fs.base = VersionLayout(std::move(version));
    if (fs.mtime_after_commit) {
      AttrUpdate mtime;
      mtime.mtime = *fs.mtime_after_commit;
      fs.mtime_after_commit.reset();
      if (auto set = catalog_->SetAttributes(fs.ino, mtime, NowNs()); !set.ok()) {
        spdlog::error("inode {}: mtime set during a commit not kept: {}", fs.ino,
                      set.status().ToString());
      }
    }
    if (layer) {
      fs.committing.reset();
      // Writes made meanwhile now lie on the new version. Their record says so before the
      // committed layer's record goes; if either step fails, both records stay, which recovery
      // reads right too (the committed one is older than the file's version, or its version was
      // lost and it is recovered again; the other lies over it).
      // Without a sync (a layer with no files), a power cut may keep the rebased record and lose
      // the version: recovery then finds the record's base missing and lays it on the file's
      // current version, which holds the same bytes (a layer with no files is its base). So no
      // fsync is needed here, under the file's lock.
      Status kept = synced;
      if (kept.ok() && fs.staged) kept = fs.staged->Rebase(info.number, info.created);
      if (kept.ok()) {
        layer->Remove();
      } else {
        spdlog::error("commit of inode {}: its staging is kept: {}", fs.ino, kept.ToString());
      }
    }
  }
  const UploadStats& st = uploader.stats();
  chunks_written_ += st.chunks_written;
  chunk_bytes_written_ += st.bytes_written;
  chunks_deduplicated_ += st.chunks_deduplicated;
  ++versions_committed_;
  {
    std::lock_guard lock(commit_errors_mu_);
    commit_errors_.erase(fs.ino);
  }
  if (locks_) {
    locks_->Committed(fs.ino, nv.fence);
    ReleaseOpenLockIfIdle(fs.ino);
  }
  if (options_.on_committed) {
    options_.on_committed(info.conflict_copy != 0 ? info.conflict_copy : fs.ino, info);
  }
  return info;
}

// The commit was made on a version that another machine replaced meanwhile. With
// last-writer-wins it became current as usual. Otherwise the file's current version is the other
// one: the writes stay this machine's view of the file (the staged layer and the kernel's pages
// are on them) until it is closed everywhere here; then its state goes and the kernel forgets it,
// so the next open reads the current version (as for a version made elsewhere).
void EngineImpl::NoteConflict(InodeId ino, const VersionInfo& info) {
  conflicts_.fetch_add(1);
  if (info.conflict == ConflictPolicy::kLastWriterWins) {
    spdlog::warn("inode {}: saved over a version made elsewhere meanwhile (it stays a version)",
                 ino);
    return;
  }
  const bool copied = info.conflict == ConflictPolicy::kKeepBoth;
  spdlog::warn("inode {}: another version was saved elsewhere meanwhile (or this mount's lock on "
               "it lapsed); this one is kept {}",
               ino,
               copied ? "as \"" + info.conflict_copy_name + "\"" : "as rejected version " +
                                                                   std::to_string(info.number));
  Result<std::string> path = catalog_->PathOf(ino);
  Result<std::pair<InodeId, std::string>> where =
      path.ok() ? ResolveParent(*path) : Result<std::pair<InodeId, std::string>>(path.status());
  {
    std::lock_guard lock(files_mu_);
    changed_elsewhere_[ino] = where.ok() ? *where : std::make_pair(InodeId{0}, std::string());
  }
  // The copy is a new name in the directory: its listing and times changed.
  if (InvalidationSink* sink = sink_.load(); copied && where.ok() && sink != nullptr) {
    sink->InvalidateLater(where->first, 0, std::string());
  }
}

void EngineImpl::CommitInBackground(FileState& fs, VersionKind kind) {
  auto info = CommitFile(fs, kind, "");
  if (info.ok()) return;
  spdlog::error("commit of inode {} failed (staged data kept): {}", fs.ino,
                info.status().ToString());
  std::lock_guard lock(commit_errors_mu_);
  commit_errors_[fs.ino] = info.status();
}

void EngineImpl::CommitQueued(InodeId ino) {
  auto fs = FindFile(ino);
  bool dirty = false;
  if (fs) {
    fs = Pin(ino);
    bool commit = false;
    {
      std::shared_lock lock(fs->mu);
      dirty = fs->Dirty();
      // A writer that reopened the file will queue it again when it closes (on-close policy).
      commit = dirty && (fs->writers == 0 || options_.policy == VersionPolicy::kInterval);
    }
    if (commit) CommitInBackground(*fs, VersionKind::kAutosave);
    Unpin(fs);
  }
  if (!dirty) {  // nothing left to commit (removed, truncated away): no failure to report
    std::lock_guard lock(commit_errors_mu_);
    commit_errors_.erase(ino);
  }
}

void EngineImpl::CommitAllDirty(VersionKind kind) {
  std::vector<InodeId> dirty;
  {
    std::lock_guard lock(files_mu_);
    for (const auto& [ino, fs] : files_) {
      std::shared_lock fs_lock(fs->mu, std::try_to_lock);
      // A state busy right now is being written; check it anyway below.
      if (!fs_lock.owns_lock() || fs->Dirty()) dirty.push_back(ino);
    }
  }
  for (InodeId ino : dirty) {
    auto fs = Pin(ino);
    CommitInBackground(*fs, kind);  // commits nothing when nothing is left to commit
    Unpin(fs);
  }
}

void EngineImpl::Invalidate(InodeId ino) {
  if (InvalidationSink* sink = sink_.load()) sink->InvalidateContent(ino);
}

void EngineImpl::InvalidateEntry(InodeId parent, const std::string& name) {
  if (InvalidationSink* sink = sink_.load()) sink->InvalidateEntry(parent, name);
}

void EngineImpl::ApplyRemoteChanges(const std::vector<ChangeEvent>& events) {
  // Each once, however many events touched it (a thousand files made in one directory).
  std::set<InodeId> inodes;  // attributes and pages; a directory's listing, times, link count
  std::set<std::pair<InodeId, std::string>> names;
  auto base_name = [](const std::string& path) {
    return std::filesystem::path(path).filename().string();
  };
  for (const ChangeEvent& e : events) {
    if (e.kind == ChangeKind::kTask) continue;  // for the task runner
    if (e.kind == ChangeKind::kLockTaken || e.kind == ChangeKind::kLockReleased) {
      if (e.kind == ChangeKind::kLockReleased && locks_) locks_->ReleasedElsewhere(e.ino);
      continue;
    }
    inodes.insert(e.ino);
    // A name made or gone changes its directory. A file's new content or attributes drop its
    // name too: with the writeback cache the kernel keeps its own size and times of an inode it
    // holds, and only a fresh lookup of an evicted one reads the new ones.
    if (e.parent != 0) names.emplace(e.parent, base_name(e.path));
    if (e.old_parent != 0) names.emplace(e.old_parent, base_name(e.old_path));
    if (ChangesNames(e.kind)) {
      if (e.parent != 0) inodes.insert(e.parent);
      if (e.old_parent != 0) inodes.insert(e.old_parent);
    }
  }
  {
    std::lock_guard lock(files_mu_);
    for (const ChangeEvent& e : events) {
      // A publish changes the content members of an on-publish workspace see.
      const bool content = e.kind == ChangeKind::kVersion || e.kind == ChangeKind::kPublished;
      if (content && files_.count(e.ino) != 0) {
        changed_elsewhere_[e.ino] = {e.parent, base_name(e.path)};
      }
    }
  }
  for (const auto& [parent, name] : names) InvalidateEntry(parent, name);
  for (InodeId ino : inodes) Invalidate(ino);
}

Result<VersionInfo> EngineImpl::Save(InodeId ino, const std::string& message) {
  if (VirtualTree::IsVirtual(ino)) return Status(Code::kReadOnly, "versions are read-only");
  auto fs = Pin(ino);
  auto result = CommitFile(*fs, VersionKind::kCheckpoint, message);
  Unpin(fs);
  if (!result.ok()) return result.status();
  return **result;  // a checkpoint always makes a version
}

Result<std::vector<VersionInfo>> EngineImpl::ListVersions(InodeId ino) {
  if (VirtualTree::IsVirtual(ino)) return Status::InvalidArgument("not a file of the drive");
  REEL_ASSIGN_OR_RETURN(Attributes a, catalog_->GetAttributes(ino));
  if (a.type != FileType::kRegular) return Status::InvalidArgument("only regular files have versions");
  return catalog_->ListVersions(ino);
}

// With the kernel's writeback cache, the kernel owns the size of a regular file it caches, so
// content must never change under an existing inode behind its back. A restore therefore does what
// a save by rename does: the old version's chunks become a new file, renamed over the name with
// the history kept.
Result<VersionInfo> EngineImpl::Restore(InodeId ino, uint64_t number) {
  if (VirtualTree::IsVirtual(ino)) return Status(Code::kReadOnly, "versions are read-only");
  REEL_ASSIGN_OR_RETURN(Version old, catalog_->GetVersion(ino, number));
  REEL_ASSIGN_OR_RETURN(Attributes attr, catalog_->GetAttributes(ino));
  REEL_ASSIGN_OR_RETURN(std::string path, catalog_->PathOf(ino));
  REEL_ASSIGN_OR_RETURN(auto where, ResolveParent(path));
  const auto& [parent, name] = where;
  {
    // Unsaved changes become a version first, so the restore loses nothing.
    auto fs = Pin(ino);
    Status s = CommitFile(*fs, VersionKind::kAutosave, "").status();
    Unpin(fs);
    REEL_RETURN_IF_ERROR(s);
  }
  // Open, or with writes staged by an open writer.
  const bool in_use = InUse(ino);

  const std::string temp = ".reel-restore-" + std::to_string(ino) + "-" + std::to_string(NowNs());
  REEL_ASSIGN_OR_RETURN(Attributes fresh,
                        catalog_->CreateNode(parent, temp,
                                             NewNode{FileType::kRegular, attr.mode, attr.uid,
                                                     attr.gid, {}, 0},
                                             NowNs()));
  Status s;
  if (fresh.gid != attr.gid) {
    // A setgid directory gave the new inode its group: the restored file keeps the file's own.
    AttrUpdate keep;
    keep.gid = attr.gid;
    keep.mode = attr.mode;
    s = catalog_->SetAttributes(fresh.ino, keep, NowNs()).status();
  }
  NewVersion nv;
  nv.size = old.info.size;
  nv.chunks = old.chunks;
  nv.kind = VersionKind::kRestore;
  nv.message = "restored from version " + std::to_string(number);
  nv.mtime = NowNs();
  nv.base = 0;  // the new file has no version
  if (s.ok()) {
    ChunkUploader pin(store_.get(), catalog_.get(), &inflight_, options_.chunk_names, 1, 0);  // pins chunks against GC
    for (const auto& c : old.chunks) pin.AddExisting(c);
    s = catalog_->CommitVersion(fresh.ino, nv, NowNs()).status();
  }
  if (s.ok()) {
    // An open old file goes to the trash whole (its handles keep working); otherwise the new
    // file takes over its history.
    RenameMode mode = in_use ? RenameMode::kReplace : RenameMode::kReplaceKeepHistory;
    s = catalog_->Rename(parent, temp, parent, name, mode, NowNs()).status();
  }
  if (!s.ok()) {
    (void)catalog_->Unlink(parent, temp, NowNs());
    return s;
  }
  ++versions_committed_;
  InvalidateEntry(parent, name);
  Invalidate(parent);
  REEL_ASSIGN_OR_RETURN(Version current, catalog_->GetVersion(fresh.ino, 0));
  return current.info;
}

Result<FileStatus> EngineImpl::GetFileStatus(InodeId ino) {
  if (VirtualTree::IsVirtual(ino)) return Status::InvalidArgument("not a file of the drive");
  FileStatus st;
  REEL_ASSIGN_OR_RETURN(st.attr, GetAttributes(ino));
  REEL_ASSIGN_OR_RETURN(st.path, catalog_->PathOf(ino));
  if (st.attr.type != FileType::kRegular) return st;
  if (locks_) {
    REEL_ASSIGN_OR_RETURN(st.locks, locks_->Holders(ino));
  }
  if (auto fs = FindFile(ino)) {
    std::shared_lock lock(fs->mu);
    st.dirty = fs->Dirty();
    for (const StagedFile* layer : {static_cast<const StagedFile*>(fs->committing.get()),
                                    static_cast<const StagedFile*>(fs->staged.get())}) {
      if (layer) st.staged_bytes += layer->extents().TotalBytes();
    }
  }
  REEL_ASSIGN_OR_RETURN(Attributes committed, catalog_->GetAttributes(ino));
  REEL_ASSIGN_OR_RETURN(std::vector<VersionInfo> versions, catalog_->ListVersions(ino));
  for (VersionInfo& v : versions) {
    if (v.kind == VersionKind::kRejected && v.number > committed.version) {
      st.rejected.push_back(std::move(v));
    }
  }
  if (committed.version == 0) return st;
  REEL_ASSIGN_OR_RETURN(Version v, catalog_->GetVersion(ino, committed.version));
  std::set<ChunkId> distinct;
  for (const auto& c : v.chunks) {
    if (IsHole(c.id)) continue;
    ++st.chunk_count;
    if (distinct.insert(c.id).second) st.unique_chunk_bytes += c.length;
  }
  st.current = v.info;
  return st;
}

}  // namespace reel
