#include "service/team_service.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <tuple>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "catalog/catalog.h"
#include "common/fs_util.h"
#include "forward/event_forwarder.h"
#include "metrics/metrics.h"
#include "server/team_maintenance.h"
#include "server/team_server.h"
#include "store/object_store.h"
#include "web/web_front.h"

namespace reel {
namespace {

// The forwarders of the [[forward]] tables, started. A webhook's secret file must be kept from
// other users (no group or other permission bits).
Result<std::vector<std::unique_ptr<EventForwarder>>> StartForwarders(TeamDirectory* team,
                                                                     const ServerConfig& c) {
  std::vector<std::unique_ptr<EventForwarder>> out;
  for (const ForwardConfig& f : c.forwards) {
    ForwardTarget target{f.name, f.uri, ""};
    if (!f.secret_file.empty()) {
      struct stat st;
      if (::stat(f.secret_file.c_str(), &st) != 0) {
        return Status::FromErrno(errno, "[[forward]] " + f.name + " secret_file " + f.secret_file);
      }
      if ((st.st_mode & 077) != 0) {
        return Status::PermissionDenied("[[forward]] " + f.name + " secret_file " +
                                        f.secret_file + " is readable by others (chmod 600 it)");
      }
      REEL_ASSIGN_OR_RETURN(target.secret, ReadWholeFile(f.secret_file));
      while (!target.secret.empty() && (target.secret.back() == '\n' || target.secret.back() == '\r')) {
        target.secret.pop_back();
      }
      if (target.secret.size() < 16) {
        return Status::InvalidArgument("[[forward]] " + f.name +
                                       ": the secret in secret_file is shorter than 16 bytes");
      }
    }
    REEL_ASSIGN_OR_RETURN(
        std::unique_ptr<EventForwarder> forwarder,
        EventForwarder::Create(team, f.name, [target] { return OpenEventSink(target); }, {}));
    forwarder->Start();
    out.push_back(std::move(forwarder));
  }
  return out;
}

// The team-wide values of a server's /metrics: the feed's newest event, and each forwarder's
// cursor and lag (from the database: the same on every server), whether this server forwards it,
// and what it delivered.
void AddServerCollectors(Metrics& metrics, TeamDirectory* team,
                         const std::vector<std::unique_ptr<EventForwarder>>& forwarders) {
  metrics.AddCollector([team, &forwarders](std::vector<Sample>& out) {
    auto page = team->catalog().ReadEvents({.after = 0, .limit = 1, .scope = ""});
    if (!page.ok()) return;
    const double newest = static_cast<double>(page->newest);
    out.push_back(Sample{"reel_events_newest", "The newest event of the team's change feed", {},
                         newest, false});
    for (const auto& f : forwarders) {
      const std::vector<std::pair<std::string, std::string>> label = {{"forward", f->name()}};
      auto cursor = team->ForwardCursor(f->name());
      if (cursor.ok()) {
        out.push_back(Sample{"reel_forward_cursor", "The last event a forwarder delivered", label,
                             static_cast<double>(*cursor), false});
        out.push_back(Sample{"reel_forward_lag_events",
                             "Events of the feed a forwarder has not delivered yet", label,
                             newest - static_cast<double>(std::min<uint64_t>(*cursor, page->newest)),
                             false});
      }
      out.push_back(Sample{"reel_forward_holding",
                           "1 when this server holds the forwarder's lease (delivers)", label,
                           f->holding() ? 1.0 : 0.0, false});
      out.push_back(Sample{"reel_forward_delivered_events_total",
                           "Events this server delivered (repeats included)", label,
                           static_cast<double>(f->delivered()), true});
      out.push_back(Sample{"reel_forward_failures_total",
                           "Failed forwarding steps of this server (each retried)", label,
                           static_cast<double>(f->failures()), true});
    }
  });
}

}  // namespace

Result<std::unique_ptr<TeamDirectory>> OpenTeam(const ServerConfig& c) {
  auto team = TeamDirectory::Open(c.catalog_uri);
  if (!team.ok()) return team.status().WithContext("the team catalog of " + c.dir);
  return team;
}

// The pid in DIR/server.pid when that process is alive, else 0.
pid_t RunningServerPid(const std::string& dir) {
  auto text = ReadWholeFile(ServerPidPath(dir));
  if (!text.ok()) return 0;
  pid_t pid = static_cast<pid_t>(std::atol(text->c_str()));
  if (pid <= 1) return 0;
  return ::kill(pid, 0) == 0 || errno == EPERM ? pid : 0;
}


Status ServeTeam(const ServerConfig& c, const std::function<void()>& ready) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  if (pid_t other = RunningServerPid(c.dir); other != 0 && other != ::getpid()) {
    return Status::AlreadyExists("a server already runs from " + c.dir + " (pid " +
                                 std::to_string(other) + ")");
  }
  REEL_ASSIGN_OR_RETURN(std::unique_ptr<TeamDirectory> team, OpenTeam(c));
  TeamServerOptions o;
  o.listen = c.listen;
  o.threads = static_cast<unsigned>(c.threads);
  o.tls_cert = c.tls_cert;
  o.tls_key = c.tls_key;
  o.stores = {{"cloud", c.cloud_uri}, {"edge", c.edge_uri}};
  o.lock_lease = std::chrono::seconds(c.lock_lease_seconds);
  o.web_assets = web::FindWebAssets();
  if (o.web_assets.empty()) {
    spdlog::warn("the web app is not built (scripts/build.sh builds it): / says so, the API works");
  }
  // The change feed to the data platform, by whichever server holds each forwarder's lease.
  REEL_ASSIGN_OR_RETURN(std::vector<std::unique_ptr<EventForwarder>> forwarders,
                        StartForwarders(team.get(), c));
  o.on_commit = [&forwarders] {
    for (auto& f : forwarders) f->Notify();
  };
  Metrics metrics;  // outlives the server and the endpoint, which use it
  std::unique_ptr<MetricsEndpoint> metrics_endpoint;
  if (!c.metrics_listen.empty()) {
    o.metrics = &metrics;
    AddServerCollectors(metrics, team.get(), forwarders);
    REEL_ASSIGN_OR_RETURN(metrics_endpoint, MetricsEndpoint::Start(c.metrics_listen, &metrics));
  }
  REEL_ASSIGN_OR_RETURN(std::unique_ptr<TeamServer> server, TeamServer::Start(team.get(), o));
  // The team's once-only work, by whichever server holds its lease.
  std::unique_ptr<TeamMaintenance> maintenance;
  if (c.maintenance_interval_seconds > 0) {
    TeamMaintenanceOptions m;
    m.interval = std::chrono::seconds(c.maintenance_interval_seconds);
    m.trash_retention = std::chrono::seconds(c.trash_retention_days * 24 * 3600);
    m.gc_grace = std::chrono::seconds(c.gc_grace_seconds);
    for (const auto& [bit, tier, uri] : {std::tuple{kTierCloud, "cloud", c.cloud_uri},
                                         std::tuple{kTierEdge, "edge", c.edge_uri}}) {
      if (uri.empty()) continue;
      // The client the server signs with, when it has one: the stores are opened once.
      std::shared_ptr<ObjectStore> store = server->store(tier);
      if (!store) {
        REEL_ASSIGN_OR_RETURN(store, OpenObjectStore(uri));
      }
      m.stores.emplace_back(bit, std::move(store));
    }
    maintenance = TeamMaintenance::Start(team.get(), m);
  }
  REEL_RETURN_IF_ERROR(
      WriteFileAtomic(ServerPidPath(c.dir), std::to_string(::getpid()) + "\n", 0644));
  std::cout << server->url() << std::endl;
  ready();
  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("signal {}: stopping", sig);
  maintenance.reset();
  server->Stop();
  metrics_endpoint.reset();
  forwarders.clear();
  ::unlink(ServerPidPath(c.dir).c_str());
  return Status::Ok();
}


}  // namespace reel
