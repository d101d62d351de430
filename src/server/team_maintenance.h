// TeamMaintenance: the team's once-only background work, done by whichever server holds the
// lease "maintenance" (TeamDirectory::TakeLease), never by assuming one server. At each run a
// server takes or renews the lease for `lease_ttl`; the one that holds it purges the trash past
// its retention on the team's catalog (the entries, their inodes, versions and xattrs; their
// chunks lose their references), and the others find the lease held and do nothing. A server
// that stops releases the lease, so another takes over at its next run; one that dies holds it
// until it runs out. Times come from the server's clock.
//
// Not known here: a trashed file still open on an instance when its entry ages out (the
// retention, 30 days by default, is what protects it), and the collection of chunks and packs,
// which needs the instances' in-flight commits fenced first.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "catalog/types.h"
#include "common/status.h"

namespace reel {

class TeamDirectory;

inline constexpr const char* kMaintenanceLease = "maintenance";

struct TeamMaintenanceOptions {
  // Between runs; 0: no thread, RunOnce() only.
  std::chrono::seconds interval{3600};
  // How long a run's lease lasts (0: the interval, at least a minute).
  std::chrono::seconds lease_ttl{0};
  // Trash entries deleted longer ago than this are purged.
  std::chrono::seconds trash_retention{30 * 24 * 3600};
  std::string holder;              // this server; "" makes a random one
  std::function<TimeNs()> clock;   // unset: the wall clock
};

struct MaintenanceReport {
  bool ran = false;         // false: another server holds the lease
  uint64_t token = 0;       // the lease's fencing token when it ran
  uint64_t trash_purged = 0;
  uint64_t events_trimmed = 0;  // the change feed is kept as long as the trash
};

class TeamMaintenance {
 public:
  // Runs every options.interval on a thread of its own (first after one interval). `team` must
  // outlive it.
  [[nodiscard]] static std::unique_ptr<TeamMaintenance> Start(TeamDirectory* team,
                                                              TeamMaintenanceOptions options);
  ~TeamMaintenance();  // stops the thread and releases the lease
  TeamMaintenance(const TeamMaintenance&) = delete;
  TeamMaintenance& operator=(const TeamMaintenance&) = delete;

  // One run now: takes or renews the lease, then does the work if it holds it.
  [[nodiscard]] Result<MaintenanceReport> RunOnce();
  const std::string& holder() const { return options_.holder; }

 private:
  TeamMaintenance(TeamDirectory* team, TeamMaintenanceOptions options);
  void Run();

  TeamDirectory* const team_;
  const TeamMaintenanceOptions options_;
  std::mutex mu_;  // guards stopping_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace reel
