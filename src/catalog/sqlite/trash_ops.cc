// Trash of the SQLite catalog.
#include <unordered_set>

#include "catalog/sqlite/inode_queries.h"
#include "catalog/sqlite/sqlite_catalog.h"
#include "common/names.h"

namespace reel::sqlite {

Result<std::vector<TrashEntry>> SqliteCatalog::ListTrash() {
  REEL_ASSIGN_OR_RETURN(ReadLease lease, AcquireReader());
  Stmt st = lease.db().Prepare(
      "SELECT id, ino, original_path, deleted, size FROM trash ORDER BY id");
  std::vector<TrashEntry> out;
  while (true) {
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    TrashEntry e;
    e.id = st.U64(0);
    e.ino = st.U64(1);
    e.original_path = st.Text(2);
    e.deleted = st.Int(3);
    e.size = st.U64(4);
    out.push_back(std::move(e));
  }
  return out;
}

Result<Attributes> SqliteCatalog::RestoreFromTrash(uint64_t trash_id, InodeId parent,
                                                   const std::string& name, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateName(name));
  Attributes attr;
  Status s = Write([&](Db& db) -> Status {
    InodeId ino = 0;
    {
      Stmt st = db.Prepare("SELECT ino FROM trash WHERE id = ?1");
      st.Bind(trash_id);
      REEL_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::NotFound("no trash entry " + std::to_string(trash_id));
      ino = st.U64(0);
    }
    REEL_RETURN_IF_ERROR(LoadDirectory(db, parent).status());
    REEL_ASSIGN_OR_RETURN(auto existing, FindDentry(db, parent, name));
    if (existing) return Status::AlreadyExists("\"" + name + "\" exists");
    REEL_RETURN_IF_ERROR(
        db.Prepare("INSERT INTO dentries (parent, name, child) VALUES (?1, ?2, ?3)")
            .Bind(parent, name, ino)
            .Run());
    REEL_RETURN_IF_ERROR(SetLinkCount(db, ino, 1, now));
    REEL_RETURN_IF_ERROR(db.Prepare("DELETE FROM trash WHERE id = ?1").Bind(trash_id).Run());
    REEL_RETURN_IF_ERROR(TouchDirectory(db, parent, now));
    REEL_ASSIGN_OR_RETURN(attr, LoadInode(db, ino));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return attr;
}

// One transaction for the whole purge, so it is all-or-nothing like every catalog method.
Result<uint64_t> SqliteCatalog::PurgeTrash(TimeNs cutoff, const std::vector<InodeId>& keep,
                                           TimeNs now) {
  const std::unordered_set<InodeId> kept(keep.begin(), keep.end());
  uint64_t purged = 0;
  Status s = Write([&](Db& db) -> Status {
    purged = 0;
    std::vector<std::pair<uint64_t, InodeId>> victims;
    {
      Stmt st = db.Prepare("SELECT id, ino FROM trash WHERE deleted < ?1 ORDER BY deleted, id");
      st.Bind(cutoff);
      while (true) {
        REEL_ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        if (!kept.contains(st.U64(1))) victims.emplace_back(st.U64(0), st.U64(1));
      }
    }
    for (const auto& [id, ino] : victims) {
      REEL_RETURN_IF_ERROR(db.Prepare("DELETE FROM trash WHERE id = ?1").Bind(id).Run());
      REEL_RETURN_IF_ERROR(DeleteInode(db, ino, now));
      ++purged;
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return purged;
}

}  // namespace reel::sqlite
