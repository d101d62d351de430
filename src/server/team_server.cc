#include "server/team_server.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <thread>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "catalog/conflict_policy.h"
#include "common/clock.h"
#include "http/listen_address.h"
#include "metrics/metrics.h"
#include "server/server_routes.h"
#include "web/thumbnails.h"
#include "web/web_front.h"

namespace reel {

using nlohmann::json;
using server_internal::ServerContext;

namespace {

// A version's chunk list is the largest body: 8 MiB holds about 80,000 chunks.
constexpr size_t kMaxBodyBytes = 8 * 1024 * 1024;
constexpr int kListenBacklog = 1024;
constexpr const char* kRequestIdHeader = "Reel-Request-Id";
constexpr const char* kInstanceHeader = "Reel-Instance";

// A request path as it may be logged: printable, at most 256 bytes.
std::string LoggablePath(const std::string& path) {
  std::string out = path.substr(0, 256);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = '?';
  }
  return out;
}

}  // namespace

namespace server_internal {

std::string RequestToken(const ServerContext& ctx, const httplib::Request& req) {
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() > kBearer.size() && header.compare(0, kBearer.size(), kBearer) == 0) {
    return header.substr(kBearer.size());
  }
  // A browser's session (web_front.h): its token rides in the HttpOnly cookie sign-in set.
  return ctx.web_sessions ? web::CookieValue(req, web::kSessionCookie) : std::string();
}

Result<TeamRequest> Authenticated(ServerContext& ctx, const httplib::Request& r, bool mutation) {
  const std::string token = RequestToken(ctx, r);
  // A change a browser asks for must come from the app's own page, with a JSON body: a page of
  // another site can make the browser send a form, but not with this Origin or type.
  if (!r.has_header("Authorization") && !token.empty() && mutation) {
    if (!web::FromOwnOrigin(r, ctx.tls)) {
      return Status::PermissionDenied(
          "a change from a browser must come from the web app's own page: cross-origin request "
          "refused");
    }
    if (!r.body.empty() && r.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
      return Status::InvalidArgument("a change from a browser has a JSON body");
    }
  }
  if (token.empty()) {
    return Status::Unauthenticated(
        "this call needs a token (Authorization: Bearer ...); get one with reel login");
  }
  TeamRequest request;
  request.now = ctx.clock();
  REEL_ASSIGN_OR_RETURN(request.caller, ctx.team->Authenticate(token, request.now));
  if (mutation) {
    if (!r.has_header(kRequestIdHeader)) {
      return Status::InvalidArgument(std::string("a change needs a ") + kRequestIdHeader +
                                     " header");
    }
    request.id = r.get_header_value(kRequestIdHeader);
    REEL_RETURN_IF_ERROR(ValidateRequestId(request.id).WithContext(kRequestIdHeader));
  }
  if (r.has_header(kInstanceHeader)) {
    request.instance = r.get_header_value(kInstanceHeader);
    REEL_RETURN_IF_ERROR(ValidateRequestId(request.instance).WithContext(kInstanceHeader));
  }
  return request;
}

void Route(httplib::Server& server, ServerContext& ctx, const std::string& method,
           const std::string& pattern, AuthedHandler handler) {
  const bool mutation = method != "GET";
  TimedCalls* timed = ctx.metrics == nullptr
                          ? nullptr
                          : ctx.metrics->Calls("reel_server_requests", "Team API calls", "route",
                                               method + " " + pattern);
  auto wrapped = [&ctx, mutation, timed, handler = std::move(handler)](
                     const httplib::Request& req, httplib::Response& res) {
    const auto start = std::chrono::steady_clock::now();
    http::Respond(res, http::RunHandler([&](const httplib::Request& r) -> Result<json> {
      REEL_ASSIGN_OR_RETURN(TeamRequest request, Authenticated(ctx, r, mutation));
      Result<json> answer = handler(r, request);
      // A change may have events: the feed's waiting readers look now.
      if (mutation && answer.ok()) {
        if (ctx.event_waiters != nullptr) ctx.event_waiters->Notify();
        if (ctx.on_commit) ctx.on_commit();
      }
      return answer;
    }, req));
    // Every answer is one caller's (and some hold keys or signed URLs): never kept by a cache.
    res.set_header("Cache-Control", "no-store");
    if (timed != nullptr) {
      timed->Observe(std::chrono::steady_clock::now() - start, res.status >= 500);
    }
  };
  if (method == "GET") {
    server.Get(pattern, wrapped);
  } else if (method == "POST") {
    server.Post(pattern, wrapped);
  } else if (method == "PUT") {
    server.Put(pattern, wrapped);
  } else if (method == "PATCH") {
    server.Patch(pattern, wrapped);
  } else {
    server.Delete(pattern, wrapped);
  }
}

Result<std::string> NameParam(const httplib::Request& req, size_t index, std::string_view what) {
  if (index >= req.matches.size()) return Status::Internal("route has no parameter");
  std::string name = req.matches[index].str();
  REEL_RETURN_IF_ERROR(what == "principal" ? ValidatePrincipal(name)
                                            : ValidateTeamName(what, name));
  return name;
}

Result<std::pair<Workspace, Role>> MemberOf(ServerContext& ctx, const std::string& name,
                                            const User& caller) {
  REEL_ASSIGN_OR_RETURN(Workspace w, ctx.team->FindWorkspace(name));
  REEL_ASSIGN_OR_RETURN(Role role, ctx.team->RoleOf(caller, w.id));
  if (role == Role::kNone) {
    return Status::PermissionDenied("you have no role in workspace \"" + name +
                                    "\"; ask one of its admins for a grant");
  }
  return std::make_pair(w, role);
}

json WorkspaceJson(const Workspace& w, Role role) {
  return json{{"name", w.name},       {"role", RoleName(role)},  {"home", w.home},
              {"share", w.share},     {"conflict", ConflictPolicyName(w.conflict)},
              {"encrypted", w.encrypted},
              {"created_ns", w.created}};
}

}  // namespace server_internal

struct TeamServer::Impl {
  ServerContext ctx;
  WorkspaceIndex index;
  std::unique_ptr<EventWaiters> event_waiters;
  web::Thumbnails thumbnails;
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int port = 0;
  int listen_fd = -1;  // the listening socket (httplib owns it)
  std::string url;
  bool running = false;
};

TeamServer::TeamServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TeamServer::~TeamServer() { Stop(); }

int TeamServer::port() const { return impl_->port; }
const std::string& TeamServer::url() const { return impl_->url; }

std::shared_ptr<ObjectStore> TeamServer::store(const std::string& tier) const {
  auto it = impl_->ctx.stores.find(tier);
  return it == impl_->ctx.stores.end() ? nullptr : it->second.store;
}

Result<std::unique_ptr<TeamServer>> TeamServer::Start(TeamDirectory* team,
                                                      TeamServerOptions options) {
  REEL_ASSIGN_OR_RETURN(ListenAddress where, ParseListenAddress(options.listen));
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return Status::InvalidArgument("HTTPS needs both a certificate and its key");
  }
  auto impl = std::make_unique<Impl>();
  impl->ctx.team = team;
  impl->ctx.index = &impl->index;
  impl->ctx.check_pack_uploads = options.check_pack_uploads;
  impl->ctx.on_commit = options.on_commit;
  impl->ctx.metrics = options.metrics;
  impl->ctx.lock_lease = std::chrono::nanoseconds(options.lock_lease).count();
  for (const auto& [tier, uri] : options.stores) {
    if (uri.empty()) continue;
    if (!uri.starts_with("s3://")) {
      spdlog::warn("the {} store is not s3://: instances cannot reach it (only S3 stores hand "
                   "out presigned URLs)", tier);
      continue;
    }
    REEL_ASSIGN_OR_RETURN(s3::S3Config config, s3::ParseS3Uri(uri, s3::ProcessEnv()));
    auto credentials = s3::LoadS3Credentials(s3::ProcessEnv());
    if (!credentials.ok()) {
      return credentials.status().WithContext("the credentials of the " + tier + " store");
    }
    REEL_ASSIGN_OR_RETURN(std::unique_ptr<ObjectStore> store, OpenObjectStore(uri));
    impl->ctx.stores[tier] = server_internal::StoreSigner{
        std::move(config), std::move(credentials).value(), std::move(store)};
  }
  impl->ctx.clock = options.clock ? options.clock : [] { return WallClockNs(); };
  const bool tls = !options.tls_cert.empty();
  impl->ctx.tls = tls;
  if (tls) {
    auto ssl = std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(),
                                                    options.tls_key.c_str());
    if (!ssl->is_valid()) {
      return Status::InvalidArgument("cannot use the TLS certificate " + options.tls_cert +
                                     " with key " + options.tls_key +
                                     " (unreadable, not PEM, or not a pair)");
    }
    impl->server = std::move(ssl);
  } else {
    impl->server = std::make_unique<httplib::Server>();
  }
  httplib::Server& server = *impl->server;
  const unsigned threads = options.threads == 0 ? 1 : options.threads;
  impl->event_waiters = std::make_unique<EventWaiters>(std::max(1u, threads / 2));
  impl->ctx.event_waiters = impl->event_waiters.get();
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Clients keep their connections open between calls; an idle one frees its thread soon.
  server.set_keep_alive_max_count(100000);
  server.set_keep_alive_timeout(2);
  server.set_tcp_nodelay(true);  // no Nagle wait behind the client's delayed ACK
  Impl* raw = impl.get();
  server.set_socket_options([raw](socket_t sock) {
    ::fcntl(sock, F_SETFD, FD_CLOEXEC);
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    raw->listen_fd = sock;  // the last socket httplib configures before binding is the listener
  });
  http::UseJsonErrors(server, kMaxBodyBytes);
  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    // Never the headers: they carry the token.
    spdlog::info("{} {} {} -> {}", req.remote_addr, req.method, LoggablePath(req.path),
                 res.status);
  });
  server.Get("/v1/health", [](const httplib::Request&, httplib::Response& res) {
    http::Respond(res, json{{"ok", true}, {"server", "team"}});
  });
  // httplib would answer a browser with Brotli at its slowest (web_front.h).
  server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response&) {
    web::PreferGzip(req);
    return httplib::Server::HandlerResponse::Unhandled;
  });
  if (options.web) {
    REEL_ASSIGN_OR_RETURN(web::AppFiles files, web::LoadAppFiles(options.web_assets));
    impl->ctx.web_sessions = true;
    impl->ctx.thumbnails = &impl->thumbnails;
    web::UseAppPolicy(server);
    web::ServeAppFiles(server, std::make_shared<const web::AppFiles>(std::move(files)));
    server_internal::RegisterWebRoutes(server, impl->ctx);
    server_internal::RegisterWebChangeRoutes(server, impl->ctx);
  }
  server_internal::RegisterAccountRoutes(server, impl->ctx);
  server_internal::RegisterWorkspaceRoutes(server, impl->ctx);
  server_internal::RegisterCatalogRoutes(server, impl->ctx);
  server_internal::RegisterObjectRoutes(server, impl->ctx);
  server_internal::RegisterEventRoutes(server, impl->ctx);
  server_internal::RegisterInstanceRoutes(server, impl->ctx);
  server_internal::RegisterLockRoutes(server, impl->ctx);
  server_internal::RegisterProjectionRoutes(server, impl->ctx);

  if (where.port == 0) {
    impl->port = server.bind_to_any_port(where.host);
    if (impl->port <= 0) {
      return Status::Unavailable("cannot listen on " + where.host + " (any port)");
    }
  } else {
    if (!server.bind_to_port(where.host, where.port)) {
      return Status::Unavailable("cannot listen on " + options.listen +
                                 " (in use, or not an address of this machine)");
    }
    impl->port = where.port;
  }
  // httplib listens with a backlog of 5: a burst of clients connecting at once overflows it and
  // waits a second for the SYN to be resent. Listening again on Linux only sets a larger backlog.
  if (raw->listen_fd >= 0) (void)::listen(raw->listen_fd, kListenBacklog);
  const std::string host =
      where.host.find(':') != std::string::npos ? "[" + where.host + "]" : where.host;
  impl->url = std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(impl->port);
  impl->running = true;
  std::unique_ptr<TeamServer> out(new TeamServer(std::move(impl)));
  REEL_RETURN_IF_ERROR(http::ServeInBackground(server, raw->thread).WithContext("team server"));
  spdlog::info("team server listening on {}", out->url());
  return out;
}

void TeamServer::Stop() {
  if (!impl_ || !impl_->running) return;
  impl_->running = false;
  impl_->event_waiters->Stop();
  impl_->server->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace reel
