// ApiServer: the local HTTP/JSON control API of a mount (`reel save`, `reel versions`, ...): a
// front end of the drive's service (service/drive_service.h) that parses requests and writes
// answers; what a request does is the service's.
//
// Transport: HTTP/1.1 over a unix-domain socket (cpp-httplib with AF_UNIX), in the user's private
// runtime directory (see runtime_dir.h); the socket itself is mode 0600. Nothing listens on a
// network interface, and no token is needed: only the owning user can connect.
//
// Endpoints (all JSON; errors are {"error":{"code":"not_found","message":"..."}} with the HTTP
// status from ToHttpStatus). Paths are relative to the drive root ("" = root) and validated;
// paths under ".reel" are rejected.
//   GET  /v1/info                          MountInfo
//   POST /v1/save {path, message?}         VersionInfo of the new version / checkpoint
//   GET  /v1/versions?path=P               {"path":P, "versions":[VersionInfo...]}
//   POST /v1/restore {path, version}       VersionInfo of the new version
//   GET  /v1/status?path=P                 FileStatus
//   GET  /v1/trash                         {"entries":[TrashEntry...]}
//   POST /v1/trash/restore {id, path?}     TrashRestoreResult
//   POST /v1/gc                            GcReport
//   POST /v1/fsck                          FsckReport (200 even when it found problems; see "ok")
//   POST /v1/sync                          {"ok":true} once every queued commit has finished
//   GET  /v1/counters                      EngineCounters
//   POST /v1/web {listen?}                 {"url","origin","app"}: a one-time sign-in link to the
//                                          drive's web app, started on first call (loopback)
//   POST /v1/unmount                       {"ok":true} once the mount agreed to exit (error, e.g.
//                                          busy, if it refused); the caller waits for the process
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "api/json_types.h"
#include "common/status.h"

namespace reel {

class DriveService;

// A sign-in link to a mount's web app (POST /v1/web).
struct WebLink {
  std::string url;         // signs a browser in once
  std::string origin;      // where the app is
  bool app_built = false;  // false: the API alone (the app's files were not found)
};

struct ApiServerOptions {
  MountInfo info;                   // returned by /v1/info (pid and socket_path are filled in)
  // Called (on a server thread) by POST /v1/unmount: unmounts and makes the mount exit, or says
  // why not (Busy when files are open). Unset: NotSupported.
  std::function<Status()> on_unmount;
  // Called by POST /v1/web with the requested address ("" for the default): starts the web app
  // if it is not running and makes a sign-in link. Unset: NotSupported.
  std::function<Result<WebLink>(const std::string& listen)> on_web;
  unsigned threads = 4;              // request worker threads
};

class ApiServer {
 public:
  // Answers from `drive` (what each route asks of the drive), which must outlive the server.
  ApiServer(DriveService* drive, ApiServerOptions options);
  ~ApiServer();  // Stop()
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Listens on `socket_path` (its directory must pass CheckPrivateDir) and serves requests on
  // background threads; returns once the server accepts connections. A stale socket file is
  // replaced; AlreadyExists if a server answers there.
  [[nodiscard]] Status Start(const std::string& socket_path);
  // Stops accepting, finishes requests in flight, removes the socket file. Idempotent.
  void Stop();

  const std::string& socket_path() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace reel
