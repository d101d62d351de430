#include "catalog/sqlite/sqlite_db.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include "common/retry_backoff.h"

namespace reel::sqlite {

Status StatusFromSqlite(int rc, std::string_view context, std::string_view detail) {
  std::string msg = std::string(context) + ": " + std::string(detail);
  switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
      return Status::Ok();
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Busy(std::move(msg));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(std::move(msg));
    case SQLITE_FULL:
      return {Code::kNoSpace, std::move(msg)};
    case SQLITE_READONLY:
      return {Code::kReadOnly, std::move(msg)};
    case SQLITE_CONSTRAINT:
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
    case SQLITE_ERROR:  // SQL error: a bug in the catalog's statements
      return Status::Internal(std::move(msg));
    default:
      return Status::IOError(std::move(msg));
  }
}

// ---------------------------------------------------------------------------------------------
// Stmt

Stmt::Stmt(Db* db, sqlite3_stmt* stmt, bool* in_use, Status error)
    : db_(db), stmt_(stmt), in_use_(in_use), error_(std::move(error)) {}

Stmt::Stmt(Stmt&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)),
      error_(std::move(other.error_)) {}

Stmt::~Stmt() {
  if (stmt_ == nullptr) return;
  if (in_use_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *in_use_ = false;
  } else {
    sqlite3_finalize(stmt_);
  }
}

void Stmt::CheckBind(int rc, int index) {
  if (rc != SQLITE_OK && error_.ok()) {
    error_ = db_->Error(rc, "bind parameter " + std::to_string(index));
  }
}

void Stmt::BindInt(int index, int64_t value) {
  if (stmt_ == nullptr) return;
  CheckBind(sqlite3_bind_int64(stmt_, index, value), index);
}

void Stmt::BindOne(int index, std::string_view text) {
  if (stmt_ == nullptr) return;
  CheckBind(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                                SQLITE_UTF8),
            index);
}

void Stmt::BindOne(int index, Blob blob) {
  if (stmt_ == nullptr) return;
  // A zero-length blob must still be a BLOB, not NULL: sqlite3_bind_blob with a null pointer
  // binds NULL, so point at a static byte.
  static const uint8_t kEmpty = 0;
  const void* data = blob.size == 0 ? &kEmpty : blob.data;
  CheckBind(sqlite3_bind_blob64(stmt_, index, data, blob.size, SQLITE_TRANSIENT), index);
}

void Stmt::BindOne(int index, std::nullptr_t) {
  if (stmt_ == nullptr) return;
  CheckBind(sqlite3_bind_null(stmt_, index), index);
}

Result<bool> Stmt::Step() {
  if (!error_.ok()) return error_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  error_ = db_->Error(rc, std::string("step \"") + sqlite3_sql(stmt_) + "\"");
  return error_;
}

Status Stmt::Run() {
  while (true) {
    REEL_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

int64_t Stmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

bool Stmt::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::string Stmt::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  int n = sqlite3_column_bytes(stmt_, col);
  return p == nullptr ? std::string() : std::string(p, static_cast<size_t>(n));
}

std::span<const uint8_t> Stmt::BlobView(int col) const {
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, col));
  int n = sqlite3_column_bytes(stmt_, col);
  if (p == nullptr) return {};
  return {p, static_cast<size_t>(n)};
}

// ---------------------------------------------------------------------------------------------
// Db

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, const Options& options) {
  if (sqlite3_threadsafe() == 0) {
    return Status::Internal("SQLite was built without thread support");
  }
  if (path != ":memory:") {
    // Create a new database file 0600 (it holds every file name of the drive); SQLite gives its
    // -wal and -shm files the mode of the database file. An empty file is a valid new database.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::close(fd);
    } else if (errno != EEXIST) {
      return Status::FromErrno(errno, "create " + path);
    }
  }
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = StatusFromSqlite(rc, "open " + path,
                                raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
    sqlite3_close_v2(raw);
    return s;
  }
  sqlite3_extended_result_codes(raw, 1);
  std::unique_ptr<Db> db(new Db(raw, path));

  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  std::string pragmas = "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; "
                        "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -" +
                        std::to_string(options.cache_kib) + ";";
  if (options.query_only) pragmas += " PRAGMA query_only = ON;";
  REEL_RETURN_IF_ERROR(db->Exec(pragmas));
  if (options.wal && !db->in_memory()) {
    // journal_mode answers with the mode in force; WAL is persistent in the file once set.
    Stmt st = db->Prepare("PRAGMA journal_mode = WAL");
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row || st.Text(0) != "wal") {
      return Status::IOError("could not switch " + path + " to WAL mode");
    }
    REEL_RETURN_IF_ERROR(db->Exec("PRAGMA journal_size_limit = 67108864;"));
  }
  return db;
}

Db::~Db() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached->stmt);
  cache_.clear();
  sqlite3_close_v2(db_);
}

Stmt Db::Prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second->in_use) {
    it->second->in_use = true;
    return Stmt(this, it->second->stmt, &it->second->in_use, Status::Ok());
  }
  bool cache_it = it == cache_.end();
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql, -1, cache_it ? SQLITE_PREPARE_PERSISTENT : 0, &stmt,
                              nullptr);
  if (rc != SQLITE_OK) {
    return Stmt(this, nullptr, nullptr, Error(rc, std::string("prepare \"") + sql + "\""));
  }
  if (!cache_it) return Stmt(this, stmt, nullptr, Status::Ok());  // nested use: owned copy
  auto cached = std::make_unique<CachedStmt>();
  cached->stmt = stmt;
  cached->in_use = true;
  bool* flag = &cached->in_use;
  cache_.emplace(sql, std::move(cached));
  return Stmt(this, stmt, flag, Status::Ok());
}

Status Db::Exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string detail = err != nullptr ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return StatusFromSqlite(rc, "exec", detail);
}

int64_t Db::Changes() const { return sqlite3_changes64(db_); }
int64_t Db::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
bool Db::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

Status Db::BackupTo(const std::string& path) {
  if (InTransaction()) return Status::Internal("catalog backup inside a transaction");
  // The destination is a plain (rollback-journal) database written by one step: a single step
  // holds one read snapshot of the source for the whole copy, so the copy is consistent; in WAL
  // mode writers go on meanwhile.
  sqlite3* dest = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &dest,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  auto close_dest = [&] { sqlite3_close_v2(dest); };
  if (rc != SQLITE_OK) {
    Status s = StatusFromSqlite(rc, "open backup " + path,
                                dest != nullptr ? sqlite3_errmsg(dest) : sqlite3_errstr(rc));
    close_dest();
    return s;
  }
  sqlite3_backup* backup = sqlite3_backup_init(dest, "main", db_, "main");
  if (backup == nullptr) {
    Status s = StatusFromSqlite(sqlite3_errcode(dest), "start backup to " + path,
                                sqlite3_errmsg(dest));
    close_dest();
    return s;
  }
  rc = sqlite3_backup_step(backup, -1);
  int finish = sqlite3_backup_finish(backup);
  if (rc == SQLITE_DONE) rc = finish;
  if (rc != SQLITE_OK && rc != SQLITE_DONE) {
    Status s = StatusFromSqlite(rc, "backup to " + path, sqlite3_errmsg(dest));
    close_dest();
    return s;
  }
  // The copy carries the source's WAL flag; make it a self-contained single file.
  char* err = nullptr;
  rc = sqlite3_exec(dest, "PRAGMA journal_mode = DELETE", nullptr, nullptr, &err);
  std::string detail = err != nullptr ? err : "";
  sqlite3_free(err);
  if (rc != SQLITE_OK) {
    close_dest();
    return StatusFromSqlite(rc, "backup " + path, detail);
  }
  if (sqlite3_close(dest) != SQLITE_OK) return Status::IOError("close backup " + path);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open backup " + path);
  int synced = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  if (synced != 0) return Status::FromErrno(saved, "fsync backup " + path);
  return Status::Ok();
}

Status Db::QuickCheck() {
  Stmt st = Prepare("PRAGMA quick_check(1)");
  REEL_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::Corruption(path_ + ": quick_check returned nothing");
  std::string verdict = st.Text(0);
  if (verdict != "ok") return Status::Corruption(path_ + ": " + verdict);
  return Status::Ok();
}

Status Db::Error(int rc, std::string_view context) const {
  return StatusFromSqlite(rc, context, sqlite3_errmsg(db_));
}

void Db::Rollback() {
  // SQLite may already have rolled back by itself (e.g. after SQLITE_FULL).
  if (InTransaction()) (void)Prepare("ROLLBACK").Run();
}

Status Db::Transaction(const std::function<Status()>& body) {
  if (InTransaction()) return Status::Internal("nested catalog transaction");
  RetryBackoff backoff(std::chrono::microseconds(500), std::chrono::milliseconds(50));
  for (int attempt = 1;; ++attempt) {
    Status s = Prepare("BEGIN IMMEDIATE").Run();
    if (s.ok()) {
      s = body();
      if (s.ok()) s = Prepare("COMMIT").Run();
      if (s.ok()) return s;
      Rollback();
    }
    if (s.code() != Code::kBusy || attempt == kMaxAttempts) {
      if (s.code() == Code::kBusy) {
        return s.WithContext("catalog busy after " + std::to_string(attempt) + " attempts");
      }
      return s;
    }
    backoff.Wait();
  }
}

Status Db::ReadTransaction(const std::function<Status()>& body) {
  if (InTransaction()) return body();  // already inside a snapshot (in-memory single connection)
  REEL_RETURN_IF_ERROR(Prepare("BEGIN").Run());
  Status s = body();
  if (s.ok()) s = Prepare("COMMIT").Run();
  if (!s.ok()) Rollback();
  return s;
}

}  // namespace reel::sqlite
