// A small layer over one libpq connection, shaped like the SQLite one (sqlite/sqlite_db.h) so the
// catalog code can be written once for both: statements with $1, $2, ... parameters bound in
// order and prepared once per connection, rows read by column, errors mapped to Status by
// SQLSTATE, and a serializable transaction runner that retries serialization failures (SQLSTATE
// 40001, deadlocks 40P01), which is what CockroachDB requires of its clients too.
//
// Threading: a PgConn is NOT thread-safe; one thread at a time uses it (PgPool hands connections
// out one lease at a time). libpq itself is thread-safe across connections.
//
// Secrets: a connection URI may carry a password. Nothing here puts the URI in a message; errors
// and descriptions name user, host, port and database only (PgTarget).
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"

struct pg_conn;
struct pg_result;

namespace reel::postgres {

// What a postgresql:// URI names, without its password: for messages and logs.
struct PgTarget {
  std::string user;
  std::string host;
  std::string port;
  std::string dbname;
  std::string ToString() const;  // "user@host:port/dbname"
};

// Checks a postgresql:// (or postgres://) URI with libpq's own parser and says what it names.
// InvalidArgument for another scheme or a URI libpq refuses; the message never holds the URI.
[[nodiscard]] Result<PgTarget> ParsePgUri(const std::string& uri);

// Maps a SQLSTATE to a Status: 40001/40P01 (serialization failure, deadlock) and 55P03 (lock not
// available) -> Busy, the retryable ones; class 08 (connection), 57P01-57P03 (shutdown) ->
// Unavailable; 23505 and the duplicate table/column/type/schema of DDL (42P07, 42701, 42710,
// 42P06) -> AlreadyExists; other class 23 (constraints) -> Internal; 28 (auth) ->
// PermissionDenied; 3D000 (no such database) -> NotFound; 53100 (disk full) -> NoSpace; 22 (bad
// data) -> InvalidArgument; anything else -> Internal.
[[nodiscard]] Status StatusFromSqlState(std::string_view sqlstate, std::string_view context,
                                        std::string_view detail);
// Whether RunTransaction retries a failure with this Status (a serialization failure or deadlock).
bool IsRetryable(const Status& s);

// A bytea parameter (sent in binary, by copy).
struct Bytes {
  const void* data = nullptr;
  size_t size = 0;
};
// Bytes of a string (file names and other byte strings are bytea: not necessarily UTF-8).
inline Bytes AsBytes(std::string_view s) { return Bytes{s.data(), s.size()}; }

// The rows one statement returned (text format). Row and column indexes start at 0.
class PgRows {
 public:
  PgRows() = default;
  explicit PgRows(pg_result* res);
  PgRows(PgRows&& other) noexcept;
  PgRows& operator=(PgRows&& other) noexcept;
  PgRows(const PgRows&) = delete;
  PgRows& operator=(const PgRows&) = delete;
  ~PgRows();

  int size() const;
  bool empty() const { return size() == 0; }
  bool IsNull(int row, int col) const;
  int64_t Int(int row, int col) const;
  uint64_t U64(int row, int col) const { return static_cast<uint64_t>(Int(row, col)); }
  std::string Text(int row, int col) const;
  std::vector<uint8_t> Bytea(int row, int col) const;
  // A bytea column as a string of its bytes.
  std::string ByteaString(int row, int col) const;
  // Rows changed by an INSERT, UPDATE or DELETE.
  int64_t Affected() const;
  pg_result* raw() const { return res_; }

 private:
  pg_result* res_ = nullptr;
};

// The parameters of one statement, added in order ($1, $2, ...).
class PgParams {
 public:
  template <std::integral T>
  void Add(T value) {
    AddInt(static_cast<int64_t>(value));
  }
  void Add(std::string_view text);
  void Add(const std::string& text) { Add(std::string_view(text)); }
  void Add(const char* text) { Add(std::string_view(text)); }
  void Add(Bytes bytes);
  void Add(std::nullptr_t);

  int count() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return pointers_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }
  // Fills the pointer array once every value is added (their storage no longer moves).
  void Seal();

 private:
  void AddInt(int64_t value);
  void Push(std::string value, bool is_null, int format);

  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  std::vector<const char*> pointers_;
};

class PgConn {
 public:
  // Connects to `uri` (postgresql://...). Unavailable when the server does not answer,
  // PermissionDenied when it refuses the user, NotFound when the database does not exist.
  [[nodiscard]] static Result<std::unique_ptr<PgConn>> Connect(const std::string& uri);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // Runs `sql`, prepared once per connection and cached by the ADDRESS of `sql` (pass string
  // literals only, as with sqlite::Db::Prepare), with `args` as $1, $2, ...
  template <typename... Args>
  [[nodiscard]] Result<PgRows> Query(const char* sql, const Args&... args) {
    PgParams params;
    (params.Add(args), ...);
    return Run(sql, params);
  }
  // The same for statements whose rows are not wanted.
  template <typename... Args>
  [[nodiscard]] Status Exec(const char* sql, const Args&... args) {
    return Query(sql, args...).status();
  }
  [[nodiscard]] Result<PgRows> Run(const char* sql, PgParams& params);
  // Runs one or more statements without parameters and without preparing them (schema changes,
  // transaction control).
  [[nodiscard]] Status ExecScript(const std::string& sql);

  // Whether the connection is still usable (false once the server closed it).
  bool healthy() const;
  // For a connection that sat idle: whether the server has sent nothing since. A server that
  // closes a connection (restart, terminated backend) first sends an error and then the end of
  // the stream, which libpq only notices at the next statement; anything to read here means the
  // connection is not to be trusted (at worst a notice costs a reconnect).
  bool QuietSinceLastUse() const;
  // Whether the connection is healthy and outside any transaction: what a pool may lend again.
  bool reusable() const;
  // The server process serving this connection (pg_backend_pid()).
  int backend_pid() const;
  const PgTarget& target() const { return target_; }

 private:
  PgConn(pg_conn* conn, PgTarget target) : conn_(conn), target_(std::move(target)) {}
  // The Status of a failed command, from its SQLSTATE (or of the connection, without one).
  Status ErrorOf(pg_result* res, std::string_view context) const;
  // "what \"first words of the statement\"" for messages.
  static std::string Describe(const char* sql, std::string_view what);

  pg_conn* conn_;
  PgTarget target_;
  std::unordered_map<const char*, std::string> prepared_;  // sql address -> statement name
  uint64_t next_statement_ = 0;  // names are never reused, even for a statement prepared again
};

// Runs `body` in one serializable transaction on `conn`: BEGIN ISOLATION LEVEL SERIALIZABLE,
// body, COMMIT. A retryable failure (IsRetryable) of any of them rolls back and runs the whole
// again after a randomised backoff (RetryBackoff, 1 ms doubling to 100 ms) for as long as
// kTransactionRetryBudget lasts: writers of one row (a directory many machines create files in)
// take turns, each commit as long as the server's fsync, so a count of attempts would give up on
// a busy directory while it is only busy; a transaction that alone outlasts the budget still gets
// kMinTransactionAttempts. Any other failure rolls back and is returned. `body`
// may run more than once: it must (re)assign its outputs on each run. `attempts`, when given, is
// set to the number of runs.
inline constexpr std::chrono::seconds kTransactionRetryBudget{10};
inline constexpr int kMinTransactionAttempts = 3;
[[nodiscard]] Status RunTransaction(PgConn& conn, const std::function<Status(PgConn&)>& body,
                                    int* attempts = nullptr);

}  // namespace reel::postgres
