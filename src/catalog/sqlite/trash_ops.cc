// Trash of the SQLite catalog.
#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/sqlite/sqlite_txn.h"
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
    SqliteTxn tx(db);
    REEL_ASSIGN_OR_RETURN(attr, RestoreFromTrashIn(tx, trash_id, parent, name, now));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return attr;
}

Result<uint64_t> SqliteCatalog::PurgeTrash(TimeNs cutoff, const std::vector<InodeId>& keep,
                                           TimeNs now) {
  uint64_t purged = 0;
  Status s = Write([&](Db& db) -> Status {
    SqliteTxn tx(db);
    REEL_ASSIGN_OR_RETURN(purged, PurgeTrashIn(tx, cutoff, keep, now));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return purged;
}

}  // namespace reel::sqlite
