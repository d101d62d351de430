// Team API: locks on files, shared by the mounts of a workspace (catalog/file_lock.h). An
// instance (Reel-Instance, reported first) holds its locks in a lock session it renews; its
// token fences the commits it makes under them (NewVersion::fence).
//   POST /v1/workspaces/W/locks {ino, flavor, type, owner?, first?, last?, pid?, session?, test?}
//        {granted, session, expires_ns, lease_ms, held, conflict?: Lock}  (members; a write
//        lock: writers). A lapsed `session`: 409 conflict, start again without one.
//   GET  /v1/workspaces/W/locks[?ino=N]        {"locks":[Lock...]} (members; the live ones)
//   POST   /v1/lock-sessions/ID/renew          {expires_ns, lease_ms}; 409 once it lapsed
//   DELETE /v1/lock-sessions/ID                {"ok":true}: its locks go at once
// Lock: {ino, path, flavor, type, owner, first, last, pid, session, instance, user, host,
// since_ns}. flavor: posix, flock, open; type: read, write (unlock to release); bytes first..last
// inclusive, last 9223372036854775807 running to the end of the file.
#include "catalog_rpc/catalog_json.h"
#include "server/server_routes.h"

namespace reel::server_internal {

using nlohmann::json;

namespace {

Result<uint64_t> NumberField(const json& body, const char* key, uint64_t fallback,
                             uint64_t max = kLockToEnd) {
  if (!body.contains(key)) return fallback;
  const json& v = body.at(key);
  if (!v.is_number_unsigned() || v.get<uint64_t>() > max) {
    return Status::InvalidArgument(std::string("\"") + key + "\" must be an integer from 0 to " +
                                   std::to_string(max));
  }
  return v.get<uint64_t>();
}

json LockJson(const LockHolderInfo& h, const std::string& path) {
  json j = h;
  j["path"] = path;
  return j;
}

// The path of `ino` in the workspace as `view` sees it ("" when it has none: in the trash).
std::string PathIn(WorkspaceCatalog& view, InodeId ino) {
  Result<std::string> path = view.PathOf(ino);
  return path.ok() ? *path : std::string();
}

Result<uint64_t> SessionId(const httplib::Request& req) {
  const std::string raw = req.matches[1].str();
  if (raw.empty() || raw.size() > 18) return Status::InvalidArgument("a session id is a number");
  return std::stoull(raw);
}

json LeaseJson(ServerContext& ctx, TimeNs expires) {
  return json{{"expires_ns", expires}, {"lease_ms", ctx.lock_lease / 1000000}};
}

}  // namespace

void RegisterLockRoutes(httplib::Server& server, ServerContext& ctx) {
  Route(server, ctx, "POST", "/v1/workspaces/([^/]+)/locks",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(std::string name, NameParam(req, 1, "workspace"));
    REEL_ASSIGN_OR_RETURN(json body, http::BodyObject(req, {"ino", "flavor", "type", "owner",
                                                            "first", "last", "pid", "session",
                                                            "test"}));
    REEL_ASSIGN_OR_RETURN(auto member, MemberOf(ctx, name, request.caller));
    const auto& [workspace, role] = member;
    REEL_ASSIGN_OR_RETURN(uint64_t ino, NumberField(body, "ino", 0));
    FileLock lock;
    REEL_ASSIGN_OR_RETURN(std::string flavor, http::StringField(body, "flavor"));
    REEL_ASSIGN_OR_RETURN(lock.flavor, ParseLockFlavor(flavor));
    REEL_ASSIGN_OR_RETURN(std::string type, http::StringField(body, "type"));
    REEL_ASSIGN_OR_RETURN(lock.type, ParseLockType(type));
    REEL_ASSIGN_OR_RETURN(lock.owner, NumberField(body, "owner", 0, UINT64_MAX));
    REEL_ASSIGN_OR_RETURN(lock.first, NumberField(body, "first", 0));
    REEL_ASSIGN_OR_RETURN(lock.last, NumberField(body, "last", kLockToEnd));
    REEL_ASSIGN_OR_RETURN(uint64_t pid, NumberField(body, "pid", 0, UINT32_MAX));
    lock.pid = static_cast<uint32_t>(pid);
    REEL_ASSIGN_OR_RETURN(uint64_t session, NumberField(body, "session", 0));
    bool test = false;
    if (body.contains("test")) {
      if (!body["test"].is_boolean()) return Status::InvalidArgument("\"test\" is true or false");
      test = body["test"].get<bool>();
    }
    if (lock.type == LockType::kWrite && !test && role < Role::kWriter) {
      return Status::PermissionDenied("a write lock needs the writer role in workspace \"" +
                                      name + "\"");
    }
    WorkspaceCatalog view(ctx.team->catalog(), workspace, role, *ctx.index);
    REEL_ASSIGN_OR_RETURN(Attributes attr, view.GetAttributes(ino));
    if (attr.type != FileType::kRegular) {
      return Status::InvalidArgument("only regular files are locked");
    }
    REEL_ASSIGN_OR_RETURN(LockOutcome out, ctx.team->SetLock(workspace, ino, lock, session, test,
                                                             ctx.lock_lease, request));
    json j = LeaseJson(ctx, out.expires);
    j["granted"] = out.granted;
    j["session"] = out.session;
    j["held"] = out.held;
    if (out.conflict) j["conflict"] = LockJson(*out.conflict, PathIn(view, ino));
    return j;
  });

  Route(server, ctx, "GET", "/v1/workspaces/([^/]+)/locks",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {"ino"}));
    REEL_ASSIGN_OR_RETURN(std::string name, NameParam(req, 1, "workspace"));
    REEL_ASSIGN_OR_RETURN(auto member, MemberOf(ctx, name, request.caller));
    const auto& [workspace, role] = member;
    uint64_t ino = 0;
    if (req.has_param("ino")) {
      const std::string raw = req.get_param_value("ino");
      if (raw.empty() || raw.size() > 18 ||
          raw.find_first_not_of("0123456789") != std::string::npos) {
        return Status::InvalidArgument("ino is a number");
      }
      ino = std::stoull(raw);
    }
    WorkspaceCatalog view(ctx.team->catalog(), workspace, role, *ctx.index);
    if (ino != 0) REEL_RETURN_IF_ERROR(view.GetAttributes(ino).status());
    REEL_ASSIGN_OR_RETURN(std::vector<LockHolderInfo> locks,
                          ctx.team->ListLocks(workspace, ino, request.now));
    json list = json::array();
    InodeId last_ino = 0;
    std::string path;
    for (const LockHolderInfo& h : locks) {
      if (h.ino != last_ino) path = PathIn(view, h.ino);
      last_ino = h.ino;
      list.push_back(LockJson(h, path));
    }
    return json{{"locks", list}};
  });

  Route(server, ctx, "POST", "/v1/lock-sessions/([0-9]+)/renew",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(uint64_t id, SessionId(req));
    REEL_ASSIGN_OR_RETURN(TimeNs expires,
                          ctx.team->RenewLockSession(id, ctx.lock_lease, request));
    return LeaseJson(ctx, expires);
  });

  Route(server, ctx, "DELETE", "/v1/lock-sessions/([0-9]+)",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(uint64_t id, SessionId(req));
    REEL_RETURN_IF_ERROR(ctx.team->EndLockSession(id, request));
    return json{{"ok", true}};
  });
}

}  // namespace reel::server_internal
