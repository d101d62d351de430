// Versions: commits of staged writes, checkpoints, restores, per-file status.
#include <set>

#include <spdlog/spdlog.h>

#include "store/chunk_keys.h"
#include "engine/chunk_uploader.h"
#include "engine/engine_impl.h"
#include "engine/version_builder.h"

namespace reel {

Result<VersionInfo> EngineImpl::CommitLocked(FileState& fs, VersionKind kind,
                                             const std::string& message) {
  REEL_RETURN_IF_ERROR(EnsureLoaded(fs));
  NewVersion nv;
  nv.kind = kind;
  nv.message = message;
  // The uploader keeps every chunk id pinned against GC until the catalog commit is done.
  ChunkUploader uploader(store_.get(), catalog_.get(), &inflight_, options_.upload_threads,
                         4ull * chunker_->MaxChunk());
  // Attribute reads meanwhile see the staged size and mtime without waiting (FileState).
  struct CommittingScope {
    FileState& fs;
    explicit CommittingScope(FileState& f) : fs(f) {
      std::lock_guard lock(fs.committing_mu);
      if (fs.staged) fs.committing = FileState::CommittingAttrs{fs.staged->size(), fs.staged->mtime()};
    }
    ~CommittingScope() {
      std::lock_guard lock(fs.committing_mu);
      fs.committing.reset();
    }
  } committing(fs);
  if (fs.staged) {
    REEL_RETURN_IF_ERROR(BuildVersionChunks(fs.base, *fs.staged, &reader_, *chunker_, &uploader));
    REEL_ASSIGN_OR_RETURN(nv.chunks, uploader.Finish());
    nv.size = fs.staged->size();
    nv.mtime = fs.staged->mtime();
  } else {
    // Nothing staged: a checkpoint of the current content.
    nv.chunks = fs.base.chunks();
    for (const auto& c : nv.chunks) uploader.AddExisting(c);
    nv.size = fs.base.size();
    REEL_ASSIGN_OR_RETURN(Attributes attr, catalog_->GetAttributes(fs.ino));
    nv.mtime = attr.mtime;
  }
  REEL_ASSIGN_OR_RETURN(VersionInfo info, catalog_->CommitVersion(fs.ino, nv, NowNs()));
  auto version = std::make_shared<Version>();
  version->info = info;
  version->chunks = std::move(nv.chunks);
  fs.base = VersionLayout(std::move(version));
  if (fs.staged) {
    if (fs.writers > 0) {
      REEL_RETURN_IF_ERROR(fs.staged->MarkCommitted(info.number, info.size));
    } else {
      fs.staged->Remove();
      fs.staged.reset();
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
  return info;
}

void EngineImpl::CommitInBackground(FileState& fs, VersionKind kind) {
  auto info = CommitLocked(fs, kind, "");
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
    {
      std::unique_lock lock(fs->mu);
      dirty = fs->Dirty();
      // A writer that reopened the file will queue it again when it closes (on-close policy).
      if (dirty && (fs->writers == 0 || options_.policy == VersionPolicy::kInterval)) {
        CommitInBackground(*fs, VersionKind::kAutosave);
      }
    }
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
      // A state busy right now is being committed or written; check it anyway below.
      if (!fs_lock.owns_lock() || fs->Dirty()) dirty.push_back(ino);
    }
  }
  for (InodeId ino : dirty) {
    auto fs = Pin(ino);
    {
      std::unique_lock lock(fs->mu);
      if (fs->Dirty()) CommitInBackground(*fs, kind);
    }
    Unpin(fs);
  }
}

void EngineImpl::Invalidate(InodeId ino) {
  if (InvalidationSink* sink = sink_.load()) sink->InvalidateContent(ino);
}

void EngineImpl::InvalidateEntry(InodeId parent, const std::string& name) {
  if (InvalidationSink* sink = sink_.load()) sink->InvalidateEntry(parent, name);
}

Result<VersionInfo> EngineImpl::Save(InodeId ino, const std::string& message) {
  if (VirtualTree::IsVirtual(ino)) return Status(Code::kReadOnly, "versions are read-only");
  auto fs = Pin(ino);
  Result<VersionInfo> result = Status::Internal("unset");
  {
    std::unique_lock lock(fs->mu);
    result = CommitLocked(*fs, VersionKind::kCheckpoint, message);
  }
  Unpin(fs);
  return result;
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
    Status s;
    {
      std::unique_lock lock(fs->mu);
      s = EnsureLoaded(*fs);
      if (s.ok() && fs->Dirty()) s = CommitLocked(*fs, VersionKind::kAutosave, "").status();
    }
    Unpin(fs);
    REEL_RETURN_IF_ERROR(s);
  }
  // Still known to the engine after our unpin: open, or with writes staged by an open writer.
  const bool in_use = FindFile(ino) != nullptr;

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
  NewVersion nv{old.info.size, old.chunks, VersionKind::kRestore,
                "restored from version " + std::to_string(number), NowNs()};
  if (s.ok()) {
    ChunkUploader pin(store_.get(), catalog_.get(), &inflight_, 1, 0);  // pins chunks against GC
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
  if (auto fs = FindFile(ino)) {
    std::shared_lock lock(fs->mu);
    if (fs->staged) {
      st.dirty = fs->staged->dirty();
      st.staged_bytes = fs->staged->extents().TotalBytes();
    }
  }
  REEL_ASSIGN_OR_RETURN(Attributes committed, catalog_->GetAttributes(ino));
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
