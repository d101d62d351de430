// Namespace operations of the SQLite catalog (Rename is in rename_op.cc).
#include "catalog/sqlite/inode_queries.h"
#include "catalog/sqlite/sqlite_catalog.h"
#include "common/names.h"

namespace reel::sqlite {

Result<Attributes> SqliteCatalog::CreateNode(InodeId parent, const std::string& name,
                                             const NewNode& node, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateName(name));
  if (node.type != FileType::kRegular && node.type != FileType::kDirectory &&
      node.type != FileType::kSymlink && !IsSpecialFile(node.type)) {
    return Status::InvalidArgument("unknown file type");
  }
  const bool is_device =
      node.type == FileType::kCharDevice || node.type == FileType::kBlockDevice;
  if (node.type == FileType::kSymlink && node.symlink_target.empty()) {
    return Status::InvalidArgument("empty symlink target");
  }
  const bool is_dir = node.type == FileType::kDirectory;
  Attributes attr;
  Status s = Write([&](Db& db) -> Status {
    REEL_ASSIGN_OR_RETURN(Attributes dir, LoadDirectory(db, parent));
    REEL_ASSIGN_OR_RETURN(auto existing, FindDentry(db, parent, name));
    if (existing) return Status::AlreadyExists("\"" + name + "\" exists");
    attr = Attributes{};
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
    {
      Stmt st = db.Prepare(
          "INSERT INTO inodes (type, mode, uid, gid, nlink, size, atime, mtime, ctime, version, "
          "symlink_target, rdev) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?7, 0, ?8, ?9)");
      st.Bind(static_cast<int>(attr.type), attr.mode, attr.uid, attr.gid, attr.nlink, attr.size,
              now);
      if (node.type == FileType::kSymlink) {
        st.BindOne(8, node.symlink_target);
      } else {
        st.BindOne(8, nullptr);
      }
      st.BindOne(9, attr.rdev);
      REEL_RETURN_IF_ERROR(st.Run());
    }
    attr.ino = static_cast<InodeId>(db.LastInsertRowid());
    REEL_RETURN_IF_ERROR(
        db.Prepare("INSERT INTO dentries (parent, name, child) VALUES (?1, ?2, ?3)")
            .Bind(parent, name, attr.ino)
            .Run());
    return TouchDirectory(db, parent, now, is_dir ? 1 : 0);
  });
  if (!s.ok()) return s;
  return attr;
}

// Hard links to directories are refused with PermissionDenied (EPERM), as link(2) does.
Result<Attributes> SqliteCatalog::Link(InodeId ino, InodeId new_parent,
                                       const std::string& new_name, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateName(new_name));
  Attributes attr;
  Status s = Write([&](Db& db) -> Status {
    REEL_ASSIGN_OR_RETURN(attr, LoadInode(db, ino));
    if (attr.type == FileType::kDirectory) {
      return Status::PermissionDenied("cannot hard-link a directory");
    }
    // A file in the trash has no name to link from (the kernel refuses nlink == 0 too).
    if (attr.nlink == 0) return Status::NotFound("inode " + std::to_string(ino) + " is deleted");
    REEL_RETURN_IF_ERROR(LoadDirectory(db, new_parent).status());
    REEL_ASSIGN_OR_RETURN(auto existing, FindDentry(db, new_parent, new_name));
    if (existing) return Status::AlreadyExists("\"" + new_name + "\" exists");
    REEL_RETURN_IF_ERROR(
        db.Prepare("INSERT INTO dentries (parent, name, child) VALUES (?1, ?2, ?3)")
            .Bind(new_parent, new_name, ino)
            .Run());
    attr.nlink += 1;
    attr.ctime = now;
    REEL_RETURN_IF_ERROR(SetLinkCount(db, ino, attr.nlink, now));
    return TouchDirectory(db, new_parent, now);
  });
  if (!s.ok()) return s;
  return attr;
}

Result<UnlinkResult> SqliteCatalog::Unlink(InodeId parent, const std::string& name, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateName(name));
  UnlinkResult result;
  Status s = Write([&](Db& db) -> Status {
    REEL_RETURN_IF_ERROR(LoadDirectory(db, parent).status());
    REEL_ASSIGN_OR_RETURN(auto entry, FindDentry(db, parent, name));
    if (!entry) return Status::NotFound("no entry \"" + name + "\"");
    REEL_ASSIGN_OR_RETURN(Attributes attr, LoadInode(db, entry->child));
    if (attr.type == FileType::kDirectory) {
      return Status::IsDirectory("\"" + name + "\" is a directory");
    }
    REEL_ASSIGN_OR_RETURN(result, DropName(db, *entry, attr, now));
    return TouchDirectory(db, parent, now);
  });
  if (!s.ok()) return s;
  return result;
}

Status SqliteCatalog::RemoveDir(InodeId parent, const std::string& name, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateName(name));
  return Write([&](Db& db) -> Status {
    REEL_RETURN_IF_ERROR(LoadDirectory(db, parent).status());
    REEL_ASSIGN_OR_RETURN(auto entry, FindDentry(db, parent, name));
    if (!entry) return Status::NotFound("no entry \"" + name + "\"");
    REEL_ASSIGN_OR_RETURN(Attributes attr, LoadInode(db, entry->child));
    if (attr.type != FileType::kDirectory) {
      return Status::NotDirectory("\"" + name + "\" is not a directory");
    }
    REEL_ASSIGN_OR_RETURN(bool has_children, HasChildren(db, attr.ino));
    if (has_children) return Status::NotEmpty("\"" + name + "\" is not empty");
    REEL_RETURN_IF_ERROR(db.Prepare("DELETE FROM dentries WHERE id = ?1").Bind(entry->id).Run());
    REEL_RETURN_IF_ERROR(DeleteInode(db, attr.ino, now));
    return TouchDirectory(db, parent, now, -1);
  });
}

Result<Attributes> SqliteCatalog::SetAttributes(InodeId ino, const AttrUpdate& update,
                                                TimeNs now) {
  Attributes attr;
  Status s = Write([&](Db& db) -> Status {
    REEL_ASSIGN_OR_RETURN(attr, LoadInode(db, ino));
    if (update.mode) attr.mode = *update.mode & 07777;
    if (update.uid) attr.uid = *update.uid;
    if (update.gid) attr.gid = *update.gid;
    if (update.atime) attr.atime = *update.atime;
    if (update.mtime) attr.mtime = *update.mtime;
    attr.ctime = now;
    return db
        .Prepare("UPDATE inodes SET mode = ?2, uid = ?3, gid = ?4, atime = ?5, mtime = ?6, "
                 "ctime = ?7 WHERE ino = ?1")
        .Bind(ino, attr.mode, attr.uid, attr.gid, attr.atime, attr.mtime, attr.ctime)
        .Run();
  });
  if (!s.ok()) return s;
  return attr;
}

// InvalidArgument for a non-symlink, as readlink(2) answers EINVAL.
Result<std::string> SqliteCatalog::ReadSymlink(InodeId ino) {
  REEL_ASSIGN_OR_RETURN(ReadLease lease, AcquireReader());
  Stmt st = lease.db().Prepare("SELECT type, symlink_target FROM inodes WHERE ino = ?1");
  st.Bind(ino);
  REEL_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound("no inode " + std::to_string(ino));
  if (st.Int(0) != static_cast<int>(FileType::kSymlink)) {
    return Status::InvalidArgument("inode " + std::to_string(ino) + " is not a symlink");
  }
  return st.Text(1);
}

Result<std::string> SqliteCatalog::PathOf(InodeId ino) {
  std::string path;
  Status s = Read([&](Db& db) -> Status {
    REEL_ASSIGN_OR_RETURN(path, ComputePath(db, ino));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return path;
}

}  // namespace reel::sqlite
