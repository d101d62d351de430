#include "catalog/postgres/pg_migrations.h"

#include <string>

namespace reel::postgres {

namespace {

// schema_migration_lock has one row that every migration's transaction updates first. DDL is
// outside serializable isolation's checks (a second CREATE TABLE fails with "already exists",
// not a serialization failure), so migrators are serialised on that row instead: the second
// waits for the first, then fails with a serialization failure (the row changed under its
// snapshot) and runs again on a snapshot that shows the migration applied.
constexpr const char* kCreateVersionTables =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TIMESTAMPTZ NOT NULL DEFAULT now());"
    "CREATE TABLE IF NOT EXISTS schema_migration_lock ("
    " id INTEGER PRIMARY KEY,"
    " migrations BIGINT NOT NULL DEFAULT 0);"
    "INSERT INTO schema_migration_lock (id) VALUES (1) ON CONFLICT (id) DO NOTHING";

Status CheckOrder(std::span<const PgMigration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return Status::Internal("migration " + std::to_string(i + 1) + " is numbered " +
                              std::to_string(migrations[i].version));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<int> PgSchemaVersion(PgConn& conn) {
  REEL_ASSIGN_OR_RETURN(PgRows exists,
                        conn.Query("SELECT to_regclass('schema_version') IS NOT NULL"));
  if (exists.Text(0, 0) != "t") return 0;
  REEL_ASSIGN_OR_RETURN(PgRows rows,
                        conn.Query("SELECT coalesce(max(version), 0) FROM schema_version"));
  return static_cast<int>(rows.Int(0, 0));
}

Status ApplyPgMigrations(PgPool& pool, std::span<const PgMigration> migrations) {
  REEL_RETURN_IF_ERROR(CheckOrder(migrations));
  const int newest = static_cast<int>(migrations.size());
  // Made in a transaction of its own. Servers starting together may both try: the one that
  // loses the race sees "already exists" and tries again, when IF NOT EXISTS sees the tables.
  Status made;
  for (int round = 0; round < 3; ++round) {
    made = pool.Transaction([](PgConn& c) { return c.ExecScript(kCreateVersionTables); });
    if (made.code() != Code::kAlreadyExists) break;
  }
  if (!made.ok()) return made.WithContext("create schema_version");
  for (const PgMigration& m : migrations) {
    Status s = pool.Transaction([&](PgConn& c) -> Status {
      // Taken first: a server applying this migration now makes this one wait, then run again.
      REEL_RETURN_IF_ERROR(
          c.Exec("UPDATE schema_migration_lock SET migrations = migrations + 1 WHERE id = 1"));
      REEL_ASSIGN_OR_RETURN(int current, PgSchemaVersion(c));
      if (current > newest) {
        return Status::NotSupported("the catalog's schema is version " + std::to_string(current) +
                                    ", newer than this ReelDrive's " + std::to_string(newest));
      }
      if (current >= m.version) return Status::Ok();
      REEL_RETURN_IF_ERROR(c.ExecScript(m.sql));
      return c.Exec("INSERT INTO schema_version (version, name) VALUES ($1, $2)", m.version,
                    m.name);
    });
    if (!s.ok()) {
      return s.WithContext("schema migration " + std::to_string(m.version) + " (" + m.name + ")");
    }
  }
  return Status::Ok();
}

}  // namespace reel::postgres
