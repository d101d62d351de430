// TeamDirectory: the instances (mounts) of the team and how they are.
#include "catalog/postgres/pg_pool.h"
#include "team/team_directory.h"
#include "team/team_queries.h"

namespace reel {

using postgres::PgConn;
using postgres::PgRows;

namespace {

Status CheckReport(const InstanceReport& r) {
  REEL_RETURN_IF_ERROR(ValidateRequestId(r.name).WithContext("instance name"));
  if (r.name.empty()) return Status::InvalidArgument("an instance needs a name");
  REEL_RETURN_IF_ERROR(ValidateTeamName("workspace", r.workspace));
  if (r.host.empty() || r.host.size() > 255) {
    return Status::InvalidArgument("host: 1 to 255 characters");
  }
  for (unsigned char c : r.host) {
    if (c < 0x20 || c == 0x7f) return Status::InvalidArgument("host: printable characters only");
  }
  constexpr uint64_t kMax = INT64_MAX;
  if (r.cache_bytes > kMax || r.cache_limit > kMax || r.transfer_queue > kMax ||
      r.pending_commits > kMax) {
    return Status::InvalidArgument("instance counts out of range");
  }
  return Status::Ok();
}

int64_t I64(uint64_t v) { return static_cast<int64_t>(v); }

}  // namespace

Status TeamDirectory::ReportInstance(const InstanceReport& r, const TeamRequest& request) {
  REEL_RETURN_IF_ERROR(CheckReport(r));
  return pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(PgRows ws, c.Query("SELECT w.id FROM workspaces w JOIN (" REEL_ROLES_OF_USER
                                             ") r ON r.workspace_id = w.id WHERE w.name = $2",
                                             request.caller.id, r.workspace));
    if (ws.empty()) {
      return Status::PermissionDenied("you have no role in workspace \"" + r.workspace + "\"");
    }
    // A name is its first reporter's for good: nobody else can take or change it.
    REEL_ASSIGN_OR_RETURN(
        PgRows updated,
        c.Query("INSERT INTO instances (name, user_id, workspace_id, host, started, last_seen, "
                "online, cache_bytes, cache_limit, transfer_queue, pending_commits) "
                "VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10) "
                "ON CONFLICT (name) DO UPDATE SET workspace_id = excluded.workspace_id, "
                "host = excluded.host, last_seen = excluded.last_seen, online = excluded.online, "
                "cache_bytes = excluded.cache_bytes, cache_limit = excluded.cache_limit, "
                "transfer_queue = excluded.transfer_queue, "
                "pending_commits = excluded.pending_commits "
                "WHERE instances.user_id = excluded.user_id RETURNING name",
                r.name, request.caller.id, ws.U64(0, 0), r.host, request.now, r.online,
                I64(r.cache_bytes), I64(r.cache_limit), I64(r.transfer_queue),
                I64(r.pending_commits)));
    if (updated.empty()) {
      return Status::PermissionDenied("instance \"" + r.name + "\" is another user's");
    }
    return Status::Ok();
  });
}

Result<std::vector<InstanceInfo>> TeamDirectory::ListInstances(const User& user,
                                                               const std::string& workspace,
                                                               TimeNs now, TimeNs stale) {
  if (!workspace.empty()) REEL_RETURN_IF_ERROR(ValidateTeamName("workspace", workspace));
  std::vector<InstanceInfo> out;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        c.Query("SELECT i.name, w.name, i.host, i.online, i.cache_bytes, i.cache_limit, "
                "i.transfer_queue, i.pending_commits, u.name, i.started, i.last_seen "
                "FROM instances i JOIN workspaces w ON w.id = i.workspace_id "
                "JOIN users u ON u.id = i.user_id "
                "JOIN (" REEL_ROLES_OF_USER ") r ON r.workspace_id = w.id "
                "WHERE ($2 = '' OR w.name = $2) ORDER BY w.name, i.name",
                user.id, workspace));
    out.clear();
    for (int r = 0; r < rows.size(); ++r) {
      InstanceInfo i;
      i.report.name = rows.Text(r, 0);
      i.report.workspace = rows.Text(r, 1);
      i.report.host = rows.Text(r, 2);
      i.last_seen = rows.Int(r, 10);
      i.report.online = rows.Text(r, 3) == "t" && now - i.last_seen <= stale;
      i.report.cache_bytes = rows.U64(r, 4);
      i.report.cache_limit = rows.U64(r, 5);
      i.report.transfer_queue = rows.U64(r, 6);
      i.report.pending_commits = rows.U64(r, 7);
      i.user = rows.Text(r, 8);
      i.started = rows.Int(r, 9);
      out.push_back(std::move(i));
    }
    return Status::Ok();
  }));
  return out;
}

}  // namespace reel
