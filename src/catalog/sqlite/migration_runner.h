// Numbered schema migrations of an SQLite database: the catalog's and the machine state's.
#pragma once

#include <cstdint>
#include <vector>

#include "catalog/sqlite/sqlite_db.h"
#include "common/status.h"

namespace reel::sqlite {

struct Migration {
  int version;              // 1, 2, 3 ... in order, never renumbered, never edited once shipped
  const char* description;
  const char* sql;          // one or more statements
};

// The schema version recorded in `db` (0 for a new database).
[[nodiscard]] Result<int> SchemaVersion(Db& db);

// Brings `db` to the last of `migrations`. Each migration runs in its own write transaction
// together with its row in `schema_version` (and PRAGMA user_version), so a crash leaves the
// database at a whole version, and two processes opening a new database at once apply each
// migration once. NotSupported if the database is newer than this build. Returns how many
// migrations ran. `now` is recorded as applied_at.
[[nodiscard]] Result<int> RunMigrations(Db& db, const std::vector<Migration>& migrations,
                                        int64_t now);

}  // namespace reel::sqlite
