// Applies numbered schema migrations to an SQLite database (see migration_runner.h).
#include "catalog/sqlite/migration_runner.h"

#include <string>

namespace reel::sqlite {

Result<int> SchemaVersion(Db& db) {
  Stmt exists = db.Prepare(
      "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'");
  REEL_ASSIGN_OR_RETURN(bool has_table, exists.Step());
  if (!has_table) return 0;
  Stmt st = db.Prepare("SELECT coalesce(max(version), 0) FROM schema_version");
  REEL_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? static_cast<int>(st.Int(0)) : 0;
}

Result<int> RunMigrations(Db& db, const std::vector<Migration>& migrations, int64_t now) {
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  REEL_RETURN_IF_ERROR(db.Transaction([&] {
    return db.Exec(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        "  version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)");
  }));
  REEL_ASSIGN_OR_RETURN(int current, SchemaVersion(db));
  if (current > latest) {
    return Status::NotSupported("database " + db.path() + " has schema version " +
                                std::to_string(current) + ", newer than this build's " +
                                std::to_string(latest));
  }
  int applied = 0;
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    bool ran = false;
    Status s = db.Transaction([&]() -> Status {
      ran = false;
      // Re-read inside the write lock: another process may have migrated meanwhile.
      REEL_ASSIGN_OR_RETURN(int now_version, SchemaVersion(db));
      if (now_version >= m.version) return Status::Ok();
      REEL_RETURN_IF_ERROR(db.Exec(m.sql));
      REEL_RETURN_IF_ERROR(
          db.Prepare("INSERT INTO schema_version (version, description, applied_at) "
                     "VALUES (?1, ?2, ?3)")
              .Bind(m.version, m.description, now)
              .Run());
      REEL_RETURN_IF_ERROR(db.Exec("PRAGMA user_version = " + std::to_string(m.version)));
      ran = true;
      return Status::Ok();
    });
    if (!s.ok()) {
      return s.WithContext("schema migration " + std::to_string(m.version) + " (" +
                           m.description + ")");
    }
    if (ran) ++applied;
  }
  return applied;
}

}  // namespace reel::sqlite
