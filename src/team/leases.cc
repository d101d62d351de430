// TeamDirectory: leases of the work one server of the team does at a time.
#include "catalog/postgres/pg_pool.h"
#include "team/team_directory.h"

namespace reel {

using postgres::PgConn;
using postgres::PgRows;

Result<std::optional<uint64_t>> TeamDirectory::TakeLease(const std::string& name,
                                                         const std::string& holder, TimeNs ttl,
                                                         TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateTeamName("lease", name));
  REEL_RETURN_IF_ERROR(ValidateTeamName("lease holder", holder));
  if (ttl <= 0) return Status::InvalidArgument("a lease lasts a positive time");
  std::optional<uint64_t> token;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    token.reset();
    REEL_ASSIGN_OR_RETURN(
        PgRows rows, c.Query("SELECT holder, token, expires FROM leases WHERE name = $1", name));
    if (rows.empty()) {
      REEL_RETURN_IF_ERROR(c.Exec(
          "INSERT INTO leases (name, holder, token, expires) VALUES ($1, $2, 1, $3)", name,
          holder, static_cast<int64_t>(now + ttl)));
      token = 1;
      return Status::Ok();
    }
    const bool mine = rows.Text(0, 0) == holder;
    if (!mine && rows.Int(0, 2) > now) return Status::Ok();  // another's, still running
    const int64_t next = rows.Int(0, 1) + (mine ? 0 : 1);
    REEL_RETURN_IF_ERROR(
        c.Exec("UPDATE leases SET holder = $2, token = $3, expires = $4 WHERE name = $1", name,
               holder, next, static_cast<int64_t>(now + ttl)));
    token = static_cast<uint64_t>(next);
    return Status::Ok();
  }));
  return token;
}

Status TeamDirectory::ReleaseLease(const std::string& name, const std::string& holder) {
  REEL_RETURN_IF_ERROR(ValidateTeamName("lease", name));
  REEL_RETURN_IF_ERROR(ValidateTeamName("lease holder", holder));
  return pool_->Transaction([&](PgConn& c) -> Status {
    return c.Exec("UPDATE leases SET expires = 0 WHERE name = $1 AND holder = $2", name, holder);
  });
}

}  // namespace reel
