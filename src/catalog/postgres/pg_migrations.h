// Schema migrations of a PostgreSQL database. Each migration is one numbered script, applied once,
// in order, in its own serializable transaction together with its row in `schema_version`, so a
// crash leaves the database at a migration boundary. Several servers may start against one
// database at once: every migration's transaction first updates the one row of
// `schema_migration_lock`, so a second server waits for the first, fails with a serialization
// failure, runs again and finds the migration applied. A row lock, not an advisory lock
// (CockroachDB has none).
#pragma once

#include <span>

#include "catalog/postgres/pg_pool.h"

namespace reel::postgres {

struct PgMigration {
  int version;       // 1, 2, 3, ... in order, no gaps
  const char* name;  // a few words, recorded with it
  const char* sql;   // one or more statements
};

// Applies every migration of `migrations` that the database has not applied yet. A database
// whose schema is newer than the newest migration is refused (a newer ReelDrive made it): NotSupported.
[[nodiscard]] Status ApplyPgMigrations(PgPool& pool, std::span<const PgMigration> migrations);

// The newest migration applied (0 for a database without any).
[[nodiscard]] Result<int> PgSchemaVersion(PgConn& conn);

}  // namespace reel::postgres
