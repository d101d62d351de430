// Rename of the SQLite catalog: the shared RenameIn (catalog/catalog_txn.h) in one write
// transaction.
#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/sqlite/sqlite_txn.h"
#include "common/names.h"

namespace reel::sqlite {

Result<RenameResult> SqliteCatalog::Rename(InodeId old_parent, const std::string& old_name,
                                           InodeId new_parent, const std::string& new_name,
                                           RenameMode mode, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateName(old_name));
  REEL_RETURN_IF_ERROR(ValidateName(new_name));
  RenameResult result;
  Status s = Write([&](Db& db) -> Status {
    SqliteTxn tx(db);
    REEL_ASSIGN_OR_RETURN(result,
                          RenameIn(tx, old_parent, old_name, new_parent, new_name, mode, now));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return result;
}

}  // namespace reel::sqlite
