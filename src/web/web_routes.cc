// The /v1/ API of a drive shown as one workspace: what the web app browses and changes. The
// session and origin checks have run (web_server.cc); paths are checked by the drive's service.
#include <pwd.h>
#include <unistd.h>

#include <vector>

#include <nlohmann/json.hpp>

#include "catalog_rpc/catalog_json.h"
#include "http/json_http.h"
#include "service/drive_service.h"
#include "tiers/placement.h"
#include "web/web_internal.h"

namespace reel::web_internal {
namespace {

using nlohmann::json;

constexpr size_t kDefaultPage = 1000;
constexpr size_t kMaxPage = 5000;

}  // namespace

json EntryJson(const std::string& name, const Attributes& attr, UserNames& users) {
  json j = attr;
  j["name"] = BytesJson(name);
  j["user"] = users.Of(attr.uid);
  return j;
}

json EntryAt(const std::string& path, const Attributes& attr) {
  UserNames users;
  json j = EntryJson(path.substr(path.find_last_of('/') + 1), attr, users);
  j["path"] = path;
  return j;
}

void JsonRoute(httplib::Server& server, const char* method, const std::string& pattern,
               std::function<Result<json>(const httplib::Request&)> handler) {
  auto wrapped = [handler = std::move(handler)](const httplib::Request& req,
                                                httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    http::Respond(res, http::RunHandler(handler, req));
  };
  const std::string m = method;
  if (m == "GET") {
    server.Get(pattern, wrapped);
  } else if (m == "POST") {
    server.Post(pattern, wrapped);
  } else if (m == "PUT") {
    server.Put(pattern, wrapped);
  } else {
    server.Delete(pattern, wrapped);
  }
}

std::string UserNameOf(uint32_t uid) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return "";
}

Status CheckWorkspace(const WebContext& ctx, const httplib::Request& req) {
  const std::string asked = req.matches.size() > 1 ? std::string(req.matches[1]) : "";
  if (asked == ctx.workspace) return Status::Ok();
  return Status::NotFound("no workspace '" + asked + "' here: this drive is '" + ctx.workspace +
                          "'");
}

void RegisterDriveRoutes(httplib::Server& server, const WebContext& ctx) {
  const json workspace = {{"name", ctx.workspace}, {"role", "admin"}};
  JsonRoute(server, "GET", "/v1/me", [&ctx](const httplib::Request& req) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    return json{{"user", ctx.user}};
  });
  JsonRoute(server, "GET", "/v1/workspaces", [workspace](const httplib::Request& req) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    return json{{"workspaces", json::array({workspace})}};
  });
  JsonRoute(server, "GET", "/v1/workspaces/([^/]+)",
        [&ctx, workspace](const httplib::Request& req) -> Result<json> {
          REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
          REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
          return workspace;
        });
  JsonRoute(server, "GET", "/v1/workspaces/([^/]+)/files",
        [&ctx](const httplib::Request& req) -> Result<json> {
          REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
          REEL_RETURN_IF_ERROR(http::CheckQuery(req, {"path", "after", "limit"}));
          REEL_ASSIGN_OR_RETURN(std::string path, http::PathParam(req));
          REEL_ASSIGN_OR_RETURN(uint64_t after, http::UintParam(req, "after", 0));
          REEL_ASSIGN_OR_RETURN(uint64_t limit, http::UintParam(req, "limit", kDefaultPage));
          if (limit < 1 || limit > kMaxPage) {
            return Status::InvalidArgument("query parameter 'limit' must be 1 to " +
                                           std::to_string(kMaxPage));
          }
          REEL_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, ctx.drive->List(path, after, limit));
          UserNames users;
          json out = json::array();
          for (const DirEntry& e : entries) out.push_back(EntryJson(e.name, e.attr, users));
          json next = entries.size() == limit ? json(entries.back().cookie) : json(nullptr);
          return json{{"path", path}, {"entries", std::move(out)}, {"next", std::move(next)}};
        });
  JsonRoute(server, "GET", "/v1/workspaces/([^/]+)/stat",
        [&ctx](const httplib::Request& req) -> Result<json> {
          REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
          REEL_RETURN_IF_ERROR(http::CheckQuery(req, {"path"}));
          REEL_ASSIGN_OR_RETURN(std::string path, http::PathParam(req));
          REEL_ASSIGN_OR_RETURN(Attributes attr, ctx.drive->Stat(path));
          return EntryAt(path, attr);
        });
  JsonRoute(server, "GET", "/v1/workspaces/([^/]+)/versions",
        [&ctx](const httplib::Request& req) -> Result<json> {
          REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
          REEL_RETURN_IF_ERROR(http::CheckQuery(req, {"path"}));
          REEL_ASSIGN_OR_RETURN(std::string path, http::PathParam(req));
          REEL_ASSIGN_OR_RETURN(std::vector<VersionInfo> versions, ctx.drive->Versions(path));
          return json{{"path", path}, {"versions", versions}};
        });
  JsonRoute(server, "POST", "/v1/workspaces/([^/]+)/restore",
        [&ctx](const httplib::Request& req) -> Result<json> {
          REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
          REEL_ASSIGN_OR_RETURN(json body, http::BodyObject(req, {"path", "version"}));
          REEL_ASSIGN_OR_RETURN(std::string path, http::StringField(body, "path"));
          REEL_ASSIGN_OR_RETURN(uint64_t version, http::PositiveField(body, "version"));
          REEL_ASSIGN_OR_RETURN(VersionInfo v, ctx.drive->Restore(path, version));
          return json(v);
        });
  JsonRoute(server, "POST", "/v1/workspaces/([^/]+)/save",
        [&ctx](const httplib::Request& req) -> Result<json> {
          REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
          REEL_ASSIGN_OR_RETURN(json body, http::BodyObject(req, {"path", "message"}));
          REEL_ASSIGN_OR_RETURN(std::string path, http::StringField(body, "path"));
          const std::string none;
          REEL_ASSIGN_OR_RETURN(std::string message, http::StringField(body, "message", &none));
          REEL_ASSIGN_OR_RETURN(VersionInfo v, ctx.drive->Save(path, message));
          // As `reel save`: the version is copied to the working tier (the edge) too; the
          // transfer runs in the background (a drive without one has nothing to do).
          if (ctx.drive->HasSharedTiers()) {
            REEL_RETURN_IF_ERROR(ctx.drive->Place(PlaceAction::kSaveToWorkingTier, path).status());
          }
          return json(v);
        });
}

}  // namespace reel::web_internal
