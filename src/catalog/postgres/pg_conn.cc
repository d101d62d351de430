#include "catalog/postgres/pg_conn.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "common/retry_backoff.h"

namespace reel::postgres {

namespace {

constexpr std::string_view kSchemes[] = {"postgresql://", "postgres://"};
// Without one in the URI, a server that does not answer fails the connection after this long
// instead of the TCP timeout's minutes.
constexpr const char* kDefaultConnectTimeoutSeconds = "10";

bool HasPgScheme(const std::string& uri) {
  return std::any_of(std::begin(kSchemes), std::end(kSchemes),
                     [&](std::string_view s) { return uri.starts_with(s); });
}

std::string Trimmed(const char* message) {
  std::string m = message != nullptr ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

}  // namespace

std::string PgTarget::ToString() const {
  return (user.empty() ? std::string() : user + "@") + host + (port.empty() ? "" : ":" + port) +
         "/" + dbname;
}

Result<PgTarget> ParsePgUri(const std::string& uri) {
  if (!HasPgScheme(uri)) {
    return Status::InvalidArgument("a PostgreSQL URI starts with postgresql://");
  }
  // libpq splits the user part at the first '@' and ends it at the first '/', so a password with
  // either would be read partly as host, port or database, and then shown in messages. Refused
  // before libpq sees it; the message names no part of the URI.
  const size_t start = uri.find("://") + 3;
  const size_t query = uri.find('?', start);
  const std::string_view head =
      std::string_view(uri).substr(start, query == std::string::npos ? query : query - start);
  const size_t at = head.rfind('@');
  if (at != std::string_view::npos && head.substr(0, at).find_first_of("@/") != std::string::npos) {
    return Status::InvalidArgument(
        "the PostgreSQL URI's user name or password holds '@' or '/': percent-encode them "
        "(%40, %2F)");
  }
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &error);
  if (options == nullptr) {
    // libpq's message may quote pieces of the URI, password included: not passed on.
    if (error != nullptr) PQfreemem(error);
    return Status::InvalidArgument(
        "not a valid PostgreSQL URI (postgresql://USER@HOST:PORT/DATABASE?OPTIONS)");
  }
  PgTarget target;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view key = o->keyword;
    if (key == "user") target.user = o->val;
    if (key == "host") target.host = o->val;
    if (key == "port") target.port = o->val;
    if (key == "dbname") target.dbname = o->val;
  }
  PQconninfoFree(options);
  if (target.port.find_first_not_of("0123456789,") != std::string::npos) {
    return Status::InvalidArgument("the PostgreSQL URI's port is not a number");
  }
  if (target.dbname.empty()) {
    return Status::InvalidArgument("the PostgreSQL URI names no database (postgresql://.../DATABASE)");
  }
  return target;
}

Status StatusFromSqlState(std::string_view state, std::string_view context,
                          std::string_view detail) {
  std::string message = std::string(context) + ": " + std::string(detail);
  if (!state.empty()) message += " (SQLSTATE " + std::string(state) + ")";
  auto cls = state.substr(0, std::min<size_t>(2, state.size()));
  if (state == "40001" || state == "40P01" || state == "55P03") return Status::Busy(message);
  if (cls == "08" || state == "57P01" || state == "57P02" || state == "57P03") {
    return Status::Unavailable(message);
  }
  // A duplicate key, or a table, column, type or schema made twice (DDL racing DDL).
  if (state == "23505" || state == "42P07" || state == "42710" || state == "42701" ||
      state == "42P06") {
    return Status::AlreadyExists(message);
  }
  if (cls == "23") return Status::Internal(message);
  if (cls == "28") return Status::PermissionDenied(message);
  if (state == "3D000") return Status::NotFound(message);
  if (state == "53100") return {Code::kNoSpace, message};
  if (cls == "22") return Status::InvalidArgument(message);
  return Status::Internal(message);
}

bool IsRetryable(const Status& s) { return s.code() == Code::kBusy; }

// ---------------------------------------------------------------------------------------------

PgRows::PgRows(pg_result* res) : res_(res) {}
PgRows::PgRows(PgRows&& other) noexcept : res_(std::exchange(other.res_, nullptr)) {}
PgRows& PgRows::operator=(PgRows&& other) noexcept {
  if (this != &other) {
    if (res_ != nullptr) PQclear(res_);
    res_ = std::exchange(other.res_, nullptr);
  }
  return *this;
}
PgRows::~PgRows() {
  if (res_ != nullptr) PQclear(res_);
}

int PgRows::size() const { return res_ != nullptr ? PQntuples(res_) : 0; }
bool PgRows::IsNull(int row, int col) const { return PQgetisnull(res_, row, col) != 0; }
int64_t PgRows::Int(int row, int col) const {
  return std::strtoll(PQgetvalue(res_, row, col), nullptr, 10);
}
std::string PgRows::Text(int row, int col) const {
  return std::string(PQgetvalue(res_, row, col),
                     static_cast<size_t>(PQgetlength(res_, row, col)));
}
std::vector<uint8_t> PgRows::Bytea(int row, int col) const {
  size_t n = 0;
  unsigned char* raw =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(res_, row, col)), &n);
  if (raw == nullptr) return {};
  std::vector<uint8_t> out(raw, raw + n);
  PQfreemem(raw);
  return out;
}
std::string PgRows::ByteaString(int row, int col) const {
  const std::vector<uint8_t> bytes = Bytea(row, col);
  return std::string(bytes.begin(), bytes.end());
}
int64_t PgRows::Affected() const {
  return res_ != nullptr ? std::strtoll(PQcmdTuples(res_), nullptr, 10) : 0;
}

// ---------------------------------------------------------------------------------------------

void PgParams::Push(std::string value, bool is_null, int format) {
  lengths_.push_back(static_cast<int>(value.size()));
  values_.push_back(std::move(value));
  nulls_.push_back(is_null);
  formats_.push_back(format);
}
void PgParams::AddInt(int64_t value) { Push(std::to_string(value), false, 0); }
void PgParams::Add(std::string_view text) { Push(std::string(text), false, 0); }
void PgParams::Add(Bytes bytes) {
  Push(std::string(static_cast<const char*>(bytes.data), bytes.size), false, 1);
}
void PgParams::Add(std::nullptr_t) { Push(std::string(), true, 0); }
void PgParams::Seal() {
  pointers_.clear();
  for (size_t i = 0; i < values_.size(); ++i) {
    pointers_.push_back(nulls_[i] ? nullptr : values_[i].c_str());
  }
}

// ---------------------------------------------------------------------------------------------

Result<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& uri) {
  REEL_ASSIGN_OR_RETURN(PgTarget target, ParsePgUri(uri));
  // Later keywords win, and the URI is expanded where "dbname" stands: its own options override
  // these defaults.
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {kDefaultConnectTimeoutSeconds, "reel", uri.c_str(), nullptr};
  pg_conn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status::Internal("libpq could not allocate a connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string why = Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    const std::string message = "PostgreSQL " + target.ToString() + ": " + why;
    if (why.find("does not exist") != std::string::npos &&
        why.find("database") != std::string::npos) {
      return Status::NotFound(message);
    }
    if (why.find("authentication failed") != std::string::npos ||
        why.find("pg_hba.conf") != std::string::npos) {
      return Status::PermissionDenied(message);
    }
    return Status::Unavailable(message);
  }
  // Notices (e.g. a ROLLBACK with no transaction left to end) are not errors: not printed.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<PgConn>(new PgConn(conn, std::move(target)));
}

PgConn::~PgConn() { PQfinish(conn_); }

bool PgConn::healthy() const { return PQstatus(conn_) == CONNECTION_OK; }
bool PgConn::QuietSinceLastUse() const {
  if (!healthy()) return false;
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  return ::poll(&fd, 1, 0) == 0;
}
bool PgConn::reusable() const {
  return healthy() && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}
int PgConn::backend_pid() const { return PQbackendPID(conn_); }

Status PgConn::ErrorOf(pg_result* res, std::string_view context) const {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string detail = primary != nullptr ? std::string(primary) : Trimmed(PQerrorMessage(conn_));
  if (state == nullptr && !healthy()) {
    return Status::Unavailable(std::string(context) + " on " + target_.ToString() + ": " + detail);
  }
  return StatusFromSqlState(state != nullptr ? state : "", context, detail);
}

Result<PgRows> PgConn::Run(const char* sql, PgParams& params) {
  params.Seal();
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "s" + std::to_string(next_statement_++);
    PgRows prepared(PQprepare(conn_, name.c_str(), sql, 0, nullptr));
    if (PQresultStatus(prepared.raw()) != PGRES_COMMAND_OK) {
      return ErrorOf(prepared.raw(), Describe(sql, "prepare"));
    }
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  PgRows rows(PQexecPrepared(conn_, it->second.c_str(), params.count(), params.values(),
                             params.lengths(), params.formats(), /*resultFormat=*/0));
  const ExecStatusType st = PQresultStatus(rows.raw());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    Status s = ErrorOf(rows.raw(), Describe(sql, "statement"));
    const char* state = PQresultErrorField(rows.raw(), PG_DIAG_SQLSTATE);
    const std::string_view code = state != nullptr ? state : "";
    // The prepared form is gone (DISCARD ALL, a pooler) or out of date (another server changed
    // the schema): forgotten, and the caller's transaction runs again, preparing it anew.
    if (code == "26000" || (code == "0A000" && s.message().find("cached plan") != std::string::npos)) {
      prepared_.erase(it);
      return Status::Busy(s.message());
    }
    return s;
  }
  return rows;
}

Status PgConn::ExecScript(const std::string& sql) {
  PgRows rows(PQexec(conn_, sql.c_str()));
  const ExecStatusType st = PQresultStatus(rows.raw());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    return ErrorOf(rows.raw(), Describe(sql.c_str(), "statement"));
  }
  return Status::Ok();
}

std::string PgConn::Describe(const char* sql, std::string_view what) {
  // The statement's text (never its parameters) names it; the first words are enough.
  std::string text(sql, strnlen(sql, 60));
  std::replace(text.begin(), text.end(), '\n', ' ');
  return std::string(what) + " \"" + text + (std::strlen(sql) > 60 ? "...\"" : "\"");
}

Status RunTransaction(PgConn& conn, const std::function<Status(PgConn&)>& body, int* attempts) {
  RetryBackoff backoff(std::chrono::milliseconds(1), std::chrono::milliseconds(100));
  const auto start = std::chrono::steady_clock::now();
  Status s;
  for (int attempt = 1;; ++attempt) {
    if (attempts != nullptr) *attempts = attempt;
    s = conn.ExecScript("BEGIN ISOLATION LEVEL SERIALIZABLE");
    if (s.ok()) s = body(conn);
    if (s.ok()) s = conn.ExecScript("COMMIT");
    if (s.ok()) return s;
    // A failed statement leaves the transaction aborted; a failed COMMIT has ended it already.
    if (conn.healthy()) (void)conn.ExecScript("ROLLBACK");
    if (!IsRetryable(s)) return s;
    const auto spent = std::chrono::steady_clock::now() - start;
    if (spent >= kTransactionRetryBudget && attempt >= kMinTransactionAttempts) {
      return s.WithContext(
          "gave up after " + std::to_string(attempt) + " attempts in " +
          std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(spent).count()) +
          " ms");
    }
    backoff.Wait();
  }
}

}  // namespace reel::postgres
