// Trash of the PostgreSQL catalog.
#include "catalog/postgres/postgres_catalog.h"
#include "common/names.h"

namespace reel::postgres {

Result<std::vector<TrashEntry>> PostgresCatalog::ListTrash() {
  REEL_ASSIGN_OR_RETURN(
      PgRows rows,
      QueryOnce("SELECT id, ino, original_path, deleted, size FROM trash ORDER BY id"));
  return MapRows(rows, [](const PgRows& rs, int r) {
    return TrashEntry{rs.U64(r, 0), rs.U64(r, 1), rs.ByteaString(r, 2), rs.Int(r, 3), rs.U64(r, 4)};
  });
}

Result<Attributes> PostgresCatalog::RestoreFromTrash(uint64_t trash_id, InodeId parent,
                                                     const std::string& name, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateName(name));
  return WriteFor<Attributes>(
      [&](PgTxn& tx) { return RestoreFromTrashIn(tx, trash_id, parent, name, now); });
}

Result<uint64_t> PostgresCatalog::PurgeTrash(TimeNs cutoff, const std::vector<InodeId>& keep,
                                             TimeNs now) {
  return WriteFor<uint64_t>([&](PgTxn& tx) { return PurgeTrashIn(tx, cutoff, keep, now); });
}

}  // namespace reel::postgres
