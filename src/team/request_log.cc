// TeamDirectory: the log of applied request ids (the `requests` table).
#include <string>

#include "catalog/postgres/pg_conn.h"
#include "team/team_queries.h"

namespace reel {

namespace {
constexpr TimeNs kRequestsKeptNs = 24LL * 3600 * 1'000'000'000;
}  // namespace

Status ValidateRequestId(std::string_view id) {
  if (id.size() < 8 || id.size() > 128) {
    return Status::InvalidArgument("a request id has 8 to 128 characters");
  }
  for (char ch : id) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == ':' || ch == '-';
    if (!ok) return Status::InvalidArgument("a request id holds only [A-Za-z0-9._:-]");
  }
  return Status::Ok();
}

namespace team {

Result<std::optional<std::string>> AppliedRequestIn(postgres::PgConn& c,
                                                    const TeamRequest& request,
                                                    const std::string& what) {
  if (request.id.empty()) return std::optional<std::string>();
  REEL_RETURN_IF_ERROR(ValidateRequestId(request.id));
  REEL_ASSIGN_OR_RETURN(postgres::PgRows rows,
                        c.Query("SELECT what, result FROM requests WHERE user_id = $1 AND id = $2",
                                request.caller.id, request.id));
  if (rows.empty()) return std::optional<std::string>();
  if (rows.Text(0, 0) != what) {
    return Status::InvalidArgument("request id " + request.id +
                                   " was already used for another request");
  }
  return std::optional<std::string>(rows.Text(0, 1));
}

Status RecordRequestIn(postgres::PgConn& c, const TeamRequest& request, const std::string& what,
                       const std::string& result) {
  if (request.id.empty()) return Status::Ok();
  REEL_RETURN_IF_ERROR(c.Exec("DELETE FROM requests WHERE created < $1",
                              request.now - kRequestsKeptNs));
  return c.Exec("INSERT INTO requests (user_id, id, what, result, created) "
                "VALUES ($1, $2, $3, $4, $5)",
                request.caller.id, request.id, what, result, request.now);
}

}  // namespace team
}  // namespace reel
