#include "server/team_maintenance.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "catalog/catalog.h"
#include "common/clock.h"
#include "common/hex.h"
#include "common/secure_random.h"
#include "team/team_directory.h"

namespace reel {

namespace {

constexpr TimeNs kNsPerSecond = 1'000'000'000;

TeamMaintenanceOptions Completed(TeamMaintenanceOptions o) {
  if (o.holder.empty()) o.holder = "server-" + ToHex(SecureRandomBytes(8));
  if (o.lease_ttl.count() <= 0) o.lease_ttl = std::max(o.interval, std::chrono::seconds(60));
  if (!o.clock) o.clock = [] { return WallClockNs(); };
  return o;
}

}  // namespace

TeamMaintenance::TeamMaintenance(TeamDirectory* team, TeamMaintenanceOptions options)
    : team_(team), options_(Completed(std::move(options))) {}

std::unique_ptr<TeamMaintenance> TeamMaintenance::Start(TeamDirectory* team,
                                                        TeamMaintenanceOptions options) {
  std::unique_ptr<TeamMaintenance> m(new TeamMaintenance(team, std::move(options)));
  if (m->options_.interval.count() > 0) m->thread_ = std::thread([raw = m.get()] { raw->Run(); });
  return m;
}

TeamMaintenance::~TeamMaintenance() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (Status s = team_->ReleaseLease(kMaintenanceLease, options_.holder); !s.ok()) {
    spdlog::warn("maintenance: could not release the lease: {}", s.ToString());
  }
}

Result<MaintenanceReport> TeamMaintenance::RunOnce() {
  MaintenanceReport report;
  const TimeNs now = options_.clock();
  REEL_ASSIGN_OR_RETURN(
      std::optional<uint64_t> token,
      team_->TakeLease(kMaintenanceLease, options_.holder,
                       options_.lease_ttl.count() * kNsPerSecond, now));
  if (!token) return report;
  report.ran = true;
  report.token = *token;
  const TimeNs cutoff = now - options_.trash_retention.count() * kNsPerSecond;
  REEL_ASSIGN_OR_RETURN(report.trash_purged, team_->catalog().PurgeTrash(cutoff, {}, now));
  REEL_ASSIGN_OR_RETURN(report.events_trimmed, team_->catalog().TrimEvents(cutoff));
  if (report.trash_purged > 0 || report.events_trimmed > 0) {
    spdlog::info("maintenance (lease token {}): purged {} trash entries, trimmed {} events",
                 report.token, report.trash_purged, report.events_trimmed);
  }
  return report;
}

void TeamMaintenance::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, options_.interval, [&] { return stopping_; })) {
    lock.unlock();
    Result<MaintenanceReport> done = RunOnce();
    if (!done.ok()) spdlog::warn("maintenance: {} (tried again next time)", done.status().ToString());
    lock.lock();
  }
}

}  // namespace reel
