// Steps inside one TeamDirectory transaction, shared by its files.
#pragma once

#include <optional>
#include <string>

#include "catalog/postgres/pg_conn.h"
#include "catalog/postgres/pg_txn.h"
#include "team/team_directory.h"

namespace reel::team {

// SQL: (workspace_id, role) of user $1: their grants and their groups'; the highest per workspace.
#define REEL_ROLES_OF_USER                                                               \
  "SELECT g.workspace_id, max(g.role) AS role FROM grants g WHERE "                      \
  "(g.principal_kind = 1 AND g.principal_id = $1) OR (g.principal_kind = 2 AND "         \
  "g.principal_id IN (SELECT group_id FROM group_members WHERE user_id = $1)) "         \
  "GROUP BY g.workspace_id"


// The user named `name`, if there is one.
[[nodiscard]] Result<std::optional<User>> FindUserIn(postgres::PgConn& c, const std::string& name);

// The id of a user ("name") or group ("@name"); NotFound if there is none.
[[nodiscard]] Result<uint64_t> PrincipalIdIn(postgres::PgConn& c, const std::string& principal);

// Makes workspace `name`: its directory under the root (mode 0755) and its row, with `owner` its
// admin. A home workspace belongs to `owner` and shares on close; a project one on publish.
// AlreadyExists if a workspace, or any entry of the root, has the name. `encrypted` gives it a new
// random key.
[[nodiscard]] Result<Workspace> CreateWorkspaceIn(postgres::PgTxn& tx, const std::string& name,
                                                  uint64_t owner, bool home, TimeNs now,
                                                  bool encrypted = false);

// What request `request.id` of its caller answered, when it was applied before (std::nullopt
// when not, or when the request has no id). `what` names the operation and its arguments: the
// same id used for another operation is InvalidArgument.
[[nodiscard]] Result<std::optional<std::string>> AppliedRequestIn(postgres::PgConn& c,
                                                                  const TeamRequest& request,
                                                                  const std::string& what);
// Records that request `request.id` (if any) was applied and answered `result`, and forgets
// requests older than a day.
[[nodiscard]] Status RecordRequestIn(postgres::PgConn& c, const TeamRequest& request,
                                     const std::string& what, const std::string& result);

// Whether lock session `token` of `instance` is live at `now` (LockFence).
[[nodiscard]] Result<bool> LockFenceLiveIn(postgres::PgConn& c, uint64_t token,
                                           const std::string& instance, TimeNs now);

}  // namespace reel::team
