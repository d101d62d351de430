#include "web/web_server.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "catalog_rpc/event_feed.h"
#include "common/error_mapping.h"
#include "common/fs_util.h"
#include "http/json_error.h"
#include "http/json_http.h"
#include "http/listen_address.h"
#include "web/web_internal.h"
#include "web/web_sessions.h"

namespace reel {
namespace {

using web_internal::WebContext;

constexpr char kCookie[] = "reel_session";
constexpr size_t kMaxAssetBytes = size_t{8} << 20;
constexpr size_t kMaxBodyBytes = size_t{9} << 20;  // an upload's piece is at most 8 MiB

// The app's policy: its own scripts, styles and media only; nothing inline, no frames.
constexpr char kAppPolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'";

struct Asset {
  std::string type;
  std::string bytes;
};

// The value of cookie `name` in the request's Cookie headers ("" if absent).
std::string CookieValue(const httplib::Request& req, const std::string& name) {
  const size_t n = req.get_header_value_count("Cookie");
  for (size_t i = 0; i < n; ++i) {
    std::istringstream in(req.get_header_value("Cookie", i));
    std::string part;
    while (std::getline(in, part, ';')) {
      size_t start = part.find_first_not_of(' ');
      if (start == std::string::npos) continue;
      part.erase(0, start);
      if (part.size() > name.size() && part.compare(0, name.size(), name) == 0 &&
          part[name.size()] == '=') {
        return part.substr(name.size() + 1);
      }
    }
  }
  return "";
}

// The top-level files of the built app, read once at start (a few hundred KiB).
Result<std::map<std::string, Asset>> LoadAssets(const std::string& dir) {
  std::map<std::string, Asset> assets;
  if (dir.empty()) return assets;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (!e.is_regular_file(ec) || e.file_size(ec) > kMaxAssetBytes) continue;
    REEL_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(e.path().string()));
    const std::string name = e.path().filename().string();
    assets[name] = Asset{web_internal::MediaTypeOf(name), std::move(bytes)};
  }
  if (ec) return Status::FromErrno(ec.value(), "read the web app's folder " + dir);
  return assets;
}

constexpr char kNotBuiltPage[] =
    "<!doctype html><title>ReelDrive</title><h1>The web app was not built</h1>"
    "<p>Build it with <code>scripts/build.sh</code> on a machine with Node.js and npm (the API "
    "under /v1/ works without it).</p>";

constexpr char kSpentLinkPage[] =
    "<!doctype html><title>ReelDrive: sign-in link not valid</title>"
    "<h1>This sign-in link is not valid</h1><p>A link signs in once, within an hour of being "
    "made. Run <code>reel web PATH</code> on the drive's machine for a new one.</p>";

}  // namespace

namespace web_internal {

void RespondError(httplib::Response& res, const Status& s) {
  res.status = ToHttpStatus(s.code());
  res.set_header("Cache-Control", "no-store");
  res.set_content(DumpJson(ErrorJson(s)), "application/json");
}

}  // namespace web_internal

struct WebServer::Impl {
  WebContext ctx;
  // At most 8 reads of the feed wait at once (a tab each), of the 32 threads.
  EventWaiters event_waiters{8};
  std::shared_ptr<web_internal::Uploads> uploads;
  WebSessions sessions{WallClockNs};
  std::map<std::string, Asset> assets;
  std::set<std::string> hosts;  // the Host headers it answers: its address, with its port
  std::string origin;
  httplib::Server server;
  std::thread thread;
  bool running = false;

  // The checks every request passes before its route (httplib's pre-routing handler).
  httplib::Server::HandlerResponse Admit(const httplib::Request& req, httplib::Response& res);
  void RegisterPages();
};

namespace {

// httplib answers a client that accepts "br" with Brotli at its slowest quality: 370 ms for the
// 250 KB of JSON of a 1,000-entry folder page, where gzip takes 2 ms for twice the bytes. A
// browser always accepts both, so "br" is taken out of its list and it gets gzip. (The request
// object is httplib's own, not const where it lives.)
void PreferGzip(const httplib::Request& req) {
  auto& headers = const_cast<httplib::Request&>(req).headers;
  auto it = headers.find("Accept-Encoding");
  if (it == headers.end()) return;
  std::string kept;
  std::istringstream in(it->second);
  std::string part;
  while (std::getline(in, part, ',')) {
    const size_t start = part.find_first_not_of(' ');
    if (start == std::string::npos || part.compare(start, 2, "br") == 0) continue;
    kept += (kept.empty() ? "" : ", ") + part.substr(start);
  }
  it->second = kept;
}

}  // namespace

httplib::Server::HandlerResponse WebServer::Impl::Admit(const httplib::Request& req,
                                                        httplib::Response& res) {
  using R = httplib::Server::HandlerResponse;
  PreferGzip(req);
  const std::string host = req.get_header_value("Host");
  if (hosts.count(host) == 0) {
    web_internal::RespondError(res, Status::PermissionDenied("this server answers requests for " + origin + " only"));
    return R::Handled;
  }
  const bool change = req.method != "GET" && req.method != "HEAD";
  if (change && req.get_header_value("Origin") != "http://" + host) {
    web_internal::RespondError(res, Status::PermissionDenied("a change must come from the web app's own page (" +
                                       origin + "): cross-origin request refused"));
    return R::Handled;
  }
  if (req.path.rfind("/v1/", 0) != 0 || req.path == "/v1/health") return R::Unhandled;
  Status signed_in = sessions.Check(CookieValue(req, kCookie));
  if (!signed_in.ok()) {
    web_internal::RespondError(res, signed_in);
    return R::Handled;
  }
  // (The body is not read yet: its length says whether there is one.)
  const std::string length = req.get_header_value("Content-Length");
  const bool has_body = req.has_header("Transfer-Encoding") || (!length.empty() && length != "0");
  // A page of another site can post a form (and its cookie is not sent with SameSite=Strict,
  // but the Origin check above is what refuses it); JSON or an upload's bytes only.
  const char* type = req.method == "PUT" ? "application/octet-stream" : "application/json";
  if (change && has_body && req.get_header_value("Content-Type").rfind(type, 0) != 0) {
    web_internal::RespondError(res, Status::InvalidArgument(std::string("a ") + req.method +
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
    res.set_header("Set-Cookie", std::string(kCookie) + "=" + *session +
                                     "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                                     std::to_string(sessions.limits().session_idle_ns /
                                                    1'000'000'000));
  });
  server.Post("/v1/sign-out", [this](const httplib::Request& req, httplib::Response& res) {
    sessions.End(CookieValue(req, kCookie));
    res.set_header("Set-Cookie",
                   std::string(kCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    http::Respond(res, nlohmann::json{{"ok", true}});
  });
  server.Get("/v1/health", [](const httplib::Request&, httplib::Response& res) {
    http::Respond(res, nlohmann::json{{"ok", true}});
  });
  // The app's files; `/` is its page.
  server.Get(R"(/([A-Za-z0-9_.-]*))", [this](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[1];
    if (name.empty()) name = "index.html";
    auto it = assets.find(name);
    if (it == assets.end()) {
      if (name == "index.html") {
        res.set_content(kNotBuiltPage, "text/html; charset=utf-8");
        return;
      }
      web_internal::RespondError(res, Status::NotFound("no such page: /" + name));
      return;
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_content(it->second.bytes, it->second.type);
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
                         &impl->event_waiters, impl->uploads.get()};
  REEL_ASSIGN_OR_RETURN(impl->assets, LoadAssets(options.assets_dir));
  if (impl->assets.count("index.html") == 0) impl->assets.clear();

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
  server.set_default_headers({{"Content-Security-Policy", kAppPolicy},
                              {"X-Content-Type-Options", "nosniff"},
                              {"X-Frame-Options", "DENY"},
                              {"Referrer-Policy", "no-referrer"},
                              {"Cross-Origin-Opener-Policy", "same-origin"}});
  http::UseJsonErrors(server, kMaxBodyBytes);
  Impl* raw = impl.get();
  server.set_pre_routing_handler(
      [raw](const httplib::Request& req, httplib::Response& res) { return raw->Admit(req, res); });
  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::debug("web: {} {} -> {}", req.method, req.path, res.status);  // no query: codes
  });
  raw->RegisterPages();
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

std::string FindWebAssets() {
  namespace fs = std::filesystem;
  auto has_app = [](const fs::path& dir) {
    std::error_code ec;
    return !dir.empty() && fs::is_regular_file(dir / "index.html", ec);
  };
  if (const char* env = ::getenv("REEL_WEB_DIR"); env != nullptr && *env != '\0') {
    return has_app(env) ? std::string(env) : "";
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "reel" / "web";
    if (has_app(installed)) return installed.string();
  }
#ifdef REEL_WEB_BUILD_DIR
  if (has_app(REEL_WEB_BUILD_DIR)) return REEL_WEB_BUILD_DIR;
#endif
  return "";
}

}  // namespace reel
