#include "api/api_server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "api/mount_registry.h"
#include "api/path_errors.h"
#include "api/routes.h"
#include "api/runtime_dir.h"
#include "common/error_mapping.h"
#include "common/fs_util.h"
#include "engine/engine.h"

namespace reel {

namespace api_internal {
namespace {

constexpr size_t kMaxPathBytes = 4096;

// The path a request names (query parameter or body field "path"), if any.
std::optional<std::string> RequestPath(const httplib::Request& req) {
  if (req.has_param("path")) return req.get_param_value("path");
  nlohmann::json body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return std::nullopt;
  auto it = body.find("path");
  if (it == body.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

httplib::Server::Handler Wrap(JsonHandler handler) {
  return [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    Result<nlohmann::json> result = http::RunHandler(handler, req);
    // The engine names inodes; the user named a path.
    if (!result.ok()) {
      if (auto path = RequestPath(req)) result = NameThePath(result.status(), *path);
    }
    http::Respond(res, result);
  };
}

}  // namespace

void Get(httplib::Server& server, const std::string& pattern, JsonHandler handler) {
  server.Get(pattern, Wrap(std::move(handler)));
}

void Post(httplib::Server& server, const std::string& pattern, JsonHandler handler) {
  server.Post(pattern, Wrap(std::move(handler)));
}

Result<std::string> ValidatePath(const std::string& raw) {
  if (raw.size() > kMaxPathBytes) return Status(Code::kNameTooLong, "path longer than 4096 bytes");
  if (raw.find('\0') != std::string::npos) return Status::InvalidArgument("path contains a NUL byte");
  return ValidateMountRelativePath(raw);
}

Result<std::string> PathQuery(const httplib::Request& req) {
  REEL_RETURN_IF_ERROR(CheckQuery(req, {"path"}));
  if (!req.has_param("path")) return Status::InvalidArgument("missing query parameter 'path'");
  return ValidatePath(req.get_param_value("path"));
}

Result<InodeId> ResolvePath(RouteContext& ctx, const std::string& path) {
  auto ino = ctx.engine->Resolve(path);
  if (ino.ok()) return ino;
  const std::string shown = ShownPath(path);
  switch (ino.status().code()) {
    case Code::kNotFound:
      return Status::NotFound(shown + ": no such file or directory in the drive (check the name " +
                              "with ls; deleted files are listed by `reel trash`)");
    case Code::kNotDirectory:
      return Status::NotDirectory(shown + ": a part of the path is a file, not a directory");
    default:
      return ino.status().WithContext(shown);
  }
}

}  // namespace api_internal

using api_internal::RouteContext;

struct ApiServer::Impl {
  // Reads of the change feed that wait hold a thread each: at most kWaitingReads of them, and
  // as many threads again for everything else.
  static constexpr size_t kWaitingReads = 8;
  RouteContext ctx;
  EventWaiters event_waiters{kWaitingReads};
  unsigned threads = 4 + kWaitingReads;
  httplib::Server server;
  std::thread thread;
  std::string socket_path;
  bool started = false;
};

namespace {

// Whether something accepts connections on the unix socket `path`.
bool SocketAnswers(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return false;
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return ::connect(fd.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) == 0;
}

}  // namespace

ApiServer::ApiServer(Engine* engine, ApiServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->ctx.engine = engine;
  impl_->ctx.info = std::move(options.info);
  impl_->ctx.info.pid = ::getpid();
  impl_->ctx.on_unmount = std::move(options.on_unmount);
  impl_->ctx.placement = options.placement;
  impl_->ctx.backup_catalog = std::move(options.backup_catalog);
  impl_->ctx.transfers = options.transfers;
  impl_->ctx.event_waiters = &impl_->event_waiters;
  impl_->threads = options.threads == 0 ? 1 : options.threads;
}

ApiServer::~ApiServer() { Stop(); }

const std::string& ApiServer::socket_path() const { return impl_->socket_path; }

Status ApiServer::Start(const std::string& socket_path) {
  if (impl_->started) return Status::Internal("API server already started");
  if (socket_path.empty() || socket_path[0] != '/') {
    return Status::InvalidArgument("API socket path must be absolute: '" + socket_path + "'");
  }
  if (socket_path.size() >= sizeof(sockaddr_un::sun_path)) {
    return Status(Code::kNameTooLong, "API socket path " + socket_path + " is longer than " +
                                          std::to_string(sizeof(sockaddr_un::sun_path) - 1) +
                                          " bytes");
  }
  REEL_RETURN_IF_ERROR(CheckPrivateDir(DirName(socket_path)));
  struct stat st;
  if (::lstat(socket_path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      return Status::AlreadyExists(socket_path + " exists and is not a socket");
    }
    if (SocketAnswers(socket_path)) {
      return Status::AlreadyExists("another server is already listening on " + socket_path);
    }
    ::unlink(socket_path.c_str());  // stale socket of a dead process
  }

  httplib::Server& server = impl_->server;
  RouteContext& ctx = impl_->ctx;
  ctx.info.socket_path = socket_path;
  unsigned threads = impl_->threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_address_family(AF_UNIX);
  server.set_socket_options([](socket_t sock) { ::fcntl(sock, F_SETFD, FD_CLOEXEC); });
  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::debug("api: {} {} -> {}", req.method, req.path, res.status);
  });
  http::UseJsonErrors(server, 1 << 20);
  api_internal::RegisterInfoRoutes(server, ctx);
  api_internal::RegisterVersionRoutes(server, ctx);
  api_internal::RegisterTrashRoutes(server, ctx);
  api_internal::RegisterEventRoutes(server, ctx);
  api_internal::RegisterMaintenanceRoutes(server, ctx);
  api_internal::RegisterPlacementRoutes(server, ctx);

  // The port is ignored for AF_UNIX (but 0 would make httplib ask the socket for its port).
  if (!server.bind_to_port(socket_path, 1)) {
    int err = errno;
    return Status::FromErrno(err != 0 ? err : EADDRNOTAVAIL, "listen on " + socket_path);
  }
  if (::chmod(socket_path.c_str(), 0600) != 0) {
    Status s = Status::FromErrno(errno, "chmod " + socket_path);
    ::unlink(socket_path.c_str());
    return s;
  }
  impl_->socket_path = socket_path;
  impl_->started = true;
  if (Status s = http::ServeInBackground(server, impl_->thread); !s.ok()) {
    Stop();
    return s.WithContext("API server");
  }
  spdlog::info("control API listening on {}", socket_path);
  return Status::Ok();
}

void ApiServer::Stop() {
  if (!impl_ || !impl_->started) return;
  impl_->started = false;
  impl_->event_waiters.Stop();
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  ::unlink(impl_->socket_path.c_str());
}

}  // namespace reel
