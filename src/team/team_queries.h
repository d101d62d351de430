// Steps inside one TeamDirectory transaction, shared by its files.
#pragma once

#include <optional>
#include <string>

#include "catalog/postgres/pg_conn.h"
#include "catalog/postgres/pg_txn.h"
#include "team/team_directory.h"

namespace reel::team {

// The user named `name`, if there is one.
[[nodiscard]] Result<std::optional<User>> FindUserIn(postgres::PgConn& c, const std::string& name);

// The id of a user ("name") or group ("@name"); NotFound if there is none.
[[nodiscard]] Result<uint64_t> PrincipalIdIn(postgres::PgConn& c, const std::string& principal);

// Makes workspace `name`: its directory under the root (mode 0755) and its row, with `owner` its
// admin. A home workspace belongs to `owner` and shares on close; a project one on publish.
// AlreadyExists if a workspace, or any entry of the root, has the name.
[[nodiscard]] Result<Workspace> CreateWorkspaceIn(postgres::PgTxn& tx, const std::string& name,
                                                  uint64_t owner, bool home, TimeNs now);

}  // namespace reel::team
