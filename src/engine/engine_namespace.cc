// Namespace operations: thin checks in front of the catalog, plus the virtual version tree.
#include <sys/statvfs.h>

#include "common/names.h"
#include "engine/engine_impl.h"

namespace reel {
namespace {

Status ReadOnlyTree() { return Status(Code::kReadOnly, "the version tree is read-only"); }

}  // namespace

Status EngineImpl::CheckWritableParent(InodeId parent, const std::string& name) {
  if (VirtualTree::IsVirtual(parent)) return ReadOnlyTree();
  REEL_RETURN_IF_ERROR(ValidateName(name));
  if (parent == kRootInode && name == kReelDirName) {
    return Status::PermissionDenied("'.reel' is reserved for the version tree");
  }
  return Status::Ok();
}

Result<Attributes> EngineImpl::Lookup(InodeId parent, const std::string& name) {
  if (VirtualTree::IsVirtual(parent) || (parent == kRootInode && name == kReelDirName)) {
    return virtual_tree_.Lookup(parent, name);
  }
  if (name.size() > kMaxNameLength) return Status(Code::kNameTooLong, "name too long");
  uint64_t epoch = dropped_states_.load();
  REEL_ASSIGN_OR_RETURN(Attributes a, catalog_->Lookup(parent, name));
  return Overlay(a, epoch);
}

Result<Attributes> EngineImpl::GetAttributes(InodeId ino) {
  if (VirtualTree::IsVirtual(ino)) return virtual_tree_.GetAttributes(ino);
  if (auto fs = FindFile(ino)) {
    // Read under the file's lock, the catalog's attributes agree with the layers: one read.
    std::shared_lock lock(fs->mu);
    REEL_ASSIGN_OR_RETURN(Attributes a, catalog_->GetAttributes(ino));
    return WithLayers(a, *fs);
  }
  uint64_t epoch = dropped_states_.load();
  REEL_ASSIGN_OR_RETURN(Attributes a, catalog_->GetAttributes(ino));
  return Overlay(a, epoch);
}

Attributes EngineImpl::Overlay(Attributes a, uint64_t epoch) {
  if (a.type != FileType::kRegular) return a;
  auto fs = FindFile(a.ino);
  if (!fs) {
    // No state: nothing staged now. If a state was dropped after `a` was read, a commit may
    // have landed in between; read again (rare: only when some file's state just left).
    if (dropped_states_.load() != epoch) {
      auto fresh = catalog_->GetAttributes(a.ino);
      if (fresh.ok()) a = *fresh;
    }
    return a;
  }
  // A commit holds the file's lock only for moments, so this does not wait for one.
  std::shared_lock lock(fs->mu);
  // Under the file's lock the layers cannot change: re-read the catalog here, as a commit may
  // have finished since `a` was read. While a commit lands its version, its layer is still
  // there and says the same size and mtime.
  auto fresh = catalog_->GetAttributes(a.ino);
  if (fresh.ok()) a = *fresh;
  return WithLayers(a, *fs);
}

Attributes EngineImpl::WithLayers(Attributes a, const FileState& fs) {
  if (const StagedFile* top = fs.Top()) {
    a.size = top->size();
    a.mtime = fs.mtime_after_commit.value_or(top->mtime());
    a.ctime = std::max(a.ctime, a.mtime);
  }
  return a;
}

Result<Attributes> EngineImpl::SetAttributes(InodeId ino, const AttrUpdate& update,
                                             std::optional<uint64_t> size) {
  if (VirtualTree::IsVirtual(ino)) return ReadOnlyTree();
  if (size && *size > kMaxFileSize) {
    return Status(Code::kFileTooLarge, "larger than the largest file (16 TiB)");
  }
  // A new mtime alone on a file with staged writes goes into their version with them: the
  // catalog is not asked (the kernel's writeback cache sends one at every close of a written file,
  // which must not wait on the catalog).
  const bool mtime_only = update.mtime && !update.mode && !update.uid && !update.gid &&
                          !update.atime && !size;
  bool mtime_staged = false;
  if (size || update.mtime) {
    REEL_ASSIGN_OR_RETURN(Attributes current, catalog_->GetAttributes(ino));
    // The kernel's writeback cache writes back the times of an inode whose ctime it changed
    // itself (after an unlink, a link, a rename): an mtime it already had, which the catalog
    // has too (the ctime the catalog gave the change). Nothing to write.
    if (mtime_only && *update.mtime == current.mtime) {
      bool layers = false;
      if (auto fs = FindFile(ino)) {
        std::shared_lock lock(fs->mu);
        layers = fs->Top() != nullptr;
      }
      if (!layers) return current;
    }
    if (size && current.type == FileType::kDirectory) return Status::IsDirectory("is a directory");
    if (current.type == FileType::kRegular) {
      auto fs = Pin(ino);
      Status s;
      {
        std::unique_lock lock(fs->mu);
        s = EnsureLoaded(*fs);
        if (s.ok() && size) {
          s = EnsureStaged(*fs, NowNs());
          if (s.ok()) s = fs->staged->Truncate(*size, NowNs());
        }
        if (s.ok() && update.mtime) {
          // The staged writes carry the mtime into their version. With none, a commit under
          // way would land its layer's mtime over this one: it is applied again after it.
          if (fs->staged) {
            fs->staged->SetMtime(*update.mtime);
            mtime_staged = true;
          } else if (fs->committing) {
            fs->mtime_after_commit = *update.mtime;
          }
        }
        if (s.ok() && size && fs->writers == 0) s = AfterLastWrite(*fs);
      }
      Unpin(fs);
      REEL_RETURN_IF_ERROR(s);
    }
  }
  if (mtime_only && mtime_staged) return GetAttributes(ino);
  REEL_ASSIGN_OR_RETURN(Attributes a, catalog_->SetAttributes(ino, update, NowNs()));
  (void)a;
  return GetAttributes(ino);
}

Result<std::vector<DirEntry>> EngineImpl::ReadDir(InodeId dir, uint64_t after, size_t limit) {
  if (VirtualTree::IsVirtual(dir)) return virtual_tree_.ReadDir(dir, after, limit);
  uint64_t epoch = dropped_states_.load();
  REEL_ASSIGN_OR_RETURN(auto entries, catalog_->ReadDir(dir, after, limit));
  for (auto& e : entries) {
    e.attr = Overlay(e.attr, epoch);
  }
  return entries;
}

Result<Attributes> EngineImpl::MakeDir(InodeId parent, const std::string& name, uint32_t mode,
                                       uint32_t uid, uint32_t gid) {
  REEL_RETURN_IF_ERROR(CheckWritableParent(parent, name));
  return catalog_->CreateNode(
      parent, name, NewNode{FileType::kDirectory, mode & 07777, uid, gid, {}, 0}, NowNs());
}

Result<Attributes> EngineImpl::MakeSymlink(InodeId parent, const std::string& name,
                                           const std::string& target, uint32_t uid, uint32_t gid) {
  REEL_RETURN_IF_ERROR(CheckWritableParent(parent, name));
  if (target.empty() || target.size() > 4095) {
    return Status::InvalidArgument("symlink target must be 1 to 4095 bytes");
  }
  return catalog_->CreateNode(parent, name, NewNode{FileType::kSymlink, 0777, uid, gid, target, 0},
                              NowNs());
}

Result<Attributes> EngineImpl::MakeNode(InodeId parent, const std::string& name, FileType type,
                                        uint32_t mode, uint64_t rdev, uint32_t uid,
                                        uint32_t gid) {
  REEL_RETURN_IF_ERROR(CheckWritableParent(parent, name));
  if (!IsSpecialFile(type)) {
    return Status::InvalidArgument("MakeNode makes fifos, devices and sockets only");
  }
  return catalog_->CreateNode(parent, name, NewNode{type, mode & 07777, uid, gid, {}, rdev},
                              NowNs());
}

Result<std::string> EngineImpl::ReadSymlink(InodeId ino) {
  if (VirtualTree::IsVirtual(ino)) return Status::InvalidArgument("not a symlink");
  return catalog_->ReadSymlink(ino);
}

Result<Attributes> EngineImpl::Link(InodeId ino, InodeId new_parent, const std::string& name) {
  if (VirtualTree::IsVirtual(ino)) return ReadOnlyTree();
  REEL_RETURN_IF_ERROR(CheckWritableParent(new_parent, name));
  REEL_RETURN_IF_ERROR(catalog_->Link(ino, new_parent, name, NowNs()).status());
  return GetAttributes(ino);
}

Status EngineImpl::Unlink(InodeId parent, const std::string& name) {
  REEL_RETURN_IF_ERROR(CheckWritableParent(parent, name));
  return catalog_->Unlink(parent, name, NowNs()).status();
}

Status EngineImpl::RemoveDir(InodeId parent, const std::string& name) {
  REEL_RETURN_IF_ERROR(CheckWritableParent(parent, name));
  return catalog_->RemoveDir(parent, name, NowNs());
}

Status EngineImpl::Rename(InodeId old_parent, const std::string& old_name, InodeId new_parent,
                          const std::string& new_name, RenameMode mode) {
  REEL_RETURN_IF_ERROR(CheckWritableParent(old_parent, old_name));
  REEL_RETURN_IF_ERROR(CheckWritableParent(new_parent, new_name));
  if (mode == RenameMode::kReplace) {
    // A save by temp file + rename keeps the file's history, unless the replaced file is still
    // open (then it goes to the trash whole, so its open handles keep working).
    auto target = catalog_->Lookup(new_parent, new_name);
    if (!target.ok() || !InUse(target->ino)) mode = RenameMode::kReplaceKeepHistory;
  }
  return catalog_->Rename(old_parent, old_name, new_parent, new_name, mode, NowNs()).status();
}

Result<FsStats> EngineImpl::StatFs() {
  struct statvfs sv;
  if (::statvfs(options_.staging_dir.c_str(), &sv) != 0) {
    return Status::FromErrno(errno, "statvfs " + options_.staging_dir);
  }
  REEL_ASSIGN_OR_RETURN(CatalogStats stats, catalog_->Stats());
  FsStats out;
  out.block_size = sv.f_frsize ? sv.f_frsize : 4096;
  out.total_bytes = static_cast<uint64_t>(sv.f_blocks) * out.block_size;
  out.free_bytes = static_cast<uint64_t>(sv.f_bavail) * out.block_size;
  out.files = stats.files + stats.directories;
  out.free_files = 1ull << 32;
  return out;
}

Result<std::string> EngineImpl::GetXattr(InodeId ino, const std::string& name) {
  if (VirtualTree::IsVirtual(ino)) return Status(Code::kNoData, "no such attribute");
  return catalog_->GetXattr(ino, name);
}

Status EngineImpl::SetXattr(InodeId ino, const std::string& name, const std::string& value,
                            bool create_only, bool replace_only) {
  if (VirtualTree::IsVirtual(ino)) return ReadOnlyTree();
  if (name.empty() || name.size() > 255) return Status::InvalidArgument("bad attribute name");
  if (value.size() > 65536) return Status(Code::kRange, "attribute value larger than 64 KiB");
  return catalog_->SetXattr(ino, name, value, create_only, replace_only);
}

Result<std::vector<std::string>> EngineImpl::ListXattrs(InodeId ino) {
  if (VirtualTree::IsVirtual(ino)) return std::vector<std::string>{};
  return catalog_->ListXattrs(ino);
}

Status EngineImpl::RemoveXattr(InodeId ino, const std::string& name) {
  if (VirtualTree::IsVirtual(ino)) return ReadOnlyTree();
  return catalog_->RemoveXattr(ino, name);
}

Result<InodeId> EngineImpl::Resolve(const std::string& path) {
  REEL_ASSIGN_OR_RETURN(auto parts, SplitRelativePath(path));
  InodeId ino = kRootInode;
  for (const auto& part : parts) {
    if (ino == kRootInode && part == kReelDirName) {
      return Status::InvalidArgument("paths inside .reel are not files of the drive");
    }
    REEL_ASSIGN_OR_RETURN(Attributes a, catalog_->Lookup(ino, part));
    ino = a.ino;
  }
  return ino;
}

Result<std::pair<InodeId, std::string>> EngineImpl::ResolveParent(const std::string& path) {
  REEL_ASSIGN_OR_RETURN(auto parts, SplitRelativePath(path));
  if (parts.empty()) return Status::InvalidArgument("path names the drive root");
  std::string name = parts.back();
  parts.pop_back();
  std::string parent_path;
  for (const auto& p : parts) parent_path += p + "/";
  REEL_ASSIGN_OR_RETURN(InodeId parent, Resolve(parent_path));
  return std::make_pair(parent, name);
}

}  // namespace reel
