// Team API: what the web app needs besides the routes instances use (web/web_front.h).
//   POST /v1/sign-in {token}        a browser session: a new token for the same user, valid a
//                                   week, in an HttpOnly cookie; {"user"}
//   POST /v1/sign-out               revokes the session's token and clears the cookie
//   GET  /v1/workspaces/W/files?path=P&after=C&limit=N   {"path","entries","next"}
//   GET  /v1/workspaces/W/stat?path=P                    Entry with "path"
//   GET  /v1/workspaces/W/versions?path=P                {"path","versions"}
//   GET  /v1/workspaces/W/trash                          {"entries":[TrashEntry...]}
//   GET  /v1/workspaces/W/storage   {"files","bytes","versions","chunks","chunk_bytes",
//                                    "tiers":{"cloud":{"chunks","bytes"},...}}: the server's tiers
//   GET  /v1/workspaces/W/content?path=P&version=N&download=1   the bytes; ranges answered 206
//   GET  /v1/workspaces/W/thumbnail?path=P&version=N    a PNG (web/thumbnails.h)
// By path from the workspace's root, as the member sees it (server/workspace_catalog.h): a
// file's size and version are those of its newest version they see, and its older versions are
// their own and the published ones. Any role may read.
#include "catalog_rpc/catalog_json.h"
#include "server/server_routes.h"
#include "server/version_bytes.h"
#include "server/workspace_paths.h"
#include "web/web_front.h"

namespace reel::server_internal {

using nlohmann::json;

namespace {

constexpr size_t kDefaultPage = 1000;
constexpr size_t kMaxPage = 5000;
// A browser session lasts a week (then the app asks for a token again).
constexpr uint64_t kSessionSeconds = 7 * 24 * 3600;

// The authors of the versions `attrs` show (files with one), in one query.
Result<std::map<std::pair<InodeId, uint64_t>, std::string>> AuthorsOf(
    ServerContext& ctx, const std::vector<const Attributes*>& attrs) {
  std::vector<std::pair<InodeId, uint64_t>> versions;
  for (const Attributes* a : attrs) {
    if (a->type == FileType::kRegular && a->version > 0) versions.emplace_back(a->ino, a->version);
  }
  return ctx.team->VersionAuthors(versions);
}

std::string AuthorIn(const std::map<std::pair<InodeId, uint64_t>, std::string>& authors,
                     const Attributes& a) {
  auto it = authors.find({a.ino, a.version});
  return it == authors.end() ? "" : it->second;
}

// The member's view of workspace W (the route's first match), for a read.
struct MemberView {
  Workspace workspace;
  Role role = Role::kNone;
  std::unique_ptr<WorkspaceCatalog> catalog;
};

Result<MemberView> ViewOf(ServerContext& ctx, const httplib::Request& req,
                          const TeamRequest& request) {
  REEL_ASSIGN_OR_RETURN(std::string name, NameParam(req, 1, "workspace"));
  REEL_ASSIGN_OR_RETURN(auto member, MemberOf(ctx, name, request.caller));
  MemberView v{member.first, member.second, nullptr};
  v.catalog = std::make_unique<WorkspaceCatalog>(ctx.team->catalog(), v.workspace, v.role,
                                                 *ctx.index, request.caller.name);
  return v;
}

// A read of the entry at the request's `path` (query parameters `query` only): the member's
// view, the path normalised and the entry.
struct Found {
  MemberView view;
  std::string path;
  Attributes attr;
};

Result<Found> FindPath(ServerContext& ctx, const httplib::Request& req,
                       const TeamRequest& request, std::initializer_list<const char*> query) {
  REEL_RETURN_IF_ERROR(http::CheckQuery(req, query));
  REEL_ASSIGN_OR_RETURN(std::string raw, http::PathParam(req));
  Found f;
  REEL_ASSIGN_OR_RETURN(f.view, ViewOf(ctx, req, request));
  REEL_ASSIGN_OR_RETURN(auto at, ResolveInWorkspace(*f.view.catalog, raw, f.view.workspace.name));
  f.path = std::move(at.first);
  f.attr = at.second;
  return f;
}

// The bytes of the version a content or thumbnail request names, ready to read.
Result<std::shared_ptr<web::ByteSource>> OpenVersion(ServerContext& ctx,
                                                     const httplib::Request& req,
                                                     std::initializer_list<const char*> query) {
  REEL_ASSIGN_OR_RETURN(TeamRequest request, Authenticated(ctx, req, /*mutation=*/false));
  REEL_ASSIGN_OR_RETURN(Found found, FindPath(ctx, req, request, query));
  REEL_ASSIGN_OR_RETURN(uint64_t number, web::VersionParam(req));
  const MemberView& v = found.view;
  const std::string& path = found.path;
  const Attributes& attr = found.attr;
  if (attr.type != FileType::kRegular) return Status::IsDirectory(path + " is not a file");
  if (number == 0) number = attr.version;
  if (number == 0) return Status::NotFound(path + " has no version yet");
  REEL_ASSIGN_OR_RETURN(Version version, v.catalog->GetVersion(attr.ino, number));
  std::map<TierMask, std::shared_ptr<ObjectStore>> stores;
  for (const auto& [tier, signer] : ctx.stores) {
    stores[tier == "edge" ? kTierEdge : kTierCloud] = signer.store;
  }
  std::shared_ptr<const ChunkCipher> cipher;
  if (v.workspace.encrypted) {
    REEL_ASSIGN_OR_RETURN(std::vector<uint8_t> key, ctx.team->WorkspaceKey(v.workspace.id));
    REEL_ASSIGN_OR_RETURN(cipher, ChunkCipher::FromWorkspaceKey(key));
  }
  REEL_ASSIGN_OR_RETURN(std::shared_ptr<VersionBytes> bytes,
                        VersionBytes::Open(*v.catalog, version, stores, std::move(cipher),
                                           path + " version " + std::to_string(number)));
  return std::shared_ptr<web::ByteSource>(std::move(bytes));
}

}  // namespace

void RegisterWebRoutes(httplib::Server& server, ServerContext& ctx) {
  server.Post("/v1/sign-in", [&ctx](const httplib::Request& req, httplib::Response& res) {
    std::string cookie;
    http::Respond(res, http::RunHandler([&](const httplib::Request& r) -> Result<json> {
      if (!web::FromOwnOrigin(r, ctx.tls)) {
        return Status::PermissionDenied("sign in from the web app's own page");
      }
      REEL_ASSIGN_OR_RETURN(json body, http::BodyObject(r, {"token"}));
      REEL_ASSIGN_OR_RETURN(std::string token, http::StringField(body, "token"));
      const TimeNs now = ctx.clock();
      REEL_ASSIGN_OR_RETURN(User user, ctx.team->Authenticate(token, now));
      // The browser gets a token of its own, so signing out ends it and nothing else.
      REEL_ASSIGN_OR_RETURN(
          IssuedToken session,
          ctx.team->CreateToken(user.name, now,
                                now + static_cast<TimeNs>(kSessionSeconds) * 1'000'000'000));
      cookie = web::SessionCookie(session.secret, kSessionSeconds, ctx.tls);
      return json{{"user", user.name}};
    }, req));
    res.set_header("Cache-Control", "no-store");
    if (!cookie.empty()) res.set_header("Set-Cookie", cookie);
  });
  server.Post("/v1/sign-out", [&ctx](const httplib::Request& req, httplib::Response& res) {
    Result<json> answer = http::RunHandler([&](const httplib::Request& r) -> Result<json> {
      if (!web::FromOwnOrigin(r, ctx.tls)) {
        return Status::PermissionDenied("sign out from the web app's own page");
      }
      const std::string token = web::CookieValue(r, web::kSessionCookie);
      if (!token.empty()) REEL_RETURN_IF_ERROR(ctx.team->RevokeTokenSecret(token, ctx.clock()));
      return json{{"ok", true}};
    }, req);
    http::Respond(res, answer);
    // Only a sign-out that was made clears the cookie: a browser applies Set-Cookie even from
    // a refused answer, so another site's form could otherwise sign the user out.
    if (answer.ok()) res.set_header("Set-Cookie", web::SessionCookie("", 0, ctx.tls));
  });

  Route(server, ctx, "GET", "/v1/workspaces/([^/]+)/files",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_ASSIGN_OR_RETURN(Found found, FindPath(ctx, req, request, {"path", "after", "limit"}));
    REEL_ASSIGN_OR_RETURN(uint64_t after, http::UintParam(req, "after", 0));
    REEL_ASSIGN_OR_RETURN(uint64_t limit, http::UintParam(req, "limit", kDefaultPage));
    if (limit < 1 || limit > kMaxPage) {
      return Status::InvalidArgument("query parameter 'limit' must be 1 to " +
                                     std::to_string(kMaxPage));
    }
    const auto& [v, path, attr] = found;
    if (attr.type != FileType::kDirectory) return Status::NotDirectory(path + " is not a folder");
    REEL_ASSIGN_OR_RETURN(std::vector<DirEntry> entries,
                          v.catalog->ReadDir(attr.ino, after, limit));
    std::vector<const Attributes*> attrs;
    for (const DirEntry& e : entries) attrs.push_back(&e.attr);
    REEL_ASSIGN_OR_RETURN(auto authors, AuthorsOf(ctx, attrs));
    json out = json::array();
    for (const DirEntry& e : entries) {
      out.push_back(EntryJson(e.name, e.attr, AuthorIn(authors, e.attr)));
    }
    json next = entries.size() == limit ? json(entries.back().cookie) : json(nullptr);
    return json{{"path", path}, {"entries", std::move(out)}, {"next", std::move(next)}};
  });
  Route(server, ctx, "GET", "/v1/workspaces/([^/]+)/stat",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_ASSIGN_OR_RETURN(Found found, FindPath(ctx, req, request, {"path"}));
    const auto& [v, path, attr] = found;
    REEL_ASSIGN_OR_RETURN(auto authors, AuthorsOf(ctx, {&attr}));
    return WorkspaceEntryJson(path, attr, AuthorIn(authors, attr));
  });
  Route(server, ctx, "GET", "/v1/workspaces/([^/]+)/versions",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_ASSIGN_OR_RETURN(Found found, FindPath(ctx, req, request, {"path"}));
    const auto& [v, path, attr] = found;
    if (attr.type != FileType::kRegular) return Status::IsDirectory(path + " is not a file");
    REEL_ASSIGN_OR_RETURN(std::vector<VersionInfo> versions, v.catalog->ListVersions(attr.ino));
    return json{{"path", path}, {"versions", versions}};
  });
  Route(server, ctx, "GET", "/v1/workspaces/([^/]+)/trash",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(MemberView v, ViewOf(ctx, req, request));
    REEL_ASSIGN_OR_RETURN(std::vector<TrashEntry> entries, v.catalog->ListTrash());
    return json{{"entries", entries}};
  });

  Route(server, ctx, "GET", "/v1/workspaces/([^/]+)/storage",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(std::string name, NameParam(req, 1, "workspace"));
    REEL_ASSIGN_OR_RETURN(auto member, MemberOf(ctx, name, request.caller));
    REEL_ASSIGN_OR_RETURN(WorkspaceStorage s, ctx.team->StorageOf(member.first));
    // The tiers the server holds (those its members' bytes can be on).
    json tiers = json::object();
    for (const auto& [name, usage] : {std::pair{"edge", s.edge}, std::pair{"cloud", s.cloud}}) {
      if (ctx.stores.count(name) != 0) {
        tiers[name] = {{"chunks", usage.chunks}, {"bytes", usage.bytes}};
      }
    }
    return json{{"files", s.files},       {"bytes", s.bytes},
                {"versions", s.versions}, {"chunks", s.chunks},
                {"chunk_bytes", s.chunk_bytes}, {"tiers", std::move(tiers)}};
  });

  // The bytes, streamed, and thumbnails: not JSON routes (errors are JSON all the same).
  server.Get("/v1/workspaces/([^/]+)/content",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
    web::AnswerVersion(req, res, OpenVersion(ctx, req, {"path", "version", "download"}),
                       nullptr);
  });
  server.Get("/v1/workspaces/([^/]+)/thumbnail",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
    web::AnswerVersion(req, res, OpenVersion(ctx, req, {"path", "version"}), ctx.thumbnails);
  });
}

}  // namespace reel::server_internal
