// The SQLite catalog's schema, as a numbered list of migrations (see schema_migrations.cc for the
// schema itself and its rationale).
#pragma once

#include <cstdint>
#include <vector>

#include "catalog/sqlite/migration_runner.h"
#include "catalog/sqlite/sqlite_db.h"
#include "common/status.h"

namespace reel::sqlite {

// All migrations, in order.
const std::vector<Migration>& Migrations();
int LatestSchemaVersion();

// Brings the catalog `db` to LatestSchemaVersion() (RunMigrations with Migrations()).
[[nodiscard]] Result<int> Migrate(Db& db, int64_t now);

}  // namespace reel::sqlite
