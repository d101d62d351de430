// Namespace operations of the PostgreSQL catalog: the shared operations of catalog/catalog_txn.h,
// one serializable transaction each.
#include "catalog/postgres/postgres_catalog.h"
#include "common/names.h"

namespace reel::postgres {

Result<Attributes> PostgresCatalog::CreateNode(InodeId parent, const std::string& name,
                                               const NewNode& node, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateName(name));
  REEL_RETURN_IF_ERROR(CheckNewNode(node));
  return WriteFor<Attributes>([&](PgTxn& tx) { return CreateNodeIn(tx, parent, name, node, now); });
}

Result<std::vector<InodeId>> PostgresCatalog::ReserveInodes(uint32_t count) {
  REEL_RETURN_IF_ERROR(CheckReserveCount(count));
  return WriteFor<std::vector<InodeId>>([&](PgTxn& tx) -> Result<std::vector<InodeId>> {
    REEL_ASSIGN_OR_RETURN(PgRows rows,
                          tx.conn().Query("SELECT nextval('inodes_ino_seq') FROM "
                                          "generate_series(1, $1) ORDER BY 1",
                                          count));
    std::vector<InodeId> out;
    for (int i = 0; i < rows.size(); ++i) out.push_back(rows.U64(i, 0));
    return out;
  });
}

Result<std::vector<NodeCreated>> PostgresCatalog::CreateNodes(
    const std::vector<NodeCreate>& creates) {
  REEL_RETURN_IF_ERROR(CheckNodeCreates(creates));
  return WriteFor<std::vector<NodeCreated>>(
      [&](PgTxn& tx) { return CreateNodesIn(tx, creates); });
}

Result<Attributes> PostgresCatalog::Link(InodeId ino, InodeId new_parent,
                                         const std::string& new_name, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateName(new_name));
  return WriteFor<Attributes>(
      [&](PgTxn& tx) { return LinkIn(tx, ino, new_parent, new_name, now); });
}

Result<UnlinkResult> PostgresCatalog::Unlink(InodeId parent, const std::string& name, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateName(name));
  return WriteFor<UnlinkResult>([&](PgTxn& tx) { return UnlinkIn(tx, parent, name, now); });
}

Status PostgresCatalog::RemoveDir(InodeId parent, const std::string& name, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateName(name));
  return Write([&](PgTxn& tx) { return RemoveDirIn(tx, parent, name, now); });
}

Result<RenameResult> PostgresCatalog::Rename(InodeId old_parent, const std::string& old_name,
                                             InodeId new_parent, const std::string& new_name,
                                             RenameMode mode, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateName(old_name));
  REEL_RETURN_IF_ERROR(ValidateName(new_name));
  return WriteFor<RenameResult>([&](PgTxn& tx) {
    return RenameIn(tx, old_parent, old_name, new_parent, new_name, mode, now);
  });
}

Result<Attributes> PostgresCatalog::SetAttributes(InodeId ino, const AttrUpdate& update,
                                                  TimeNs now) {
  return WriteFor<Attributes>([&](PgTxn& tx) -> Result<Attributes> {
    REEL_ASSIGN_OR_RETURN(Attributes attr, tx.LoadInode(ino));
    ApplyAttrUpdate(update, now, attr);
    REEL_RETURN_IF_ERROR(tx.conn().Exec(
        "UPDATE inodes SET mode = $2, uid = $3, gid = $4, atime = $5, mtime = $6, ctime = $7 "
        "WHERE ino = $1",
        ino, attr.mode, attr.uid, attr.gid, attr.atime, attr.mtime, attr.ctime));
    REEL_RETURN_IF_ERROR(RecordChanged(tx, attr, now));
    return attr;
  });
}

// InvalidArgument for a non-symlink, as readlink(2) answers EINVAL.
Result<std::string> PostgresCatalog::ReadSymlink(InodeId ino) {
  REEL_ASSIGN_OR_RETURN(PgRows rows,
                        QueryOnce("SELECT type, symlink_target FROM inodes WHERE ino = $1", ino));
  if (rows.empty()) return Status::NotFound("no inode " + std::to_string(ino));
  if (rows.Int(0, 0) != static_cast<int>(FileType::kSymlink)) {
    return Status::InvalidArgument("inode " + std::to_string(ino) + " is not a symlink");
  }
  return rows.ByteaString(0, 1);
}

Result<std::string> PostgresCatalog::PathOf(InodeId ino) {
  return ReadFor<std::string>([&](PgConn& c) {
    PgTxn tx(c);  // reads only
    return ComputePath(tx, ino);
  });
}

}  // namespace reel::postgres
