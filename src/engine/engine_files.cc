// File content: open handles, reads, staged writes, fsync, close.
#include <fcntl.h>
#include <linux/falloc.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "engine/engine_impl.h"
#include "engine/file_locks.h"

namespace reel {

std::shared_ptr<FileState> EngineImpl::Pin(InodeId ino) {
  std::lock_guard lock(files_mu_);
  auto& slot = files_[ino];
  if (!slot) slot = std::make_shared<FileState>(ino);
  ++slot->pins;
  return slot;
}

void EngineImpl::Unpin(const std::shared_ptr<FileState>& fs) {
  std::optional<std::pair<InodeId, std::string>> stale;
  {
    std::lock_guard lock(files_mu_);
    if (--fs->pins > 0) return;
    std::unique_lock fs_lock(fs->mu, std::try_to_lock);
    // A state with staged writes stays until they are committed; a busy one stays too (its
    // holder pinned it, or will find it again through files_).
    if (fs_lock.owns_lock() && !fs->staged && !fs->committing) {
      files_.erase(fs->ino);
      dropped_states_.fetch_add(1);
      auto changed = changed_elsewhere_.find(fs->ino);
      if (changed != changed_elsewhere_.end()) {
        stale = std::move(changed->second);
        changed_elsewhere_.erase(changed);
      }
    }
  }
  // Perhaps inside a request handler (a release): the adapter sends it from its own thread.
  if (InvalidationSink* sink = sink_.load(); stale && sink != nullptr) {
    sink->InvalidateLater(fs->ino, stale->first, stale->second);
  }
}

std::shared_ptr<FileState> EngineImpl::FindFile(InodeId ino) {
  std::lock_guard lock(files_mu_);
  auto it = files_.find(ino);
  return it == files_.end() ? nullptr : it->second;
}

bool EngineImpl::InUse(InodeId ino) {
  std::shared_ptr<FileState> fs;
  {
    std::lock_guard lock(files_mu_);
    auto it = files_.find(ino);
    if (it == files_.end()) return false;
    fs = it->second;
    for (const auto& [id, handle] : handles_) {
      if (handle.file == fs) return true;
    }
  }
  std::shared_lock lock(fs->mu);  // never waited for while files_mu_ is held
  return fs->Dirty();
}

Status EngineImpl::EnsureLoaded(FileState& fs) {
  if (fs.loaded) return Status::Ok();
  REEL_ASSIGN_OR_RETURN(Attributes attr, catalog_->GetAttributes(fs.ino));
  if (attr.type == FileType::kDirectory) return Status::IsDirectory("is a directory");
  if (attr.type != FileType::kRegular) return Status::InvalidArgument("not a regular file");
  if (attr.version > 0) {
    REEL_ASSIGN_OR_RETURN(Version v, catalog_->GetVersion(fs.ino, attr.version));
    fs.base = VersionLayout(std::make_shared<const Version>(std::move(v)));
  } else {
    fs.base = VersionLayout();
  }
  fs.loaded = true;
  return Status::Ok();
}

Status EngineImpl::EnsureStaged(FileState& fs, TimeNs mtime) {
  if (fs.staged) return Status::Ok();
  if (fs.committing) {
    // A commit is under way: these writes go over what it commits, without waiting for it.
    REEL_ASSIGN_OR_RETURN(fs.staged, StagedFile::CreateOver(*fs.committing, mtime));
    return Status::Ok();
  }
  REEL_ASSIGN_OR_RETURN(fs.staged, StagedFile::Create(options_.staging_dir, fs.ino, fs.base.number(),
                                                      fs.base.size(), mtime, fs.base.created()));
  return Status::Ok();
}

HandleId EngineImpl::AddHandle(Handle handle) {
  handle.ra = std::make_shared<ReadAhead>();
  std::lock_guard lock(files_mu_);
  HandleId id = next_handle_++;
  handles_.emplace(id, std::move(handle));
  return id;
}

Result<EngineImpl::Handle> EngineImpl::GetHandle(HandleId h) {
  std::lock_guard lock(files_mu_);
  auto it = handles_.find(h);
  if (it == handles_.end()) return Status::InvalidArgument("bad file handle");
  return it->second;
}

Result<EngineImpl::Handle> EngineImpl::GetWritableHandle(HandleId h) {
  REEL_ASSIGN_OR_RETURN(Handle handle, GetHandle(h));
  if (!handle.file) return Status(Code::kReadOnly, "versions are read-only");
  if (!handle.flags.write) return Status::PermissionDenied("file not open for writing");
  return handle;
}

Result<HandleId> EngineImpl::OpenVersionFile(InodeId vino) {
  InodeId file;
  uint64_t number;
  if (!VirtualTree::DecodeVersionFile(vino, &file, &number)) {
    return Status::IsDirectory("is a directory");
  }
  REEL_ASSIGN_OR_RETURN(Version v, catalog_->GetVersion(file, number));
  Handle handle;
  handle.ino = vino;
  handle.version = std::make_shared<const VersionLayout>(std::make_shared<const Version>(std::move(v)));
  return AddHandle(std::move(handle));
}

Result<HandleId> EngineImpl::Open(InodeId ino, OpenFlags flags) {
  if (VirtualTree::IsVirtual(ino)) {
    if (flags.write || flags.truncate) return Status(Code::kReadOnly, "versions are read-only");
    return OpenVersionFile(ino);
  }
  bool open_locked = false;
  if (flags.write && locks_ && !lock_on_open_.empty()) {
    // Before anything changes (a truncate): another machine holding it open refuses this open.
    Result<std::string> path = catalog_->PathOf(ino);
    const std::string name =
        path.ok() ? std::filesystem::path(*path).filename().string() : std::string();
    if (LockedOnOpen(name)) {
      REEL_RETURN_IF_ERROR(TakeOpenLock(ino, name));
      open_locked = true;
    }
  }
  auto fs = Pin(ino);
  {
    std::unique_lock lock(fs->mu);
    Status s = EnsureLoaded(*fs);
    if (s.ok() && flags.truncate && flags.write) {
      s = EnsureStaged(*fs, NowNs());
      if (s.ok()) s = fs->staged->Truncate(0, NowNs());
    }
    if (!s.ok()) {
      lock.unlock();
      if (open_locked) DropOpenLockUser(ino);
      Unpin(fs);
      return s;
    }
    if (flags.write) ++fs->writers;
  }
  Handle handle = FileHandle(ino, fs, flags);
  handle.open_locked = open_locked;
  return AddHandle(std::move(handle));
}

Result<std::pair<Attributes, HandleId>> EngineImpl::Create(InodeId parent, const std::string& name,
                                                           uint32_t mode, uint32_t uid,
                                                           uint32_t gid, OpenFlags flags) {
  REEL_RETURN_IF_ERROR(CheckWritableParent(parent, name));
  NewNode node{FileType::kRegular, mode & 07777, uid, gid, {}};
  REEL_ASSIGN_OR_RETURN(Attributes attr, catalog_->CreateNode(parent, name, node, NowNs()));
  auto fs = Pin(attr.ino);
  {
    std::unique_lock lock(fs->mu);
    if (!fs->loaded) {  // a new file: no version yet, nothing to read from the catalog
      fs->base = VersionLayout();
      fs->loaded = true;
    }
    // Not staged: a file closed empty has nothing to keep, so it gets no version (it reads
    // empty); its first write makes version 1. A create then costs no commit.
    ++fs->writers;
  }
  flags.write = true;
  Handle handle = FileHandle(attr.ino, fs, flags);
  if (LockedOnOpen(name)) {
    Status locked = TakeOpenLock(attr.ino, name);
    if (locked.ok()) {
      handle.open_locked = true;
    } else {
      spdlog::warn("\"{}\": made, but not locked on open: {}", name, locked.ToString());
    }
  }
  return std::make_pair(attr, AddHandle(std::move(handle)));
}

Result<size_t> EngineImpl::ReadWith(HandleId h, uint64_t offset, size_t size,
                                    const std::function<Status(const FileContent&, size_t)>& visit) {
  REEL_ASSIGN_OR_RETURN(Handle handle, GetHandle(h));
  if (handle.version) {
    const VersionLayout& v = *handle.version;
    if (offset >= v.size()) return size_t{0};
    size_t n = static_cast<size_t>(std::min<uint64_t>(size, v.size() - offset));
    AfterRead(*handle.ra, v, offset, n);
    REEL_RETURN_IF_ERROR(visit(FileContent{&v}, n));
    return n;
  }
  FileState& fs = *handle.file;
  std::shared_lock lock(fs.mu);
  uint64_t file_size = fs.LogicalSize();
  if (offset >= file_size) return size_t{0};
  size_t n = static_cast<size_t>(std::min<uint64_t>(size, file_size - offset));
  AfterRead(*handle.ra, fs.base, offset, n);
  REEL_RETURN_IF_ERROR(visit(fs.Content(), n));
  return n;
}

Result<size_t> EngineImpl::Read(HandleId h, uint64_t offset, std::span<uint8_t> out) {
  return ReadWith(h, offset, out.size(),
                  [&](const FileContent& content, size_t n) {
                    return ReadFileContent(content, &reader_, offset, out.first(n));
                  });
}

Result<std::vector<SharedBytes>> EngineImpl::ReadShared(HandleId h, uint64_t offset, size_t size) {
  std::vector<SharedBytes> pieces;
  REEL_RETURN_IF_ERROR(
      ReadWith(h, offset, size, [&](const FileContent& content, size_t n) {
        return ReadFileContentShared(content, &reader_, offset, n, &pieces);
      }).status());
  return pieces;
}

void EngineImpl::AfterRead(ReadAhead& ra, const VersionLayout& layout, uint64_t offset, size_t n) {
  constexpr uint64_t kNear = 2ull << 20;  // FUSE delivers a stream's reads a little out of order
  constexpr uint64_t kMinWindow = 4ull << 20;
  constexpr uint64_t kMaxWindow = 128ull << 20;
  uint64_t end = offset + n;
  uint64_t from = 0, to = 0;
  {
    std::lock_guard lock(ra.mu);
    bool sequential = offset + kNear >= ra.next && offset <= ra.next + kNear && ra.next != 0;
    if (sequential) {
      // Two reads in a row could be chance: the window opens at the third.
      if (++ra.streak >= 2) ra.window = std::clamp(ra.window * 2, kMinWindow, kMaxWindow);
    } else {
      ra.streak = 0;
      ra.window = 0;
      ra.prefetched_to = 0;
    }
    ra.next = std::max(sequential ? ra.next : 0, end);
    if (ra.window == 0) return;
    from = std::max(end, ra.prefetched_to);
    to = std::min(layout.size(), end + ra.window);
    if (from >= to) return;
    // Queue the window's free part in stretches (half the window, at most a prefetch run), not a
    // chunk at a time as the reader advances: a stretch is fetched as runs of consecutive chunks
    // (one ranged GET per run from a pack), while one chunk at a time would be one GET each.
    const uint64_t stretch = std::min(ra.window / 2, kPrefetchRunBytes);
    if (to < layout.size() && to - from < stretch) return;
    ra.prefetched_to = to;
  }
  // One call for the whole stretch, so the reader can fetch runs of consecutive chunks at once.
  const size_t first = std::min(layout.ChunkAt(from), layout.chunks().size());
  size_t last = first;
  while (last < layout.chunks().size() && layout.chunk_start(last) < to) ++last;
  reader_.Prefetch(std::span<const ChunkRef>(layout.chunks()).subspan(first, last - first));
}

Result<size_t> EngineImpl::Write(HandleId h, uint64_t offset, std::span<const uint8_t> data) {
  return WriteFrom(h, offset, data.size(), StagedFile::PwriteFill(data));
}

Result<size_t> EngineImpl::WriteFrom(HandleId h, uint64_t offset, size_t size,
                                     const StagingFill& fill) {
  REEL_ASSIGN_OR_RETURN(Handle handle, GetWritableHandle(h));
  FileState& fs = *handle.file;
  std::unique_lock lock(fs.mu);
  REEL_RETURN_IF_ERROR(EnsureStaged(fs, NowNs()));
  if (handle.flags.append) offset = fs.staged->size();
  return fs.staged->WriteFrom(offset, size, fill, NowNs());
}

Status EngineImpl::Flush(HandleId h) {
  std::lock_guard lock(files_mu_);
  auto it = handles_.find(h);
  if (it == handles_.end()) return Status::InvalidArgument("bad file handle");
  if (it->second.file && it->second.flags.write && !it->second.flushed) {
    it->second.flushed = true;
    ++closing_writers_;
  }
  return Status::Ok();
}

Status EngineImpl::Fsync(HandleId h, bool data_only) {
  REEL_ASSIGN_OR_RETURN(Handle handle, GetHandle(h));
  if (!handle.file) return Status::Ok();
  {
    FileState& fs = *handle.file;
    std::unique_lock lock(fs.mu);
    NoteFence(fs);
    // The writes a commit is taking are part of the file's data too; they go first, as the
    // record of the layer over them depends on theirs.
    if (fs.committing) REEL_RETURN_IF_ERROR(fs.committing->Sync());
    if (fs.staged && fs.staged->dirty()) REEL_RETURN_IF_ERROR(fs.staged->Sync());
  }
  // The inode itself (created or renamed) must survive a machine crash too.
  return catalog_->Sync();
}

Status EngineImpl::Fallocate(HandleId h, int mode, uint64_t offset, uint64_t length) {
  REEL_ASSIGN_OR_RETURN(Handle handle, GetWritableHandle(h));
  FileState& fs = *handle.file;
  std::unique_lock lock(fs.mu);
  REEL_RETURN_IF_ERROR(EnsureStaged(fs, NowNs()));
  if (mode == (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)) {
    return fs.staged->PunchHole(offset, length, NowNs());
  }
  if (mode == 0 || mode == FALLOC_FL_KEEP_SIZE) {
    // Space is not reserved in a content-addressed store; extending the size is what programs
    // rely on (posix_fallocate), and the extension reads as zeros.
    if (mode == 0 && offset + length > fs.staged->size()) {
      return fs.staged->Truncate(offset + length, NowNs());
    }
    return Status::Ok();
  }
  return Status::NotSupported("fallocate mode not supported");
}

void EngineImpl::NoteFence(FileState& fs) {
  // A lock taken since the file's last commit; once it is gone, what was noted stays (those
  // writes were made under it).
  const uint64_t fence = locks_ ? locks_->FenceFor(fs.ino) : 0;
  if (fence == 0) return;
  if (fs.committing) fs.committing->SetFence(fence);
  if (fs.staged) fs.staged->SetFence(fence);
}

Status EngineImpl::AfterLastWrite(FileState& fs) {
  if (!fs.staged) return Status::Ok();
  if (!fs.staged->dirty()) {
    fs.staged->Remove();
    fs.staged.reset();
    return Status::Ok();
  }
  // Recorded before the close is forgotten: a crash of the drive before the commit recovers it.
  // The commit is queued even when the record could not be written (a full disk): the version
  // it makes is what keeps the data then.
  NoteFence(fs);
  Status recorded = fs.staged->RecordIfChanged();
  if (options_.policy != VersionPolicy::kManual && committer_) committer_->Enqueue(fs.ino);
  return recorded;
}

Status EngineImpl::Release(HandleId h) {
  Handle handle;
  {
    std::lock_guard lock(files_mu_);
    auto it = handles_.find(h);
    if (it == handles_.end()) return Status::InvalidArgument("bad file handle");
    handle = std::move(it->second);
    handles_.erase(it);
  }
  // Counted down after AfterLastWrite has queued the commit, so WaitIdle then sees it queued.
  struct ClosingGuard {
    EngineImpl* self;
    bool flushed;
    ~ClosingGuard() {
      if (!flushed) return;
      std::lock_guard lock(self->files_mu_);
      --self->closing_writers_;
      self->released_cv_.notify_all();
    }
  } closing{this, handle.flushed};
  if (!handle.file) return Status::Ok();
  Status s;
  {
    std::unique_lock lock(handle.file->mu);
    if (handle.flags.write && --handle.file->writers == 0) s = AfterLastWrite(*handle.file);
  }
  if (handle.open_locked) DropOpenLockUser(handle.ino);
  Unpin(handle.file);
  return s;
}

}  // namespace reel
