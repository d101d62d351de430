#include "web/web_server.h"

#include <fcntl.h>
#include <unistd.h>

#include <set>
#include <thread>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "catalog_rpc/event_feed.h"
#include "http/json_http.h"
#include "http/listen_address.h"
#include "web/thumbnails.h"
#include "web/web_front.h"
#include "web/web_internal.h"
#include "web/web_sessions.h"

namespace reel {
namespace {

using web_internal::WebContext;

constexpr size_t kMaxBodyBytes = size_t{9} << 20;  // an upload's piece is at most 8 MiB

constexpr char kSpentLinkPage[] =
    "<!doctype html><title>ReelDrive: sign-in link not valid</title>"
    "<h1>This sign-in link is not valid</h1><p>A link signs in once, within an hour of being "
    "made. Run <code>reel web PATH</code> on the drive's machine for a new one.</p>";

}  // namespace

struct WebServer::Impl {
  WebContext ctx;
  // At most 8 reads of the feed wait at once (a tab each), of the 32 threads.
  EventWaiters event_waiters{8};
  std::shared_ptr<web_internal::Uploads> uploads;
  web::Thumbnails thumbnails;
  WebSessions sessions{WallClockNs};
  std::set<std::string> hosts;  // the Host headers it answers: its address, with its port
  std::string origin;
  httplib::Server server;
  std::thread thread;
  bool running = false;

  // The checks every request passes before its route (httplib's pre-routing handler).
  httplib::Server::HandlerResponse Admit(const httplib::Request& req, httplib::Response& res);
  void RegisterPages();
};

httplib::Server::HandlerResponse WebServer::Impl::Admit(const httplib::Request& req,
                                                        httplib::Response& res) {
  using R = httplib::Server::HandlerResponse;
  web::PreferGzip(req);
  const std::string host = req.get_header_value("Host");
  if (hosts.count(host) == 0) {
    web::RespondError(res, Status::PermissionDenied("this server answers requests for " + origin + " only"));
    return R::Handled;
  }
  const bool change = req.method != "GET" && req.method != "HEAD";
  if (change && !web::FromOwnOrigin(req, /*tls=*/false)) {
    web::RespondError(res, Status::PermissionDenied("a change must come from the web app's own page (" +
                                       origin + "): cross-origin request refused"));
    return R::Handled;
  }
  if (req.path.rfind("/v1/", 0) != 0 || req.path == "/v1/health") return R::Unhandled;
  Status signed_in = sessions.Check(web::CookieValue(req, web::kSessionCookie));
  if (!signed_in.ok()) {
    web::RespondError(res, signed_in);
    return R::Handled;
  }
  // (The body is not read yet: its length says whether there is one.)
  const std::string length = req.get_header_value("Content-Length");
  const bool has_body = req.has_header("Transfer-Encoding") || (!length.empty() && length != "0");
  // A page of another site can post a form (and its cookie is not sent with SameSite=Strict,
  // but the Origin check above is what refuses it); JSON or an upload's bytes only.
  const char* type = req.method == "PUT" ? "application/octet-stream" : "application/json";
  if (change && has_body && req.get_header_value("Content-Type").rfind(type, 0) != 0) {
    web::RespondError(res, Status::InvalidArgument(std::string("a ") + req.method +
                                                            " body must be " + type));
    return R::Handled;
  }
  return R::Unhandled;
}

void WebServer::Impl::RegisterPages() {
  server.Get("/sign-in", [this](const httplib::Request& req, httplib::Response& res) {
    Status q = http::CheckQuery(req, {"code"});
    Result<std::string> session = q.ok() ? sessions.Redeem(req.get_param_value("code"))
                                         : Result<std::string>(q);
    res.set_header("Cache-Control", "no-store");
    if (!session.ok()) {
      res.status = 401;
      res.set_content(kSpentLinkPage, "text/html; charset=utf-8");
      return;
    }
    res.status = 303;
    res.set_header("Location", "/");
    res.set_header("Set-Cookie",
                   web::SessionCookie(*session, sessions.limits().session_idle_ns / 1'000'000'000,
                                      /*secure=*/false));
  });
  server.Post("/v1/sign-out", [this](const httplib::Request& req, httplib::Response& res) {
    sessions.End(web::CookieValue(req, web::kSessionCookie));
    res.set_header("Set-Cookie", web::SessionCookie("", 0, /*secure=*/false));
    http::Respond(res, nlohmann::json{{"ok", true}});
  });
  server.Get("/v1/health", [](const httplib::Request&, httplib::Response& res) {
    http::Respond(res, nlohmann::json{{"ok", true}, {"server", "drive"}});
  });
}

WebServer::WebServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebServer::~WebServer() { Stop(); }

Result<std::unique_ptr<WebServer>> WebServer::Start(DriveService* drive,
                                                    WebServerOptions options) {
  REEL_ASSIGN_OR_RETURN(ListenAddress where, ParseListenAddress(options.listen));
  if (!IsLoopbackHost(where.host)) {
    return Status::InvalidArgument(
        "the web app of a drive listens on loopback only (127.0.0.1, ::1 or localhost), not " +
        where.host + ": reach it from another machine through an SSH tunnel");
  }
  auto impl = std::make_unique<Impl>();
  impl->uploads = web_internal::MakeUploads(drive);
  impl->ctx = WebContext{drive, options.workspace,
                         options.user.empty() ? web_internal::UserNameOf(::getuid()) : options.user,
                         &impl->event_waiters, impl->uploads.get(), &impl->thumbnails};
  REEL_ASSIGN_OR_RETURN(web::AppFiles files, web::LoadAppFiles(options.assets_dir));

  httplib::Server& server = impl->server;
  // A connection holds a thread while it is open (2 s after its last request); a browser opens
  // up to 6 per site, and a playing video keeps one streaming.
  server.new_task_queue = [] { return new httplib::ThreadPool(32); };
  server.set_keep_alive_timeout(2);
  // httplib writes a response's head and body apart: without this the body of a small answer
  // waits for the browser's delayed ACK (40 ms a call, seen on /v1/workspaces).
  server.set_tcp_nodelay(true);
  server.set_socket_options([](socket_t sock) {
    ::fcntl(sock, F_SETFD, FD_CLOEXEC);
    int one = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  });
  web::UseAppPolicy(server);
  http::UseJsonErrors(server, kMaxBodyBytes);
  Impl* raw = impl.get();
  server.set_pre_routing_handler(
      [raw](const httplib::Request& req, httplib::Response& res) { return raw->Admit(req, res); });
  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::debug("web: {} {} -> {}", req.method, req.path, res.status);  // no query: codes
  });
  raw->RegisterPages();
  web::ServeAppFiles(server, std::make_shared<const web::AppFiles>(std::move(files)));
  web_internal::RegisterDriveRoutes(server, raw->ctx);
  web_internal::RegisterContentRoute(server, raw->ctx);
  web_internal::RegisterChangeRoutes(server, raw->ctx);
  web_internal::RegisterUploadRoutes(server, raw->ctx);
  web_internal::RegisterTierRoutes(server, raw->ctx);

  const std::string bind_host = where.host == "localhost" ? "127.0.0.1" : where.host;
  int port = where.port;
  if (port == 0) {
    port = server.bind_to_any_port(bind_host);
    if (port < 0) return Status::FromErrno(errno != 0 ? errno : EADDRNOTAVAIL, "listen on " + options.listen);
  } else if (!server.bind_to_port(bind_host, port)) {
    return Status::FromErrno(errno != 0 ? errno : EADDRINUSE, "listen on " + options.listen);
  }
  const std::string shown_host =
      bind_host.find(':') != std::string::npos ? "[" + bind_host + "]" : bind_host;
  const std::string p = ":" + std::to_string(port);
  raw->origin = "http://" + shown_host + p;
  raw->hosts = {shown_host + p, "localhost" + p};
  // Before any request thread runs: this also makes spdlog's registry, whose first use from
  // two request threads at once would be a race.
  spdlog::info("web app listening on {}", raw->origin);
  REEL_RETURN_IF_ERROR(http::ServeInBackground(server, raw->thread));
  raw->running = true;
  return std::unique_ptr<WebServer>(new WebServer(std::move(impl)));
}

const std::string& WebServer::origin() const { return impl_->origin; }

std::string WebServer::NewSignInLink() {
  return impl_->origin + "/sign-in?code=" + impl_->sessions.NewSignInCode();
}

void WebServer::Stop() {
  if (!impl_ || !impl_->running) return;
  impl_->event_waiters.Stop();  // waiting reads answer now, so the stop does not wait them out
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->running = false;
}

}  // namespace reel
