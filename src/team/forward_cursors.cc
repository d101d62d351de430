// TeamDirectory: how far each event forwarder has delivered, fenced by the forwarder's lease.
#include "catalog/postgres/pg_pool.h"
#include "team/team_directory.h"

namespace reel {

using postgres::PgConn;
using postgres::PgRows;

Result<uint64_t> TeamDirectory::ForwardCursor(const std::string& name) {
  REEL_RETURN_IF_ERROR(ValidateTeamName("forwarder", name));
  uint64_t seq = 0;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(PgRows rows,
                          c.Query("SELECT seq FROM forward_cursors WHERE name = $1", name));
    seq = rows.empty() ? 0 : static_cast<uint64_t>(rows.Int(0, 0));
    return Status::Ok();
  }));
  return seq;
}

Status TeamDirectory::SaveForwardCursor(const std::string& name, uint64_t seq,
                                        const std::string& lease, const std::string& holder,
                                        uint64_t token, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateTeamName("forwarder", name));
  REEL_RETURN_IF_ERROR(ValidateTeamName("lease", lease));
  return pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(PgRows held,
                          c.Query("SELECT holder, token FROM leases WHERE name = $1", lease));
    if (held.empty() || held.Text(0, 0) != holder ||
        static_cast<uint64_t>(held.Int(0, 1)) != token) {
      return Status(Code::kConflict, "the lease " + lease + " is no longer held under token " +
                             std::to_string(token));
    }
    REEL_ASSIGN_OR_RETURN(PgRows rows,
                          c.Query("SELECT seq FROM forward_cursors WHERE name = $1", name));
    if (rows.empty()) {
      return c.Exec("INSERT INTO forward_cursors (name, seq, updated) VALUES ($1, $2, $3)", name,
                    static_cast<int64_t>(seq), static_cast<int64_t>(now));
    }
    if (static_cast<uint64_t>(rows.Int(0, 0)) >= seq) return Status::Ok();
    return c.Exec("UPDATE forward_cursors SET seq = $2, updated = $3 WHERE name = $1", name,
                  static_cast<int64_t>(seq), static_cast<int64_t>(now));
  });
}

}  // namespace reel
