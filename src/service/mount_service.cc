#include "service/mount_service.h"

#include <unistd.h>

#include <memory>
#include <mutex>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "api/api_server.h"
#include "drive/catalog_backup.h"
#include "drive/drive.h"
#include "drive/drive_metrics.h"
#include "engine/engine.h"
#include "fuse/fuse_mount.h"
#include "fuse/fusermount.h"
#include "metrics/metrics.h"
#include "service/drive_service.h"
#include "web/web_front.h"
#include "web/web_server.h"

namespace reel {
namespace {

// The mount's web app (`reel web`): started by the first request for a sign-in link, stopped
// with the mount.
class MountWeb {
 public:
  MountWeb(DriveService* drive, std::string workspace)
      : drive_(drive), workspace_(std::move(workspace)) {}

  Result<WebLink> Link(const std::string& listen) {
    std::lock_guard<std::mutex> lock(mu_);
    if (server_ == nullptr) {
      WebServerOptions o;
      if (!listen.empty()) o.listen = listen;
      o.assets_dir = web::FindWebAssets();
      o.workspace = workspace_;
      REEL_ASSIGN_OR_RETURN(server_, WebServer::Start(drive_, o));
      app_built_ = !o.assets_dir.empty();
      listen_ = o.listen;
    } else if (!listen.empty() && listen != listen_) {
      return Status::AlreadyExists("this mount's web app already runs at " + server_->origin() +
                                   " (unmount to move it)");
    }
    return WebLink{server_->NewSignInLink(), server_->origin(), app_built_};
  }

  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    server_.reset();
  }

 private:
  DriveService* drive_;
  std::string workspace_;
  std::mutex mu_;  // guards server_, listen_ and app_built_
  std::unique_ptr<WebServer> server_;
  std::string listen_;
  bool app_built_ = false;
};

}  // namespace

Status ServeMount(const Manifest& m, const MountServeOptions& a, MountRegistry& registry,
                  const std::function<void()>& on_ready) {
  const std::string& mountpoint = a.mountpoint;
  REEL_ASSIGN_OR_RETURN(DriveLock lock, DriveLock::Acquire(m.dir));
  REEL_ASSIGN_OR_RETURN(OpenedDrive drive, OpenDrive(m, lock));
  Engine* engine = drive.engine.get();
  // Declared before the mount and the endpoint: both use it until they are gone.
  Metrics metrics;
  std::unique_ptr<MetricsEndpoint> metrics_endpoint;

  MountOptions mo;
  mo.mountpoint = mountpoint;
  mo.allow_other = a.allow_other;
  mo.read_only = drive.read_only;
  mo.attr_timeout = m.metadata_ms / 1000.0;
  // With the writeback cache the kernel trusts its own size and times of a file it holds: only
  // the change feed (which has it let the file go) brings another machine's new versions then.
  mo.writeback_cache = !m.IsTeam() || m.team_follow_changes;
  mo.debug = a.debug;
  if (!a.metrics.empty()) mo.metrics = &metrics;
  auto mounted = FuseMount::Mount(engine, mo);
  if (!mounted.ok()) {
    Status shut = engine->Shutdown();
    if (!shut.ok()) spdlog::error("shutdown: {}", shut.ToString());
    return mounted.status().WithContext("mount " + mountpoint);
  }
  std::unique_ptr<FuseMount> fuse = std::move(mounted).value();
  FuseMount* fuse_ptr = fuse.get();

  ApiServerOptions so;
  so.info.drive_id = m.id;
  so.info.drive_name = m.name;
  so.info.drive_dir = m.dir;
  so.info.mountpoint = mountpoint;
  so.info.version = a.version;
  // POST /v1/unmount: a real (not lazy) unmount, so a busy mount is refused with a clear error;
  // once the kernel has let go, Run() returns and the teardown below commits and exits.
  so.on_unmount = [mountpoint, fuse_ptr]() -> Status {
    REEL_RETURN_IF_ERROR(FusermountUnmount(mountpoint));
    fuse_ptr->RequestExit();
    return Status::Ok();
  };
  DriveServiceParts parts;
  parts.engine = engine;
  parts.placement = drive.placement.get();
  parts.transfers = drive.transfers.get();
  if (CatalogBackups* backups = drive.backups.get(); backups != nullptr) {
    parts.backup_catalog = [backups]() -> Result<nlohmann::json> {
      REEL_ASSIGN_OR_RETURN(CatalogBackupInfo info, backups->BackupNow());
      return CatalogBackupJson(info);
    };
  }
  DriveService service(std::move(parts));
  MountWeb web(&service, m.IsTeam() ? m.team_workspace : m.name);
  so.on_web = [&web](const std::string& listen) { return web.Link(listen); };
  ApiServer api(&service, so);
  Status s = api.Start(registry.SocketPathFor(::getpid()));
  if (s.ok() && !a.metrics.empty()) {
    AddDriveCollectors(metrics, drive);
    auto endpoint = MetricsEndpoint::Start(a.metrics, &metrics);
    if (endpoint.ok()) {
      metrics_endpoint = std::move(endpoint).value();
    } else {
      s = endpoint.status();
    }
  }
  if (s.ok()) {
    MountRecord record;
    record.mountpoint = mountpoint;
    record.socket_path = api.socket_path();
    record.pid = ::getpid();
    record.drive_dir = m.dir;
    record.drive_id = m.id;
    auto start = ProcessStartTime(::getpid());
    record.start_time = start.ok() ? *start : 0;
    s = registry.Register(record);
  }
  if (s.ok()) {
    spdlog::info("mounted drive '{}' ({}) at {}", m.name, m.dir, mountpoint);
    on_ready();
    s = fuse->Run();
  }

  // Teardown, whatever happened: no new API clients, finish commits, then let go of the mount.
  Status unreg = registry.Unregister(::getpid());
  if (!unreg.ok()) spdlog::warn("{}", unreg.ToString());
  api.Stop();
  web.Stop();  // its requests read the drive, closed below
  metrics_endpoint.reset();  // its scrapes read the drive, closed below
  Status shut = engine->Shutdown();
  if (!shut.ok()) spdlog::error("shutdown: {}", shut.ToString());
  fuse.reset();  // unmounts if still mounted
  drive.Close();  // stops placement and transfers, then closes the engine
  spdlog::info("unmounted {}", mountpoint);
  if (!s.ok()) return s;
  return shut;
}

}  // namespace reel
