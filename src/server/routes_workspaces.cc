// Team API: workspaces and who may use them.
//   GET    /v1/workspaces                        {"workspaces":[Workspace...]} (the caller's)
//   POST   /v1/workspaces {name, encrypted?}     Workspace (the caller is its admin)
//   GET    /v1/workspaces/NAME                   Workspace (any role in it)
//   PATCH  /v1/workspaces/NAME {share?, conflict?}  Workspace (admin): change its settings
//   GET    /v1/workspaces/NAME/key               {"key": 64 hex} (any role; encrypted ones only)
//   GET    /v1/workspaces/NAME/grants            {"grants":[{principal, role}...]} (any role)
//   PUT    /v1/workspaces/NAME/grants/PRINCIPAL {role}   {"ok":true} (admin)
//   DELETE /v1/workspaces/NAME/grants/PRINCIPAL          {"ok":true} (admin)
// Workspace: {name, role (the caller's), home, share, conflict, encrypted, created_ns}. PRINCIPAL: "bob" or "@group".
#include <openssl/crypto.h>

#include "catalog/conflict_policy.h"
#include "common/hex.h"
#include "server/server_routes.h"

namespace reel::server_internal {

using nlohmann::json;

namespace {

constexpr const char* kName = "([^/]+)";

}  // namespace

void RegisterWorkspaceRoutes(httplib::Server& server, ServerContext& ctx) {
  const std::string one = std::string("/v1/workspaces/") + kName;
  const std::string grants = one + "/grants";
  const std::string grant = grants + "/" + kName;

  Route(server, ctx, "GET", "/v1/workspaces",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(auto spaces, ctx.team->ListWorkspaces(request.caller));
    json list = json::array();
    for (const WorkspaceAccess& a : spaces) list.push_back(WorkspaceJson(a.workspace, a.role));
    return json{{"workspaces", list}};
  });

  Route(server, ctx, "POST", "/v1/workspaces",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(json body, http::BodyObject(req, {"name", "encrypted"}));
    REEL_ASSIGN_OR_RETURN(std::string name, http::StringField(body, "name"));
    bool encrypted = false;
    if (body.contains("encrypted")) {
      if (!body["encrypted"].is_boolean()) {
        return Status::InvalidArgument("\"encrypted\" must be true or false");
      }
      encrypted = body["encrypted"].get<bool>();
    }
    REEL_ASSIGN_OR_RETURN(Workspace w, ctx.team->CreateWorkspace(name, request, encrypted));
    return WorkspaceJson(w, Role::kAdmin);
  });

  Route(server, ctx, "GET", one,
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(std::string name, NameParam(req, 1, "workspace"));
    REEL_ASSIGN_OR_RETURN(auto member, MemberOf(ctx, name, request.caller));
    return WorkspaceJson(member.first, member.second);
  });

  Route(server, ctx, "PATCH", one,
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(std::string name, NameParam(req, 1, "workspace"));
    REEL_ASSIGN_OR_RETURN(json body, http::BodyObject(req, {"share", "conflict"}));
    if (body.empty()) return Status::InvalidArgument("nothing to change: give share or conflict");
    WorkspaceOptions options;
    if (body.contains("share")) {
      REEL_ASSIGN_OR_RETURN(options.share, http::StringField(body, "share"));
    }
    if (body.contains("conflict")) {
      REEL_ASSIGN_OR_RETURN(std::string policy, http::StringField(body, "conflict"));
      REEL_ASSIGN_OR_RETURN(options.conflict, ParseConflictPolicy(policy));
    }
    REEL_ASSIGN_OR_RETURN(Workspace w, ctx.team->SetWorkspaceOptions(name, options, &request));
    return WorkspaceJson(w, Role::kAdmin);
  });

  // The key instances seal the workspace's chunks with: handed to members only, never logged.
  Route(server, ctx, "GET", one + "/key",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(std::string name, NameParam(req, 1, "workspace"));
    REEL_ASSIGN_OR_RETURN(auto member, MemberOf(ctx, name, request.caller));
    if (!member.first.encrypted) {
      return Status::NotFound("workspace \"" + name + "\" is not encrypted");
    }
    REEL_ASSIGN_OR_RETURN(std::vector<uint8_t> key, ctx.team->WorkspaceKey(member.first.id));
    json out{{"key", ToHex(key)}};
    OPENSSL_cleanse(key.data(), key.size());
    return out;
  });

  Route(server, ctx, "GET", grants,
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(std::string name, NameParam(req, 1, "workspace"));
    REEL_RETURN_IF_ERROR(MemberOf(ctx, name, request.caller).status());
    REEL_ASSIGN_OR_RETURN(auto entries, ctx.team->ListGrants(name));
    json list = json::array();
    for (const GrantEntry& g : entries) {
      list.push_back(json{{"principal", g.principal}, {"role", RoleName(g.role)}});
    }
    return json{{"grants", list}};
  });

  Route(server, ctx, "PUT", grant,
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(std::string name, NameParam(req, 1, "workspace"));
    REEL_ASSIGN_OR_RETURN(std::string principal, NameParam(req, 2, "principal"));
    REEL_ASSIGN_OR_RETURN(json body, http::BodyObject(req, {"role"}));
    REEL_ASSIGN_OR_RETURN(std::string role_name, http::StringField(body, "role"));
    REEL_ASSIGN_OR_RETURN(Role role, ParseRole(role_name));
    REEL_RETURN_IF_ERROR(ctx.team->SetGrant(name, principal, role, &request));
    return json{{"ok", true}};
  });

  Route(server, ctx, "DELETE", grant,
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(std::string name, NameParam(req, 1, "workspace"));
    REEL_ASSIGN_OR_RETURN(std::string principal, NameParam(req, 2, "principal"));
    if (!req.body.empty()) return Status::InvalidArgument("DELETE takes no body");
    REEL_RETURN_IF_ERROR(ctx.team->SetGrant(name, principal, Role::kNone, &request));
    return json{{"ok", true}};
  });
}

}  // namespace reel::server_internal
