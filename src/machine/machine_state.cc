// MachineState: opening, schema, the one-time copy from a catalog that still held this machine's
// state, and pins. The transfer queue is in transfer_queue.cc.
//
// Schema (migrations below, applied by catalog/sqlite/migration_runner.h):
//   transfers(id INTEGER PRIMARY KEY AUTOINCREMENT, kind, chunk BLOB (32 bytes), size, tier,
//             state, attempts, created, next_attempt, last_error, UNIQUE(kind, chunk, tier))
//       One row per queued (state 0) or running (state 1) transfer; ids are never reused. Index
//       (state, next_attempt, id) finds what is due, oldest first.
//   pins(ino INTEGER PRIMARY KEY)
//       Pinned files, by the catalog's inode number. No foreign key: the catalog is elsewhere; a
//       pin of a file the catalog no longer has is dropped by whoever finds it (Placement).
#include "machine/machine_state.h"

#include <sys/stat.h>

#include <cerrno>
#include <utility>

#include "catalog/sqlite/migration_runner.h"
#include "catalog/sqlite/sqlite_db.h"
#include "catalog/sqlite/transfer_queue_sql.h"
#include "common/clock.h"

namespace reel {

using sqlite::Db;
using sqlite::Stmt;

namespace {

constexpr const char* kPinsSql = R"sql(
CREATE TABLE pins (
  ino INTEGER PRIMARY KEY
);
)sql";

const std::vector<sqlite::Migration>& Migrations() {
  static const std::string kInitialSchema = std::string(sqlite::kTransferQueueSql) + kPinsSql;
  static const std::vector<sqlite::Migration> kMigrations = {
      {1, "transfer queue and pins", kInitialSchema.c_str()},
  };
  return kMigrations;
}

}  // namespace

MachineState::MachineState(std::unique_ptr<Db> db) : db_(std::move(db)) {}
MachineState::~MachineState() = default;

Result<std::unique_ptr<MachineState>> MachineState::Open(const std::string& path,
                                                         const std::string& legacy_catalog) {
  Db::Options options;
  options.cache_kib = 2 * 1024;
  auto db = Db::Open(path, options);
  if (!db.ok()) return db.status().WithContext("open machine state " + path);
  if (path != ":memory:" && ::chmod(path.c_str(), 0600) != 0) {
    return Status::FromErrno(errno, "chmod " + path);
  }
  Status migrated = sqlite::RunMigrations(**db, Migrations(), WallClockNs()).status();
  if (!migrated.ok()) return migrated.WithContext("machine state " + path);
  std::unique_ptr<MachineState> state(new MachineState(std::move(db).value()));
  if (!legacy_catalog.empty()) {
    REEL_RETURN_IF_ERROR(state->ImportLegacy(legacy_catalog)
                             .WithContext("move this machine's queue and pins out of " +
                                          legacy_catalog));
  }
  return state;
}

Status MachineState::Write(const std::function<Status(Db&)>& body) {
  std::lock_guard lock(mu_);
  return db_->Transaction([&] { return body(*db_); });
}

Status MachineState::Read(const std::function<Status(Db&)>& body) {
  std::lock_guard lock(mu_);
  return db_->ReadTransaction([&] { return body(*db_); });
}

// Copies (idempotently: the queue's and the pins' unique keys make a repeat a no-op) and only
// then drops the legacy tables, each in its own transaction: a crash in between leaves copies
// that the next open copies again, harmlessly, and drops.
Status MachineState::ImportLegacy(const std::string& catalog_path) {
  struct stat st {};
  if (::stat(catalog_path.c_str(), &st) != 0) return Status::Ok();  // no catalog file: nothing
  std::lock_guard lock(mu_);
  Db& db = *db_;
  REEL_RETURN_IF_ERROR(db.Prepare("ATTACH DATABASE ?1 AS legacy").Bind(catalog_path).Run());
  auto body = [&]() -> Status {
    int64_t tables = 0;
    {  // a statement still open would keep DROP TABLE from running
      Stmt has = db.Prepare(
          "SELECT count(*) FROM legacy.sqlite_schema WHERE type = 'table' "
          "AND name IN ('legacy_pins', 'legacy_transfers')");
      REEL_ASSIGN_OR_RETURN(bool row, has.Step());
      tables = row ? has.Int(0) : 0;
    }
    if (tables != 2) return Status::Ok();  // nothing to move (or not migrated yet)
    REEL_RETURN_IF_ERROR(db.Transaction([&] {
      REEL_RETURN_IF_ERROR(db.Exec(
          "INSERT OR IGNORE INTO main.transfers (kind, chunk, size, tier, state, attempts, "
          "created, next_attempt, last_error) SELECT kind, chunk, size, tier, 0, attempts, "
          "created, next_attempt, last_error FROM legacy.legacy_transfers ORDER BY rowid"));
      return db.Exec("INSERT OR IGNORE INTO main.pins (ino) SELECT ino FROM legacy.legacy_pins");
    }));
    return db.Transaction([&] {
      return db.Exec("DROP TABLE legacy.legacy_transfers; DROP TABLE legacy.legacy_pins;");
    });
  };
  Status s = body();
  Status detached = db.Prepare("DETACH DATABASE legacy").Run();
  return s.ok() ? detached : s;
}

Status MachineState::SetPinned(InodeId ino, bool pinned) {
  return Write([&](Db& db) -> Status {
    if (pinned) return db.Prepare("INSERT OR IGNORE INTO pins (ino) VALUES (?1)").Bind(ino).Run();
    return db.Prepare("DELETE FROM pins WHERE ino = ?1").Bind(ino).Run();
  });
}

Result<std::vector<InodeId>> MachineState::ListPinned() {
  std::vector<InodeId> out;
  Status s = Read([&](Db& db) -> Status {
    out.clear();
    Stmt st = db.Prepare("SELECT ino FROM pins ORDER BY ino");
    while (true) {
      REEL_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      out.push_back(st.U64(0));
    }
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace reel
