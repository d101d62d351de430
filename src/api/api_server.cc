#include "api/api_server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include <spdlog/spdlog.h>

#include "api/mount_registry.h"
#include "api/routes.h"
#include "api/runtime_dir.h"
#include "common/error_mapping.h"
#include "common/fs_util.h"
#include "service/drive_paths.h"

namespace reel {

namespace api_internal {
namespace {

httplib::Server::Handler Wrap(JsonHandler handler) {
  return [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    http::Respond(res, http::RunHandler(handler, req));
  };
}

}  // namespace

void Get(httplib::Server& server, const std::string& pattern, JsonHandler handler) {
  server.Get(pattern, Wrap(std::move(handler)));
}

void Post(httplib::Server& server, const std::string& pattern, JsonHandler handler) {
  server.Post(pattern, Wrap(std::move(handler)));
}

Result<std::string> PathQuery(const httplib::Request& req) {
  REEL_RETURN_IF_ERROR(CheckQuery(req, {"path"}));
  if (!req.has_param("path")) return Status::InvalidArgument("missing query parameter 'path'");
  return req.get_param_value("path");
}

std::string EchoedPath(const std::string& raw) {
  Result<std::string> valid = ValidateDrivePath(raw);
  return valid.ok() ? *valid : raw;
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

ApiServer::ApiServer(DriveService* drive, ApiServerOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->ctx.drive = drive;
  impl_->ctx.info = std::move(options.info);
  impl_->ctx.info.pid = ::getpid();
  impl_->ctx.on_unmount = std::move(options.on_unmount);
  impl_->ctx.on_web = std::move(options.on_web);
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
