// TeamDirectory: workspaces and grants.
#include <openssl/crypto.h>

#include <algorithm>

#include "catalog/catalog_txn.h"
#include "catalog/conflict_policy.h"
#include "catalog/postgres/pg_pool.h"
#include "chunking/chunk_cipher.h"
#include "common/secure_random.h"
#include "team/team_directory.h"
#include "team/team_queries.h"

namespace reel {

using postgres::PgConn;
using postgres::PgRows;

namespace {

constexpr int kUserPrincipal = 1;
constexpr int kGroupPrincipal = 2;

#define REEL_WORKSPACE_COLUMNS \
  "w.id, w.name, w.root, w.home_of IS NOT NULL, w.share, w.created, w.chunk_key IS NOT NULL, " \
  "w.conflict"
constexpr int kWorkspaceColumns = 8;

Workspace ReadWorkspace(const PgRows& rows, int r) {
  Workspace w;
  w.id = rows.U64(r, 0);
  w.name = rows.Text(r, 1);
  w.root = rows.U64(r, 2);
  w.home = rows.Text(r, 3) == "t";
  w.share = rows.Text(r, 4);
  w.created = rows.Int(r, 5);
  w.encrypted = rows.Text(r, 6) == "t";
  // An unknown name (written by a newer server) reads as the default, which loses nothing.
  Result<ConflictPolicy> conflict = ParseConflictPolicy(rows.Text(r, 7));
  w.conflict = conflict.ok() ? *conflict : ConflictPolicy::kLastWriterWins;
  return w;
}

Result<std::optional<Workspace>> FindWorkspaceIn(PgConn& c, const std::string& name) {
  REEL_ASSIGN_OR_RETURN(PgRows rows, c.Query("SELECT " REEL_WORKSPACE_COLUMNS
                                             " FROM workspaces w WHERE w.name = $1",
                                             name));
  if (rows.empty()) return std::optional<Workspace>();
  return std::optional<Workspace>(ReadWorkspace(rows, 0));
}

Result<Workspace> NeedWorkspaceIn(PgConn& c, const std::string& name) {
  REEL_ASSIGN_OR_RETURN(std::optional<Workspace> w, FindWorkspaceIn(c, name));
  if (!w) return Status::NotFound("no workspace \"" + name + "\"");
  return *w;
}

}  // namespace

Status ValidatePrincipal(std::string_view principal) {
  if (principal.starts_with("@")) return ValidateTeamName("group", principal.substr(1));
  return ValidateTeamName("user", principal);
}

namespace team {

Result<std::optional<User>> FindUserIn(PgConn& c, const std::string& name) {
  REEL_ASSIGN_OR_RETURN(PgRows rows,
                        c.Query("SELECT id, name, created FROM users WHERE name = $1", name));
  if (rows.empty()) return std::optional<User>();
  return std::optional<User>(User{rows.U64(0, 0), rows.Text(0, 1), rows.Int(0, 2)});
}

Result<uint64_t> PrincipalIdIn(PgConn& c, const std::string& principal) {
  const bool group = principal.starts_with("@");
  const std::string name = group ? principal.substr(1) : principal;
  REEL_ASSIGN_OR_RETURN(PgRows rows, group ? c.Query("SELECT id FROM user_groups WHERE name = $1",
                                                     name)
                                           : c.Query("SELECT id FROM users WHERE name = $1",
                                                     name));
  if (rows.empty()) {
    return Status::NotFound(std::string(group ? "no group \"" : "no user \"") + name + "\"");
  }
  return rows.U64(0, 0);
}

Result<Workspace> CreateWorkspaceIn(postgres::PgTxn& tx, const std::string& name, uint64_t owner,
                                    bool home, TimeNs now, bool encrypted) {
  PgConn& c = tx.conn();
  REEL_ASSIGN_OR_RETURN(std::optional<Workspace> taken, FindWorkspaceIn(c, name));
  if (taken) return Status::AlreadyExists("workspace \"" + name + "\" exists");
  NewNode dir{FileType::kDirectory, 0755, 0, 0, {}};
  auto made = CreateNodeIn(tx, kRootInode, name, dir, now);
  if (!made.ok()) {
    if (made.status().code() == Code::kAlreadyExists) {
      return Status::AlreadyExists("the drive's root already has an entry \"" + name + "\"");
    }
    return made.status();
  }
  Workspace w;
  w.name = name;
  w.root = made->ino;
  w.home = home;
  w.share = home ? "on-close" : "on-publish";
  w.created = now;
  w.encrypted = encrypted;
  REEL_ASSIGN_OR_RETURN(
      PgRows rows,
      home ? c.Query("INSERT INTO workspaces (name, root, home_of, share, created) "
                     "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                     name, w.root, owner, w.share, now)
           : c.Query("INSERT INTO workspaces (name, root, share, created) "
                     "VALUES ($1, $2, $3, $4) RETURNING id",
                     name, w.root, w.share, now));
  w.id = rows.U64(0, 0);
  if (encrypted) {
    std::vector<uint8_t> key = SecureRandomBytes(kWorkspaceKeyBytes);
    Status set = c.Exec("UPDATE workspaces SET chunk_key = $2 WHERE id = $1", w.id,
                        postgres::Bytes{key.data(), key.size()});
    OPENSSL_cleanse(key.data(), key.size());
    REEL_RETURN_IF_ERROR(set);
  }
  REEL_RETURN_IF_ERROR(c.Exec("INSERT INTO grants (workspace_id, principal_kind, principal_id, "
                              "role) VALUES ($1, $2, $3, $4)",
                              w.id, kUserPrincipal, owner, static_cast<int>(Role::kAdmin)));
  return w;
}

}  // namespace team

Result<Workspace> TeamDirectory::CreateWorkspace(const std::string& name,
                                                 const TeamRequest& request, bool encrypted) {
  REEL_RETURN_IF_ERROR(ValidateTeamName("workspace", name));
  const User& owner = request.caller;
  const std::string what = "workspace create " + name + (encrypted ? " encrypted" : "");
  Workspace out;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    postgres::PgTxn tx(c, {owner.name, {}});
    REEL_ASSIGN_OR_RETURN(std::optional<User> user, team::FindUserIn(c, owner.name));
    if (!user || user->id != owner.id) return Status::NotFound("no user \"" + owner.name + "\"");
    REEL_ASSIGN_OR_RETURN(std::optional<std::string> applied,
                          team::AppliedRequestIn(c, request, what));
    if (applied) {
      REEL_ASSIGN_OR_RETURN(out, NeedWorkspaceIn(c, name));
      return Status::Ok();
    }
    REEL_ASSIGN_OR_RETURN(std::optional<User> homonym, team::FindUserIn(c, name));
    if (homonym) return Status::AlreadyExists("\"" + name + "\" is a user's home workspace");
    REEL_ASSIGN_OR_RETURN(out, team::CreateWorkspaceIn(tx, name, owner.id, false, request.now,
                                                          encrypted));
    REEL_RETURN_IF_ERROR(team::RecordRequestIn(c, request, what, name));
    return tx.Finish();
  }));
  return out;
}

Result<std::vector<uint8_t>> TeamDirectory::WorkspaceKey(uint64_t id) {
  std::vector<uint8_t> key;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(PgRows rows,
                          c.Query("SELECT chunk_key FROM workspaces WHERE id = $1", id));
    if (rows.empty()) return Status::NotFound("no workspace " + std::to_string(id));
    if (rows.IsNull(0, 0)) return Status::NotFound("the workspace is not encrypted");
    key = rows.Bytea(0, 0);
    return Status::Ok();
  }));
  if (key.size() != kWorkspaceKeyBytes) return Status::Corruption("a workspace key of a wrong size");
  return key;
}

Result<Workspace> TeamDirectory::FindWorkspace(const std::string& name) {
  REEL_RETURN_IF_ERROR(ValidateTeamName("workspace", name));
  Workspace out;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(out, NeedWorkspaceIn(c, name));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<WorkspaceAccess>> TeamDirectory::ListWorkspaces(const User& user) {
  std::vector<WorkspaceAccess> out;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(PgRows rows,
                          c.Query("SELECT " REEL_WORKSPACE_COLUMNS ", r.role FROM workspaces w "
                                  "JOIN (" REEL_ROLES_OF_USER ") r ON r.workspace_id = w.id "
                                  "ORDER BY w.name",
                                  user.id));
    out.clear();
    for (int r = 0; r < rows.size(); ++r) {
      out.push_back({ReadWorkspace(rows, r), static_cast<Role>(rows.Int(r, kWorkspaceColumns))});
    }
    return Status::Ok();
  }));
  return out;
}

Result<Role> TeamDirectory::RoleOf(const User& user, uint64_t workspace) {
  Role role = Role::kNone;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(PgRows rows, c.Query("SELECT r.role FROM (" REEL_ROLES_OF_USER
                                               ") r WHERE r.workspace_id = $2",
                                               user.id, workspace));
    role = rows.empty() ? Role::kNone : static_cast<Role>(rows.Int(0, 0));
    return Status::Ok();
  }));
  return role;
}

namespace {

// PermissionDenied unless the caller of `request` is an admin of `w`.
Status RequireAdminIn(PgConn& c, const TeamRequest& request, const Workspace& w,
                      const char* what) {
  REEL_ASSIGN_OR_RETURN(PgRows mine, c.Query("SELECT r.role FROM (" REEL_ROLES_OF_USER
                                             ") r WHERE r.workspace_id = $2",
                                             request.caller.id, w.id));
  const Role caller_role = mine.empty() ? Role::kNone : static_cast<Role>(mine.Int(0, 0));
  if (caller_role != Role::kAdmin) {
    return Status::PermissionDenied("only an admin of workspace \"" + w.name + "\" " + what);
  }
  return Status::Ok();
}

}  // namespace

Result<Workspace> TeamDirectory::SetWorkspaceOptions(const std::string& workspace,
                                                     const WorkspaceOptions& options,
                                                     const TeamRequest* request) {
  REEL_RETURN_IF_ERROR(ValidateTeamName("workspace", workspace));
  if (options.share && *options.share != "on-close" && *options.share != "on-publish") {
    return Status::InvalidArgument("share is \"on-close\" or \"on-publish\"");
  }
  Workspace out;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(Workspace w, NeedWorkspaceIn(c, workspace));
    if (request != nullptr) {
      REEL_RETURN_IF_ERROR(RequireAdminIn(c, *request, w, "changes its settings"));
    }
    // Setting a value twice leaves it as once: a repeated request needs no record.
    if (options.share) {
      REEL_RETURN_IF_ERROR(
          c.Exec("UPDATE workspaces SET share = $2 WHERE id = $1", w.id, *options.share));
    }
    if (options.conflict) {
      REEL_RETURN_IF_ERROR(c.Exec("UPDATE workspaces SET conflict = $2 WHERE id = $1", w.id,
                                  std::string(ConflictPolicyName(*options.conflict))));
    }
    REEL_ASSIGN_OR_RETURN(out, NeedWorkspaceIn(c, workspace));
    return Status::Ok();
  }));
  return out;
}

Status TeamDirectory::SetGrant(const std::string& workspace, const std::string& principal,
                               Role role, const TeamRequest* request) {
  REEL_RETURN_IF_ERROR(ValidateTeamName("workspace", workspace));
  REEL_RETURN_IF_ERROR(ValidatePrincipal(principal));
  const int kind = principal.starts_with("@") ? kGroupPrincipal : kUserPrincipal;
  const std::string what = "grant " + workspace + " " + principal + " " +
                           std::string(RoleName(role));
  return pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(Workspace w, NeedWorkspaceIn(c, workspace));
    if (request != nullptr) {
      REEL_RETURN_IF_ERROR(RequireAdminIn(c, *request, w, "changes who may use it"));
      REEL_ASSIGN_OR_RETURN(std::optional<std::string> applied,
                            team::AppliedRequestIn(c, *request, what));
      if (applied) return Status::Ok();
      REEL_RETURN_IF_ERROR(team::RecordRequestIn(c, *request, what, "ok"));
    }
    REEL_ASSIGN_OR_RETURN(uint64_t id, team::PrincipalIdIn(c, principal));
    if (role == Role::kNone) {
      REEL_RETURN_IF_ERROR(c.Exec("DELETE FROM grants WHERE workspace_id = $1 AND "
                                  "principal_kind = $2 AND principal_id = $3",
                                  w.id, kind, id));
    } else {
      REEL_RETURN_IF_ERROR(
          c.Exec("INSERT INTO grants (workspace_id, principal_kind, principal_id, role) "
                 "VALUES ($1, $2, $3, $4) ON CONFLICT (workspace_id, principal_kind, "
                 "principal_id) DO UPDATE SET role = excluded.role",
                 w.id, kind, id, static_cast<int>(role)));
    }
    REEL_ASSIGN_OR_RETURN(PgRows admins,
                          c.Query("SELECT count(*) FROM grants WHERE workspace_id = $1 AND "
                                  "principal_kind = 1 AND role = 3",
                                  w.id));
    if (admins.Int(0, 0) == 0) {
      return Status::InvalidArgument("workspace \"" + workspace +
                                     "\" would have no admin user left; make another user "
                                     "admin first");
    }
    return Status::Ok();
  });
}

Result<std::vector<GrantEntry>> TeamDirectory::ListGrants(const std::string& workspace) {
  REEL_RETURN_IF_ERROR(ValidateTeamName("workspace", workspace));
  std::vector<GrantEntry> out;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(Workspace w, NeedWorkspaceIn(c, workspace));
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        c.Query("SELECT CASE WHEN g.principal_kind = 1 THEN u.name ELSE '@' || ug.name END AS p, "
                "g.role FROM grants g LEFT JOIN users u ON g.principal_kind = 1 AND "
                "u.id = g.principal_id LEFT JOIN user_groups ug ON g.principal_kind = 2 AND "
                "ug.id = g.principal_id WHERE g.workspace_id = $1 ORDER BY p",
                w.id));
    out.clear();
    for (int r = 0; r < rows.size(); ++r) {
      out.push_back({rows.Text(r, 0), static_cast<Role>(rows.Int(r, 1))});
    }
    return Status::Ok();
  }));
  return out;
}

}  // namespace reel
