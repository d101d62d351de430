// Rename of the SQLite catalog: POSIX rename(2) plus RENAME_NOREPLACE and RENAME_EXCHANGE.
//
// Order of checks (as Linux does them): both parents must be directories; the source must exist;
// same parent and name is a no-op; NOREPLACE with an existing target is AlreadyExists; EXCHANGE
// without a target is NotFound; source and target being names of the same inode is a no-op
// (POSIX); a directory may not move into its own subtree (InvalidArgument); then the type rules
// for a replaced target (NotDirectory, IsDirectory, NotEmpty).
//
// The moved entry keeps its dentry id (its ReadDir cookie); an exchange swaps the children of the
// two entries, so both names keep their ids.
#include <utility>

#include "catalog/sqlite/inode_queries.h"
#include "catalog/sqlite/sqlite_catalog.h"
#include "common/names.h"

namespace reel::sqlite {

namespace {

bool IsDir(const Attributes& a) { return a.type == FileType::kDirectory; }

Status Exchange(Db& db, const Dentry& src, const Attributes& src_attr, const Dentry& dst,
                const Attributes& dst_attr, TimeNs now) {
  if (src.parent != dst.parent) {
    if (IsDir(src_attr)) {
      REEL_ASSIGN_OR_RETURN(bool cycle, IsSameOrBelow(db, dst.parent, src_attr.ino));
      if (cycle) return Status::InvalidArgument("cannot move a directory into itself");
    }
    if (IsDir(dst_attr)) {
      REEL_ASSIGN_OR_RETURN(bool cycle, IsSameOrBelow(db, src.parent, dst_attr.ino));
      if (cycle) return Status::InvalidArgument("cannot move a directory into itself");
    }
  }
  const std::pair<int64_t, InodeId> swaps[] = {{src.id, dst_attr.ino}, {dst.id, src_attr.ino}};
  for (const auto& [entry, child] : swaps) {
    REEL_RETURN_IF_ERROR(
        db.Prepare("UPDATE dentries SET child = ?2 WHERE id = ?1").Bind(entry, child).Run());
  }
  REEL_RETURN_IF_ERROR(SetCtime(db, src_attr.ino, now));
  REEL_RETURN_IF_ERROR(SetCtime(db, dst_attr.ino, now));
  // A directory that changes parent moves one ".." link from its old parent to its new one.
  int src_parent_delta = 0;
  int dst_parent_delta = 0;
  if (src.parent != dst.parent) {
    if (IsDir(src_attr)) --src_parent_delta, ++dst_parent_delta;
    if (IsDir(dst_attr)) ++src_parent_delta, --dst_parent_delta;
  }
  REEL_RETURN_IF_ERROR(TouchDirectory(db, src.parent, now, src_parent_delta));
  if (dst.parent != src.parent) {
    REEL_RETURN_IF_ERROR(TouchDirectory(db, dst.parent, now, dst_parent_delta));
  }
  return Status::Ok();
}

}  // namespace

Result<RenameResult> SqliteCatalog::Rename(InodeId old_parent, const std::string& old_name,
                                           InodeId new_parent, const std::string& new_name,
                                           RenameMode mode, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateName(old_name));
  REEL_RETURN_IF_ERROR(ValidateName(new_name));
  RenameResult result;
  Status s = Write([&](Db& db) -> Status {
    result = RenameResult{};
    REEL_RETURN_IF_ERROR(LoadDirectory(db, old_parent).status());
    REEL_RETURN_IF_ERROR(LoadDirectory(db, new_parent).status());
    REEL_ASSIGN_OR_RETURN(auto src, FindDentry(db, old_parent, old_name));
    if (!src) return Status::NotFound("no entry \"" + old_name + "\"");
    if (old_parent == new_parent && old_name == new_name) return Status::Ok();
    REEL_ASSIGN_OR_RETURN(auto dst, FindDentry(db, new_parent, new_name));
    if (dst && mode == RenameMode::kNoReplace) {
      return Status::AlreadyExists("\"" + new_name + "\" exists");
    }
    if (!dst && mode == RenameMode::kExchange) {
      return Status::NotFound("no entry \"" + new_name + "\" to exchange with");
    }
    if (dst && dst->child == src->child) return Status::Ok();  // two names of one inode
    REEL_ASSIGN_OR_RETURN(Attributes src_attr, LoadInode(db, src->child));
    std::optional<Attributes> dst_attr;
    if (dst) {
      REEL_ASSIGN_OR_RETURN(dst_attr, LoadInode(db, dst->child));
    }
    if (mode == RenameMode::kExchange) {
      return Exchange(db, *src, src_attr, *dst, *dst_attr, now);
    }

    if (IsDir(src_attr) && old_parent != new_parent) {
      REEL_ASSIGN_OR_RETURN(bool cycle, IsSameOrBelow(db, new_parent, src_attr.ino));
      if (cycle) return Status::InvalidArgument("cannot move a directory into itself");
    }
    int new_parent_delta = 0;
    if (dst) {
      if (IsDir(src_attr) && !IsDir(*dst_attr)) {
        return Status::NotDirectory("\"" + new_name + "\" is not a directory");
      }
      if (!IsDir(src_attr) && IsDir(*dst_attr)) {
        return Status::IsDirectory("\"" + new_name + "\" is a directory");
      }
      if (IsDir(*dst_attr)) {
        REEL_ASSIGN_OR_RETURN(bool has_children, HasChildren(db, dst_attr->ino));
        if (has_children) return Status::NotEmpty("\"" + new_name + "\" is not empty");
        REEL_RETURN_IF_ERROR(db.Prepare("DELETE FROM dentries WHERE id = ?1").Bind(dst->id).Run());
        REEL_RETURN_IF_ERROR(DeleteInode(db, dst_attr->ino, now));
        --new_parent_delta;
        result.replaced = UnlinkResult{dst_attr->ino, 0, std::nullopt};
      } else if (mode == RenameMode::kReplaceKeepHistory &&
                 src_attr.type == FileType::kRegular && dst_attr->type == FileType::kRegular &&
                 dst_attr->nlink == 1) {
        REEL_RETURN_IF_ERROR(db.Prepare("DELETE FROM dentries WHERE id = ?1").Bind(dst->id).Run());
        REEL_RETURN_IF_ERROR(MoveHistory(db, dst_attr->ino, src_attr.ino));
        REEL_RETURN_IF_ERROR(DeleteInode(db, dst_attr->ino, now));
        result.replaced = UnlinkResult{dst_attr->ino, 0, std::nullopt};
      } else {
        REEL_ASSIGN_OR_RETURN(result.replaced, DropName(db, *dst, *dst_attr, now));
      }
    }
    REEL_RETURN_IF_ERROR(db.Prepare("UPDATE dentries SET parent = ?2, name = ?3 WHERE id = ?1")
                             .Bind(src->id, new_parent, new_name)
                             .Run());
    REEL_RETURN_IF_ERROR(SetCtime(db, src_attr.ino, now));
    int old_parent_delta = 0;
    if (IsDir(src_attr) && old_parent != new_parent) {
      --old_parent_delta;
      ++new_parent_delta;
    }
    if (old_parent == new_parent) {
      return TouchDirectory(db, old_parent, now, old_parent_delta + new_parent_delta);
    }
    REEL_RETURN_IF_ERROR(TouchDirectory(db, old_parent, now, old_parent_delta));
    return TouchDirectory(db, new_parent, now, new_parent_delta);
  });
  if (!s.ok()) return s;
  return result;
}

}  // namespace reel::sqlite
