// Versions: commits of staged writes, checkpoints, restores, per-file status.
#include <set>

#include <spdlog/spdlog.h>

#include "engine/chunk_keys.h"
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
  return info;
}

void EngineImpl::CommitQueued(InodeId ino) {
  auto fs = FindFile(ino);
  if (!fs) return;
  fs = Pin(ino);
  {
    std::unique_lock lock(fs->mu);
    // A writer that reopened the file will queue it again when it closes (on-close policy).
    if (fs->Dirty() && (fs->writers == 0 || options_.policy == VersionPolicy::kInterval)) {
      auto info = CommitLocked(*fs, VersionKind::kAutosave, "");
      if (!info.ok()) {
        spdlog::error("autosave of inode {} failed (staged data kept): {}", ino,
                      info.status().ToString());
      }
    }
  }
  Unpin(fs);
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
      if (fs->Dirty()) {
        auto info = CommitLocked(*fs, kind, "");
        if (!info.ok()) {
          spdlog::error("commit of inode {} failed (staged data kept): {}", ino,
                        info.status().ToString());
        }
      }
    }
    Unpin(fs);
  }
}

void EngineImpl::Invalidate(InodeId ino) {
  if (InvalidationSink* sink = sink_.load()) sink->InvalidateContent(ino);
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

Result<VersionInfo> EngineImpl::Restore(InodeId ino, uint64_t number) {
  if (VirtualTree::IsVirtual(ino)) return Status(Code::kReadOnly, "versions are read-only");
  REEL_ASSIGN_OR_RETURN(Version old, catalog_->GetVersion(ino, number));
  auto fs = Pin(ino);
  Result<VersionInfo> result = Status::Internal("unset");
  {
    std::unique_lock lock(fs->mu);
    // Unsaved changes become a version first, so the restore loses nothing.
    Status s = EnsureLoaded(*fs);
    if (s.ok() && fs->Dirty()) s = CommitLocked(*fs, VersionKind::kAutosave, "").status();
    if (!s.ok()) {
      result = s;
    } else {
      NewVersion nv{old.info.size, old.chunks, VersionKind::kRestore,
                    "restored from version " + std::to_string(number), NowNs()};
      ChunkUploader pin(store_.get(), catalog_.get(), &inflight_, 1, 0);
      for (const auto& c : old.chunks) pin.AddExisting(c);
      result = catalog_->CommitVersion(ino, nv, NowNs());
      if (result.ok()) {
        auto version = std::make_shared<Version>(Version{*result, old.chunks});
        fs->base = VersionLayout(std::move(version));
        if (fs->staged) s = fs->staged->MarkCommitted(result->number, result->size);
        ++versions_committed_;
        if (!s.ok()) result = s;
      }
    }
  }
  Unpin(fs);
  if (result.ok()) Invalidate(ino);
  return result;
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
