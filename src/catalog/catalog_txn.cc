#include "catalog/catalog_txn.h"

#include <algorithm>
#include <unordered_set>

#include "catalog/catalog_txn_internal.h"
#include "common/names.h"

namespace reel {

namespace catalog_txn_internal {

bool IsDir(const Attributes& a) { return a.type == FileType::kDirectory; }

std::string JoinPath(const std::string& dir, std::string_view name) {
  return dir.empty() ? std::string(name) : dir + "/" + std::string(name);
}

// The path of the name `name` in directory `dir`.
Result<std::string> PathIn(CatalogTxn& tx, InodeId dir, std::string_view name) {
  REEL_ASSIGN_OR_RETURN(std::string at, tx.DirectoryPath(dir));
  return JoinPath(at, name);
}

// Adds `e` to the transaction's events, under the top-level directory its path starts with.
Status Append(CatalogTxn& tx, const ChangeEvent& e) {
  return tx.AppendEvent(e, std::string_view(e.path).substr(0, e.path.find('/')));
}

// Event `kind` of `subject`, now at `path` (see ChangeEvent).
ChangeEvent EventOf(ChangeKind kind, const Attributes& subject, std::string path, TimeNs now) {
  ChangeEvent e;
  e.time = now;
  e.kind = kind;
  e.ino = subject.ino;
  e.type = subject.type;
  e.path = std::move(path);
  return e;
}

// Records event `kind` of `subject`, now named by `path` in directory `parent` (and before, for
// a rename, by `old_path` in `old_parent`).
Status Record(CatalogTxn& tx, ChangeKind kind, const Attributes& subject, InodeId parent,
              std::string path, TimeNs now, InodeId old_parent, std::string old_path) {
  ChangeEvent e = EventOf(kind, subject, std::move(path), now);
  e.parent = parent;
  e.old_parent = old_parent;
  e.old_path = std::move(old_path);
  return Append(tx, e);
}

// Event `kind` of `subject` named by its first name (none: a file in the trash).
Result<ChangeEvent> EventAtFirstName(CatalogTxn& tx, ChangeKind kind, const Attributes& subject,
                                     TimeNs now) {
  REEL_ASSIGN_OR_RETURN(std::optional<Dentry> first, tx.FirstName(subject.ino));
  if (!first) return EventOf(kind, subject, std::string(), now);
  REEL_ASSIGN_OR_RETURN(std::string path, PathIn(tx, first->parent, first->name));
  ChangeEvent e = EventOf(kind, subject, std::move(path), now);
  e.parent = first->parent;
  return e;
}

Status Exists(const std::string& name) { return Status::AlreadyExists("\"" + name + "\" exists"); }

// Inserts the node `attr` (its number set, or 0 for a new one) as `name` in `dir`.
Result<Attributes> InsertNode(CatalogTxn& tx, const Attributes& dir, const std::string& name,
                              const NewNode& node, InodeId ino, TimeNs now) {
  Attributes attr = NewNodeAttributes(dir, node, now);
  attr.ino = ino;
  REEL_ASSIGN_OR_RETURN(attr.ino, tx.InsertInode(attr, node.symlink_target));
  REEL_RETURN_IF_ERROR(tx.InsertDentry(dir.ino, name, attr.ino));
  REEL_RETURN_IF_ERROR(tx.TouchDirectory(dir.ino, now, IsDir(attr) ? 1 : 0));
  REEL_ASSIGN_OR_RETURN(std::string path, PathIn(tx, dir.ino, name));
  REEL_RETURN_IF_ERROR(Record(tx, ChangeKind::kCreated, attr, dir.ino, std::move(path), now));
  return attr;
}

}  // namespace catalog_txn_internal

using namespace catalog_txn_internal;

namespace {

// Deeper than any real tree; a longer walk means a cycle in the dentries (corruption).
constexpr int kMaxDepth = 4096;

Status NoEntry(const std::string& name) { return Status::NotFound("no entry \"" + name + "\""); }
Status IntoItself() { return Status::InvalidArgument("cannot move a directory into itself"); }

// Whether `dir` is `ancestor` or lies below it.
Result<bool> IsSameOrBelow(CatalogTxn& tx, InodeId dir, InodeId ancestor) {
  InodeId at = dir;
  for (int depth = 0; depth <= kMaxDepth; ++depth) {
    if (at == ancestor) return true;
    if (at == kRootInode) return false;
    REEL_ASSIGN_OR_RETURN(std::optional<Dentry> up, tx.FirstName(at));
    if (!up) return Status::Corruption("directory inode " + std::to_string(at) + " has no name");
    at = up->parent;
  }
  return Status::Corruption("directory cycle above inode " + std::to_string(dir));
}

// Removes the name `entry` of the non-directory `attr` (whose nlink counts that name). When it was
// the last name, a regular file goes to the trash (original path computed before the name goes)
// and anything else is deleted. Does not touch the parent directory's times.
Result<UnlinkResult> DropName(CatalogTxn& tx, const Dentry& entry, const Attributes& attr,
                              TimeNs now) {
  UnlinkResult result;
  result.ino = attr.ino;
  result.nlink = attr.nlink > 0 ? attr.nlink - 1 : 0;
  // The name that goes; when it is the last name of a file, the path the trash remembers.
  REEL_ASSIGN_OR_RETURN(std::string path, PathIn(tx, entry.parent, entry.name));
  REEL_RETURN_IF_ERROR(tx.DeleteDentry(entry.id));
  const bool to_trash = result.nlink == 0 && attr.type == FileType::kRegular;
  if (result.nlink > 0) {
    REEL_RETURN_IF_ERROR(tx.SetLinkCount(attr, result.nlink, now));
  } else if (to_trash) {
    REEL_RETURN_IF_ERROR(tx.SetLinkCount(attr, 0, now));
    Attributes trashed = attr;
    trashed.nlink = 0;
    REEL_ASSIGN_OR_RETURN(result.trash_id, tx.InsertTrash(trashed, path, now));
  } else {
    REEL_RETURN_IF_ERROR(tx.DeleteInode(attr.ino, now));
  }
  REEL_RETURN_IF_ERROR(
      Record(tx, to_trash ? ChangeKind::kTrashed : ChangeKind::kRemoved, attr, entry.parent,
             std::move(path), now));
  return result;
}

// RENAME_EXCHANGE of two existing entries: they swap children, so both names keep their ids.
Status Exchange(CatalogTxn& tx, const Dentry& src, const Attributes& src_attr, const Dentry& dst,
                const Attributes& dst_attr, TimeNs now) {
  if (src.parent != dst.parent) {
    if (IsDir(src_attr)) {
      REEL_ASSIGN_OR_RETURN(bool cycle, IsSameOrBelow(tx, dst.parent, src_attr.ino));
      if (cycle) return IntoItself();
    }
    if (IsDir(dst_attr)) {
      REEL_ASSIGN_OR_RETURN(bool cycle, IsSameOrBelow(tx, src.parent, dst_attr.ino));
      if (cycle) return IntoItself();
    }
  }
  REEL_ASSIGN_OR_RETURN(std::string src_path, PathIn(tx, src.parent, src.name));
  REEL_ASSIGN_OR_RETURN(std::string dst_path, PathIn(tx, dst.parent, dst.name));
  REEL_RETURN_IF_ERROR(tx.SetDentryChild(src.id, dst_attr.ino));
  REEL_RETURN_IF_ERROR(tx.SetDentryChild(dst.id, src_attr.ino));
  tx.ForgetPaths();
  REEL_RETURN_IF_ERROR(
      Record(tx, ChangeKind::kRenamed, src_attr, dst.parent, dst_path, now, src.parent, src_path));
  REEL_RETURN_IF_ERROR(
      Record(tx, ChangeKind::kRenamed, dst_attr, src.parent, src_path, now, dst.parent, dst_path));
  REEL_RETURN_IF_ERROR(tx.SetCtime(src_attr.ino, now));
  REEL_RETURN_IF_ERROR(tx.SetCtime(dst_attr.ino, now));
  // A directory that changes parent moves one ".." link from its old parent to its new one.
  int src_parent_delta = 0;
  int dst_parent_delta = 0;
  if (src.parent != dst.parent) {
    if (IsDir(src_attr)) --src_parent_delta, ++dst_parent_delta;
    if (IsDir(dst_attr)) ++src_parent_delta, --dst_parent_delta;
  }
  REEL_RETURN_IF_ERROR(tx.TouchDirectory(src.parent, now, src_parent_delta));
  if (dst.parent != src.parent) {
    REEL_RETURN_IF_ERROR(tx.TouchDirectory(dst.parent, now, dst_parent_delta));
  }
  return Status::Ok();
}

// Removes the existing target `dst` of a rename of `src_attr` (not an exchange), checking the type
// rules; returns what was replaced.
Result<UnlinkResult> ReplaceTarget(CatalogTxn& tx, const Dentry& dst, const Attributes& src_attr,
                                   const Attributes& dst_attr, RenameMode mode, TimeNs now) {
  if (IsDir(src_attr) && !IsDir(dst_attr)) {
    return Status::NotDirectory("\"" + dst.name + "\" is not a directory");
  }
  if (!IsDir(src_attr) && IsDir(dst_attr)) {
    return Status::IsDirectory("\"" + dst.name + "\" is a directory");
  }
  if (IsDir(dst_attr)) {
    REEL_ASSIGN_OR_RETURN(bool has_children, tx.HasChildren(dst_attr.ino));
    if (has_children) return Status::NotEmpty("\"" + dst.name + "\" is not empty");
    REEL_ASSIGN_OR_RETURN(std::string path, PathIn(tx, dst.parent, dst.name));
    REEL_RETURN_IF_ERROR(tx.DeleteDentry(dst.id));
    REEL_RETURN_IF_ERROR(tx.DeleteInode(dst_attr.ino, now));
    REEL_RETURN_IF_ERROR(
        Record(tx, ChangeKind::kRemoved, dst_attr, dst.parent, std::move(path), now));
    return UnlinkResult{dst_attr.ino, 0, std::nullopt};
  }
  if (mode == RenameMode::kReplaceKeepHistory && src_attr.type == FileType::kRegular &&
      dst_attr.type == FileType::kRegular && dst_attr.nlink == 1) {
    // The target's versions become the source's older ones: its name goes ("removed"), the
    // rename that follows puts the file with the whole history there.
    REEL_ASSIGN_OR_RETURN(std::string path, PathIn(tx, dst.parent, dst.name));
    REEL_RETURN_IF_ERROR(
        Record(tx, ChangeKind::kRemoved, dst_attr, dst.parent, std::move(path), now));
    REEL_RETURN_IF_ERROR(tx.DeleteDentry(dst.id));
    REEL_RETURN_IF_ERROR(tx.MoveHistory(dst_attr.ino, src_attr.ino));
    REEL_RETURN_IF_ERROR(tx.DeleteInode(dst_attr.ino, now));
    return UnlinkResult{dst_attr.ino, 0, std::nullopt};
  }
  return DropName(tx, dst, dst_attr, now);
}

}  // namespace

Status CheckDirectory(const Attributes& a) {
  if (a.type != FileType::kDirectory) {
    return Status::NotDirectory("inode " + std::to_string(a.ino) + " is not a directory");
  }
  return Status::Ok();
}

Result<Attributes> LoadDirectory(CatalogTxn& tx, InodeId ino) {
  REEL_ASSIGN_OR_RETURN(Attributes a, tx.LoadInode(ino));
  REEL_RETURN_IF_ERROR(CheckDirectory(a));
  return a;
}

Result<std::string> ComputePath(CatalogTxn& tx, InodeId ino) {
  if (ino == kRootInode) return std::string();
  std::vector<std::string> parts;
  InodeId at = ino;
  while (at != kRootInode) {
    if (parts.size() > kMaxDepth) {
      return Status::Corruption("directory cycle above inode " + std::to_string(ino));
    }
    REEL_ASSIGN_OR_RETURN(std::optional<Dentry> up, tx.FirstName(at));
    if (!up) {
      if (at == ino) {
        // Distinguish "no such inode" from "inode without a name" (trashed) for the message.
        REEL_RETURN_IF_ERROR(tx.LoadInode(ino).status());
        return Status::NotFound("inode " + std::to_string(ino) + " has no name");
      }
      return Status::Corruption("directory inode " + std::to_string(at) + " has no name");
    }
    parts.push_back(std::move(up->name));
    at = up->parent;
  }
  std::string path;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!path.empty()) path += '/';
    path += *it;
  }
  return path;
}

Result<std::string> CatalogTxn::DirectoryPath(InodeId dir) {
  if (last_path_ && last_path_->first == dir) return last_path_->second;
  REEL_ASSIGN_OR_RETURN(std::string path, ComputePath(*this, dir));
  last_path_.emplace(dir, path);
  return path;
}

Status RecordPublished(CatalogTxn& tx, InodeId ino, uint64_t number, TimeNs now) {
  REEL_ASSIGN_OR_RETURN(Attributes attr, tx.LoadInode(ino));
  REEL_ASSIGN_OR_RETURN(ChangeEvent e, EventAtFirstName(tx, ChangeKind::kPublished, attr, now));
  e.version = number;
  return Append(tx, e);
}

Status RecordChanged(CatalogTxn& tx, const Attributes& attr, TimeNs now) {
  REEL_ASSIGN_OR_RETURN(ChangeEvent e, EventAtFirstName(tx, ChangeKind::kChanged, attr, now));
  return Append(tx, e);
}

Status RecordLockEvent(CatalogTxn& tx, InodeId ino, bool taken, TimeNs now) {
  REEL_ASSIGN_OR_RETURN(Attributes attr, tx.LoadInode(ino));
  REEL_ASSIGN_OR_RETURN(
      ChangeEvent e,
      EventAtFirstName(tx, taken ? ChangeKind::kLockTaken : ChangeKind::kLockReleased, attr, now));
  return Append(tx, e);
}

Status RecordTaskEvent(CatalogTxn& tx, InodeId dir, uint64_t task, TimeNs now) {
  REEL_ASSIGN_OR_RETURN(Attributes attr, tx.LoadInode(dir));
  REEL_ASSIGN_OR_RETURN(ChangeEvent e, EventAtFirstName(tx, ChangeKind::kTask, attr, now));
  e.version = task;
  return Append(tx, e);
}

Status CheckEventQuery(const EventQuery& query) {
  if (query.limit == 0 || query.limit > kMaxEventsPerRead) {
    return Status::InvalidArgument("read 1 to " + std::to_string(kMaxEventsPerRead) +
                                   " events at a time");
  }
  return Status::Ok();
}

void ApplyAttrUpdate(const AttrUpdate& update, TimeNs now, Attributes& attr) {
  if (update.mode) attr.mode = *update.mode & 07777;
  if (update.uid) attr.uid = *update.uid;
  if (update.gid) attr.gid = *update.gid;
  if (update.atime) attr.atime = *update.atime;
  if (update.mtime) attr.mtime = *update.mtime;
  attr.ctime = now;
}

Status CheckNewNode(const NewNode& node) {
  if (node.type != FileType::kRegular && node.type != FileType::kDirectory &&
      node.type != FileType::kSymlink && !IsSpecialFile(node.type)) {
    return Status::InvalidArgument("unknown file type");
  }
  if (node.type == FileType::kSymlink && node.symlink_target.empty()) {
    return Status::InvalidArgument("empty symlink target");
  }
  return Status::Ok();
}

Attributes NewNodeAttributes(const Attributes& dir, const NewNode& node, TimeNs now) {
  const bool is_dir = node.type == FileType::kDirectory;
  const bool is_device = node.type == FileType::kCharDevice || node.type == FileType::kBlockDevice;
  Attributes attr;
  attr.type = node.type;
  attr.mode = node.mode & 07777;
  attr.uid = node.uid;
  attr.gid = node.gid;
  attr.rdev = is_device ? node.rdev : 0;
  // A setgid directory gives its group to what is made in it, and its setgid bit to new
  // subdirectories (as ext4 does; the kernel has already dropped a setgid bit the caller may
  // not set on a file).
  if (dir.mode & 02000) {
    attr.gid = dir.gid;
    if (is_dir) attr.mode |= 02000;
  }
  attr.nlink = is_dir ? 2 : 1;
  attr.size = node.type == FileType::kSymlink ? node.symlink_target.size() : 0;
  attr.atime = attr.mtime = attr.ctime = now;
  attr.version = 0;
  return attr;
}

Result<Attributes> CreateNodeIn(CatalogTxn& tx, InodeId parent, const std::string& name,
                                const NewNode& node, TimeNs now) {
  REEL_ASSIGN_OR_RETURN(Attributes dir, LoadDirectory(tx, parent));
  REEL_ASSIGN_OR_RETURN(auto existing, tx.FindDentry(parent, name));
  if (existing) return Exists(name);
  return InsertNode(tx, dir, name, node, 0, now);
}

std::string ConflictName(const std::string& name, InodeId ino) {
  const std::string suffix = ".conflict-" + std::to_string(ino);
  std::string stem = name.substr(0, std::min(name.size(), kMaxNameLength - suffix.size()));
  return stem + suffix;
}

Status CheckReserveCount(uint32_t count) {
  if (count == 0 || count > kMaxReserveInodes) {
    return Status::InvalidArgument("reserve 1 to " + std::to_string(kMaxReserveInodes) +
                                   " inode numbers at a time");
  }
  return Status::Ok();
}

Status CheckNodeCreates(const std::vector<NodeCreate>& creates) {
  if (creates.size() > kMaxNodeCreates) {
    return Status::InvalidArgument("at most " + std::to_string(kMaxNodeCreates) +
                                   " creates per call");
  }
  for (const NodeCreate& c : creates) {
    if (c.ino == 0) return Status::InvalidArgument("a create made ahead needs its inode number");
    REEL_RETURN_IF_ERROR(ValidateName(c.name));
    REEL_RETURN_IF_ERROR(CheckNewNode(c.node));
  }
  return Status::Ok();
}

Result<std::vector<NodeCreated>> CreateNodesIn(CatalogTxn& tx,
                                               const std::vector<NodeCreate>& creates) {
  std::vector<NodeCreated> out;
  out.reserve(creates.size());
  InodeId highest = 0;
  for (const NodeCreate& c : creates) {
    if (c.ino == kRootInode) return Status::InvalidArgument("inode 1 is the root");
    highest = std::max(highest, c.ino);
  }
  if (highest != 0) {
    REEL_ASSIGN_OR_RETURN(bool issued, tx.InodeNumberIssued(highest));
    if (!issued) {
      return Status::InvalidArgument("inode number " + std::to_string(highest) +
                                     " was not reserved");
    }
  }
  for (const NodeCreate& c : creates) {
    NodeCreated done;
    done.parent = c.parent;
    done.name = c.name;
    Result<Attributes> known = tx.LoadInode(c.ino);
    if (known.ok()) {
      done.outcome = CreateOutcome::kExisting;
      done.attr = *known;
      REEL_ASSIGN_OR_RETURN(std::optional<Dentry> first, tx.FirstName(c.ino));
      if (first) {
        done.parent = first->parent;
        done.name = first->name;
      }
      out.push_back(std::move(done));
      continue;
    }
    if (known.status().code() != Code::kNotFound) return known.status();
    Result<Attributes> dir = LoadDirectory(tx, c.parent);
    if (!dir.ok()) {
      const Code code = dir.status().code();
      if (code != Code::kNotFound && code != Code::kNotDirectory) return dir.status();
      done.outcome = CreateOutcome::kRefuge;
      done.parent = c.refuge != 0 ? c.refuge : kRootInode;
      done.name = ConflictName(c.name, c.ino);
      dir = LoadDirectory(tx, done.parent);
      if (!dir.ok()) return dir.status();
    }
    REEL_ASSIGN_OR_RETURN(auto taken, tx.FindDentry(done.parent, done.name));
    if (taken && done.outcome == CreateOutcome::kCreated) {
      done.outcome = CreateOutcome::kRenamed;
      done.name = ConflictName(c.name, c.ino);
      REEL_ASSIGN_OR_RETURN(taken, tx.FindDentry(done.parent, done.name));
    }
    if (taken) return Exists(done.name);
    REEL_ASSIGN_OR_RETURN(done.attr, InsertNode(tx, *dir, done.name, c.node, c.ino, c.now));
    out.push_back(std::move(done));
  }
  return out;
}

// Hard links to directories are refused with PermissionDenied (EPERM), as link(2) does.
Result<Attributes> LinkIn(CatalogTxn& tx, InodeId ino, InodeId new_parent,
                          const std::string& new_name, TimeNs now) {
  REEL_ASSIGN_OR_RETURN(Attributes attr, tx.LoadInode(ino));
  if (IsDir(attr)) return Status::PermissionDenied("cannot hard-link a directory");
  // A file in the trash has no name to link from (the kernel refuses nlink == 0 too).
  if (attr.nlink == 0) return Status::NotFound("inode " + std::to_string(ino) + " is deleted");
  REEL_RETURN_IF_ERROR(LoadDirectory(tx, new_parent).status());
  REEL_ASSIGN_OR_RETURN(auto existing, tx.FindDentry(new_parent, new_name));
  if (existing) return Exists(new_name);
  REEL_RETURN_IF_ERROR(tx.InsertDentry(new_parent, new_name, ino));
  REEL_RETURN_IF_ERROR(tx.SetLinkCount(attr, attr.nlink + 1, now));
  REEL_RETURN_IF_ERROR(tx.TouchDirectory(new_parent, now, 0));
  attr.nlink += 1;
  attr.ctime = now;
  REEL_ASSIGN_OR_RETURN(std::string path, PathIn(tx, new_parent, new_name));
  REEL_RETURN_IF_ERROR(Record(tx, ChangeKind::kLinked, attr, new_parent, std::move(path), now));
  return attr;
}

Result<UnlinkResult> UnlinkIn(CatalogTxn& tx, InodeId parent, const std::string& name, TimeNs now) {
  REEL_RETURN_IF_ERROR(LoadDirectory(tx, parent).status());
  REEL_ASSIGN_OR_RETURN(auto entry, tx.FindDentry(parent, name));
  if (!entry) return NoEntry(name);
  REEL_ASSIGN_OR_RETURN(Attributes attr, tx.LoadInode(entry->child));
  if (IsDir(attr)) return Status::IsDirectory("\"" + name + "\" is a directory");
  REEL_ASSIGN_OR_RETURN(UnlinkResult result, DropName(tx, *entry, attr, now));
  REEL_RETURN_IF_ERROR(tx.TouchDirectory(parent, now, 0));
  return result;
}

Status RemoveDirIn(CatalogTxn& tx, InodeId parent, const std::string& name, TimeNs now) {
  REEL_RETURN_IF_ERROR(LoadDirectory(tx, parent).status());
  REEL_ASSIGN_OR_RETURN(auto entry, tx.FindDentry(parent, name));
  if (!entry) return NoEntry(name);
  REEL_ASSIGN_OR_RETURN(Attributes attr, tx.LoadInode(entry->child));
  if (!IsDir(attr)) return Status::NotDirectory("\"" + name + "\" is not a directory");
  REEL_ASSIGN_OR_RETURN(bool has_children, tx.HasChildren(attr.ino));
  if (has_children) return Status::NotEmpty("\"" + name + "\" is not empty");
  REEL_ASSIGN_OR_RETURN(std::string path, PathIn(tx, parent, name));
  REEL_RETURN_IF_ERROR(tx.DeleteDentry(entry->id));
  REEL_RETURN_IF_ERROR(tx.DeleteInode(attr.ino, now));
  REEL_RETURN_IF_ERROR(tx.TouchDirectory(parent, now, -1));
  return Record(tx, ChangeKind::kRemoved, attr, parent, std::move(path), now);
}

// POSIX rename(2) plus RENAME_NOREPLACE and RENAME_EXCHANGE. Order of checks (as Linux does
// them): both parents must be directories; the source must exist; same parent and name is a
// no-op; NOREPLACE with an existing target is AlreadyExists; EXCHANGE without a target is
// NotFound; source and target being names of the same inode is a no-op (POSIX); a directory may
// not move into its own subtree (InvalidArgument); then the type rules for a replaced target
// (NotDirectory, IsDirectory, NotEmpty). The moved entry keeps its dentry id (its ReadDir cookie).
Result<RenameResult> RenameIn(CatalogTxn& tx, InodeId old_parent, const std::string& old_name,
                              InodeId new_parent, const std::string& new_name, RenameMode mode,
                              TimeNs now) {
  RenameResult result;
  REEL_RETURN_IF_ERROR(LoadDirectory(tx, old_parent).status());
  REEL_RETURN_IF_ERROR(LoadDirectory(tx, new_parent).status());
  REEL_ASSIGN_OR_RETURN(auto src, tx.FindDentry(old_parent, old_name));
  if (!src) return NoEntry(old_name);
  if (old_parent == new_parent && old_name == new_name) return result;
  REEL_ASSIGN_OR_RETURN(auto dst, tx.FindDentry(new_parent, new_name));
  if (dst && mode == RenameMode::kNoReplace) return Exists(new_name);
  if (!dst && mode == RenameMode::kExchange) {
    return Status::NotFound("no entry \"" + new_name + "\" to exchange with");
  }
  if (dst && dst->child == src->child) return result;  // two names of one inode
  REEL_ASSIGN_OR_RETURN(Attributes src_attr, tx.LoadInode(src->child));
  std::optional<Attributes> dst_attr;
  if (dst) {
    REEL_ASSIGN_OR_RETURN(dst_attr, tx.LoadInode(dst->child));
  }
  if (mode == RenameMode::kExchange) {
    REEL_RETURN_IF_ERROR(Exchange(tx, *src, src_attr, *dst, *dst_attr, now));
    return result;
  }
  if (IsDir(src_attr) && old_parent != new_parent) {
    REEL_ASSIGN_OR_RETURN(bool cycle, IsSameOrBelow(tx, new_parent, src_attr.ino));
    if (cycle) return IntoItself();
  }
  int new_parent_delta = 0;
  if (dst) {
    REEL_ASSIGN_OR_RETURN(result.replaced, ReplaceTarget(tx, *dst, src_attr, *dst_attr, mode, now));
    if (IsDir(*dst_attr)) --new_parent_delta;
  }
  REEL_ASSIGN_OR_RETURN(std::string old_path, PathIn(tx, old_parent, old_name));
  REEL_ASSIGN_OR_RETURN(std::string new_path, PathIn(tx, new_parent, new_name));
  REEL_RETURN_IF_ERROR(tx.MoveDentry(src->id, new_parent, new_name));
  if (IsDir(src_attr)) tx.ForgetPaths();
  REEL_RETURN_IF_ERROR(
      Record(tx, ChangeKind::kRenamed, src_attr, new_parent, std::move(new_path), now, old_parent,
             std::move(old_path)));
  REEL_RETURN_IF_ERROR(tx.SetCtime(src_attr.ino, now));
  int old_parent_delta = 0;
  if (IsDir(src_attr) && old_parent != new_parent) {
    --old_parent_delta;
    ++new_parent_delta;
  }
  if (old_parent == new_parent) {
    REEL_RETURN_IF_ERROR(tx.TouchDirectory(old_parent, now, old_parent_delta + new_parent_delta));
    return result;
  }
  REEL_RETURN_IF_ERROR(tx.TouchDirectory(old_parent, now, old_parent_delta));
  REEL_RETURN_IF_ERROR(tx.TouchDirectory(new_parent, now, new_parent_delta));
  return result;
}

Result<Attributes> RestoreFromTrashIn(CatalogTxn& tx, uint64_t trash_id, InodeId parent,
                                      const std::string& name, TimeNs now) {
  REEL_ASSIGN_OR_RETURN(std::optional<InodeId> ino, tx.TrashedInode(trash_id));
  if (!ino) return Status::NotFound("no trash entry " + std::to_string(trash_id));
  REEL_RETURN_IF_ERROR(LoadDirectory(tx, parent).status());
  REEL_ASSIGN_OR_RETURN(auto existing, tx.FindDentry(parent, name));
  if (existing) return Exists(name);
  REEL_ASSIGN_OR_RETURN(Attributes attr, tx.LoadInode(*ino));
  REEL_RETURN_IF_ERROR(tx.InsertDentry(parent, name, *ino));
  REEL_RETURN_IF_ERROR(tx.SetLinkCount(attr, 1, now));
  REEL_RETURN_IF_ERROR(tx.DeleteTrash(trash_id));
  REEL_RETURN_IF_ERROR(tx.TouchDirectory(parent, now, 0));
  attr.nlink = 1;
  attr.ctime = now;
  REEL_ASSIGN_OR_RETURN(std::string path, PathIn(tx, parent, name));
  REEL_RETURN_IF_ERROR(Record(tx, ChangeKind::kRestored, attr, parent, std::move(path), now));
  return attr;
}

// One transaction for the whole purge, so it is all-or-nothing like every catalog method.
Result<uint64_t> PurgeTrashIn(CatalogTxn& tx, TimeNs cutoff, const std::vector<InodeId>& keep,
                              TimeNs now) {
  const std::unordered_set<InodeId> kept(keep.begin(), keep.end());
  REEL_ASSIGN_OR_RETURN(auto candidates, tx.TrashBefore(cutoff));
  uint64_t purged = 0;
  for (const auto& [id, ino] : candidates) {
    if (kept.contains(ino)) continue;
    REEL_RETURN_IF_ERROR(tx.DeleteTrash(id));
    REEL_RETURN_IF_ERROR(tx.DeleteInode(ino, now));
    ++purged;
  }
  return purged;
}

Status CheckXattrFlags(const std::string& name, bool create_only, bool replace_only) {
  if (name.empty()) return Status::InvalidArgument("empty xattr name");
  if (create_only && replace_only) {
    return Status::InvalidArgument("xattr create_only and replace_only together");
  }
  return Status::Ok();
}

Status CheckXattrPresence(const std::string& name, bool exists, bool create_only,
                          bool replace_only) {
  if (exists && create_only) return Status::AlreadyExists("xattr \"" + name + "\" exists");
  if (!exists && replace_only) return NoSuchXattr(name);
  return Status::Ok();
}

Status CheckPackUpload(TierMask tier, const std::string& pack) {
  if (!IsOneTier(tier)) return Status::InvalidArgument("a pack is on exactly one tier");
  if (pack.empty()) return Status::InvalidArgument("a pack needs a key");
  return Status::Ok();
}

Status NoSuchVersion(InodeId ino, uint64_t number) {
  return Status::NotFound("inode " + std::to_string(ino) + " has no version " +
                          std::to_string(number));
}

Status NoSuchXattr(const std::string& name) {
  return Status(Code::kNoData, "no xattr \"" + name + "\"");
}

}  // namespace reel
