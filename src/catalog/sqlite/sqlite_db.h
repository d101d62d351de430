// A small RAII layer over one SQLite connection: cached prepared statements, Status mapping of
// SQLite result codes, and a write-transaction runner (BEGIN IMMEDIATE, retried on SQLITE_BUSY
// with exponential backoff).
//
// Threading: a Db is NOT thread-safe. Its owner guarantees that one thread at a time uses it (the
// catalog guards the writer with a mutex and hands reader connections out through a pool). The
// connection is opened in SQLite's multi-thread mode (SQLITE_OPEN_NOMUTEX): different connections
// may be used concurrently, one connection must not be.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace reel::sqlite {

// A BLOB parameter (bound by copy).
struct Blob {
  const void* data = nullptr;
  size_t size = 0;
};

// Maps an SQLite result code to a Status: BUSY/LOCKED -> Busy, CORRUPT/NOTADB -> Corruption,
// FULL -> NoSpace, READONLY -> ReadOnly, CONSTRAINT -> Internal (the catalog checks its invariants
// before writing, so a violated constraint is a bug), anything else -> IOError.
[[nodiscard]] Status StatusFromSqlite(int rc, std::string_view context, std::string_view detail);

class Db;

// One use of a prepared statement. Bind, Step, read columns; the destructor resets the statement
// and clears its bindings (ending its implicit read transaction) and gives it back to the cache.
// An error while preparing or binding is remembered and returned by the next Step/Run.
class Stmt {
 public:
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Binds parameters ?1, ?2, ... in order.
  template <typename... Args>
  Stmt& Bind(const Args&... args) {
    int index = 1;
    (BindOne(index++, args), ...);
    return *this;
  }
  template <std::integral T>
  void BindOne(int index, T value) {
    BindInt(index, static_cast<int64_t>(value));
  }
  void BindOne(int index, std::string_view text);
  void BindOne(int index, const std::string& text) { BindOne(index, std::string_view(text)); }
  void BindOne(int index, const char* text) { BindOne(index, std::string_view(text)); }
  void BindOne(int index, Blob blob);
  void BindOne(int index, std::nullptr_t);

  // Steps once: true when a row is available, false when the statement is done.
  [[nodiscard]] Result<bool> Step();
  // Steps to completion (INSERT/UPDATE/DELETE and statements whose rows are not wanted).
  [[nodiscard]] Status Run();

  int64_t Int(int col) const;
  uint64_t U64(int col) const { return static_cast<uint64_t>(Int(col)); }
  bool IsNull(int col) const;
  std::string Text(int col) const;
  std::span<const uint8_t> BlobView(int col) const;  // valid until the next Step

 private:
  friend class Db;
  Stmt(Db* db, sqlite3_stmt* stmt, bool* in_use, Status error);
  void BindInt(int index, int64_t value);
  void CheckBind(int rc, int index);

  Db* db_;
  sqlite3_stmt* stmt_;
  bool* in_use_;  // cache slot flag; nullptr when this Stmt owns (and finalizes) stmt_
  Status error_;
};

class Db {
 public:
  struct Options {
    bool wal = true;               // journal_mode=WAL (ignored for ":memory:")
    bool query_only = false;       // reader connections: refuse writes
    int busy_timeout_ms = 5000;
    int cache_kib = 16 * 1024;     // page cache size
  };

  // Opens (creating if needed) the database file `path`, or a private in-memory database for
  // ":memory:", and applies the connection pragmas: WAL, synchronous=NORMAL, foreign_keys=ON,
  // busy_timeout, cache size.
  [[nodiscard]] static Result<std::unique_ptr<Db>> Open(const std::string& path,
                                                        const Options& options);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // A statement from the cache, keyed by the ADDRESS of `sql`: pass string literals only (the
  // same literal must always mean the same text). Prepared once per connection, reused after.
  // If the cached statement is already in use (a caller nested two uses), a fresh one is prepared.
  Stmt Prepare(const char* sql);
  // Runs one or more statements that return no rows (schema changes, pragmas). Not cached.
  [[nodiscard]] Status Exec(const std::string& sql);

  int64_t Changes() const;
  int64_t LastInsertRowid() const;
  bool InTransaction() const;
  const std::string& path() const { return path_; }
  bool in_memory() const { return path_ == ":memory:"; }

  // Runs `body` in a write transaction: BEGIN IMMEDIATE, body, COMMIT. If BEGIN, the body or
  // COMMIT fails with Busy, the transaction is rolled back and the whole thing retried with
  // exponential backoff (plus SQLite's own busy_timeout wait inside each attempt), up to
  // kMaxAttempts. Any other error rolls back and is returned. `body` may run more than once, so it
  // must (re)assign its outputs on every run.
  [[nodiscard]] Status Transaction(const std::function<Status()>& body);
  // Runs `body` in a read transaction (BEGIN DEFERRED ... COMMIT) so that several statements see
  // one snapshot.
  [[nodiscard]] Status ReadTransaction(const std::function<Status()>& body);

  // Copies the whole database, as one snapshot, into the new file `path` (SQLite's online backup
  // API) and makes it durable. The caller must not be inside a transaction on this connection.
  [[nodiscard]] Status BackupTo(const std::string& path);
  // PRAGMA quick_check: Corruption naming the first problem unless the file is sound (catches
  // garbage, truncation and damaged pages; reads the whole file once).
  [[nodiscard]] Status QuickCheck();

  // The Status for result code `rc` with this connection's error message.
  [[nodiscard]] Status Error(int rc, std::string_view context) const;

  static constexpr int kMaxAttempts = 8;

 private:
  struct CachedStmt {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };

  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  void Rollback();

  sqlite3* db_;
  std::string path_;
  std::unordered_map<const char*, std::unique_ptr<CachedStmt>> cache_;
};

}  // namespace reel::sqlite
