// Internal to reel_server: what the route families of the team API share.
#pragma once

#include <httplib.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "catalog_rpc/event_feed.h"
#include "common/status.h"
#include "http/json_http.h"
#include "server/workspace_catalog.h"
#include "store/object_store.h"
#include "store/s3/s3_config.h"
#include "team/team_directory.h"

namespace reel {
class Metrics;
namespace web {
class Thumbnails;
}  // namespace web
}  // namespace reel

namespace reel::server_internal {

// A tier's S3 store, as the server signs requests for it, and the server's own handle on it
// (to check what instances say they uploaded).
struct StoreSigner {
  s3::S3Config config;
  s3::S3Credentials credentials;
  std::shared_ptr<ObjectStore> store;
};

struct ServerContext {
  TeamDirectory* team = nullptr;
  std::map<std::string, StoreSigner> stores;  // by tier: the s3:// ones
  std::function<TimeNs()> clock;
  WorkspaceIndex* index = nullptr;  // which workspace each inode the server has seen is in
  bool check_pack_uploads = true;   // TeamServerOptions::check_pack_uploads
  EventWaiters* event_waiters = nullptr;  // the reads of the change feed that wait
  std::function<void()> on_commit;         // TeamServerOptions::on_commit
  Metrics* metrics = nullptr;              // TeamServerOptions::metrics
  TimeNs lock_lease = 30'000'000'000;      // TeamServerOptions::lock_lease
  bool tls = false;                        // the server answers HTTPS
  // Whether browsers may sign in (the web app is served): a session cookie then authenticates
  // a call as a bearer token does.
  bool web_sessions = false;
  web::Thumbnails* thumbnails = nullptr;   // the web app's (when web_sessions)
};

// A route handler called only for an authenticated caller. `request` carries the caller, the
// request id (mutating calls; "" for reads) and the server's time.
using AuthedHandler =
    std::function<Result<nlohmann::json>(const httplib::Request&, const TeamRequest& request)>;

// The caller's token: "Authorization: Bearer TOKEN", else a browser's session cookie (when
// ctx.web_sessions); "" when there is none.
std::string RequestToken(const ServerContext& ctx, const httplib::Request& req);
// The caller of `req`, authenticated by its bearer token (Unauthenticated without a valid one),
// with the request id a change (`mutation`) must carry.
[[nodiscard]] Result<TeamRequest> Authenticated(ServerContext& ctx, const httplib::Request& req,
                                                bool mutation);

// Registers a route: GET is a read; POST, PUT and DELETE are mutations and need a request id.
// `pattern` is a regular expression (path parameters in req.matches).
void Route(httplib::Server& server, ServerContext& ctx, const std::string& method,
           const std::string& pattern, AuthedHandler handler);

// A path parameter that names a user, group ("@name") or workspace, validated.
[[nodiscard]] Result<std::string> NameParam(const httplib::Request& req, size_t index,
                                            std::string_view what);

// Workspace `name` and the caller's role in it; PermissionDenied when they have none.
[[nodiscard]] Result<std::pair<Workspace, Role>> MemberOf(ServerContext& ctx,
                                                          const std::string& name,
                                                          const User& caller);

[[nodiscard]] nlohmann::json WorkspaceJson(const Workspace& w, Role role);

// Before a record_pack_upload call is applied (when ctx.check_pack_uploads): its pack must be on the tier's store with exactly
// the size its members cover (InvalidArgument otherwise; the store's error if it cannot say).
// Arguments of the wrong shape pass here and are refused by the call itself.
[[nodiscard]] Status CheckPackUploaded(ServerContext& ctx, const nlohmann::json& args);

void RegisterAccountRoutes(httplib::Server& server, ServerContext& ctx);
void RegisterWorkspaceRoutes(httplib::Server& server, ServerContext& ctx);
void RegisterCatalogRoutes(httplib::Server& server, ServerContext& ctx);
void RegisterObjectRoutes(httplib::Server& server, ServerContext& ctx);
void RegisterEventRoutes(httplib::Server& server, ServerContext& ctx);
void RegisterInstanceRoutes(httplib::Server& server, ServerContext& ctx);
void RegisterLockRoutes(httplib::Server& server, ServerContext& ctx);
void RegisterProjectionRoutes(httplib::Server& server, ServerContext& ctx);
// Browser sign-in and the by-path reads of the web app (routes_web.cc).
void RegisterWebRoutes(httplib::Server& server, ServerContext& ctx);
// What the web app changes by path: folders, moves, deletes, the trash, restores, checkpoints
// (routes_web_changes.cc).
void RegisterWebChangeRoutes(httplib::Server& server, ServerContext& ctx);

}  // namespace reel::server_internal
