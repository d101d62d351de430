// Namespace operations of the SQLite catalog: the shared operations of catalog/catalog_txn.h in
// one write transaction each (Rename is in rename_op.cc).
#include "catalog/sqlite/inode_queries.h"
#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/sqlite/sqlite_txn.h"
#include "common/names.h"

namespace reel::sqlite {

Result<Attributes> SqliteCatalog::CreateNode(InodeId parent, const std::string& name,
                                             const NewNode& node, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateName(name));
  REEL_RETURN_IF_ERROR(CheckNewNode(node));
  Attributes attr;
  Status s = Write([&](Db& db) -> Status {
    SqliteTxn tx(db);
    REEL_ASSIGN_OR_RETURN(attr, CreateNodeIn(tx, parent, name, node, now));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return attr;
}

Result<std::vector<InodeId>> SqliteCatalog::ReserveInodes(uint32_t count) {
  REEL_RETURN_IF_ERROR(CheckReserveCount(count));
  std::vector<InodeId> out;
  Status s = Write([&](Db& db) -> Status {
    // AUTOINCREMENT never gives a number at or below sqlite_sequence's: raising it reserves.
    Stmt st = db.Prepare(
        "UPDATE sqlite_sequence SET seq = max(seq, (SELECT coalesce(max(ino), 0) FROM inodes)) "
        "+ ?1 WHERE name = 'inodes' RETURNING seq");
    st.Bind(count);
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::Corruption("the catalog has no inode numbering");
    const InodeId last = st.U64(0);
    out.clear();
    for (InodeId ino = last - count + 1; ino <= last; ++ino) out.push_back(ino);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<NodeCreated>> SqliteCatalog::CreateNodes(const std::vector<NodeCreate>& creates) {
  REEL_RETURN_IF_ERROR(CheckNodeCreates(creates));
  std::vector<NodeCreated> out;
  Status s = Write([&](Db& db) -> Status {
    SqliteTxn tx(db);
    REEL_ASSIGN_OR_RETURN(out, CreateNodesIn(tx, creates));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<Attributes> SqliteCatalog::Link(InodeId ino, InodeId new_parent,
                                       const std::string& new_name, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateName(new_name));
  Attributes attr;
  Status s = Write([&](Db& db) -> Status {
    SqliteTxn tx(db);
    REEL_ASSIGN_OR_RETURN(attr, LinkIn(tx, ino, new_parent, new_name, now));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return attr;
}

Result<UnlinkResult> SqliteCatalog::Unlink(InodeId parent, const std::string& name, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateName(name));
  UnlinkResult result;
  Status s = Write([&](Db& db) -> Status {
    SqliteTxn tx(db);
    REEL_ASSIGN_OR_RETURN(result, UnlinkIn(tx, parent, name, now));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return result;
}

Status SqliteCatalog::RemoveDir(InodeId parent, const std::string& name, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateName(name));
  return Write([&](Db& db) -> Status {
    SqliteTxn tx(db);
    return RemoveDirIn(tx, parent, name, now);
  });
}

Result<Attributes> SqliteCatalog::SetAttributes(InodeId ino, const AttrUpdate& update,
                                                TimeNs now) {
  Attributes attr;
  Status s = Write([&](Db& db) -> Status {
    REEL_ASSIGN_OR_RETURN(attr, LoadInode(db, ino));
    ApplyAttrUpdate(update, now, attr);
    REEL_RETURN_IF_ERROR(
        db.Prepare("UPDATE inodes SET mode = ?2, uid = ?3, gid = ?4, atime = ?5, mtime = ?6, "
                   "ctime = ?7 WHERE ino = ?1")
            .Bind(ino, attr.mode, attr.uid, attr.gid, attr.atime, attr.mtime, attr.ctime)
            .Run());
    SqliteTxn tx(db);
    return RecordChanged(tx, attr, now);
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
    SqliteTxn tx(db);  // reads only
    REEL_ASSIGN_OR_RETURN(path, ComputePath(tx, ino));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return path;
}

}  // namespace reel::sqlite
