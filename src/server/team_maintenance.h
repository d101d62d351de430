// TeamMaintenance: the team's once-only background work, done by whichever server holds the
// lease "maintenance" (TeamDirectory::TakeLease), never by assuming one server. At each run a
// server takes or renews the lease for `lease_ttl`; the one that holds it purges the trash past
// its retention on the team's catalog (the entries, their inodes, versions and xattrs; their
// chunks lose their references), and the others find the lease held and do nothing. A server
// that stops releases the lease, so another takes over at its next run; one that dies holds it
// until it runs out. Times come from the server's clock.
//
// Then it collects the chunks unreferenced for longer than `gc_grace` from the team's stores, in
// batches: marks their records (the lease's fencing token; from then on no instance finds,
// references or records copies of them: pg_schema.cc, schema 14), deletes their objects (loose,
// and packs left with no member), then the records. Marks a collector left behind (it died)
// are finished first. An instance that found a chunk by its hash has restarted its grace
// (HasChunk), so the chunk stays for `gc_grace` after the find, whatever its age; a commit that
// names a marked chunk is refused and retried, and then records the chunk anew from the
// instance's own bytes. Last, packs on the stores older than an hour that no chunk names (an
// upload that died before it was recorded) are deleted.
//
// Not known here: a trashed file still open on an instance when its entry ages out (the
// retention, 30 days by default, is what protects it); a mount that found a chunk by its hash
// and then stopped for longer than `gc_grace` before committing (its commit names a chunk that
// may be gone). Loose chunk objects with no record (uploads of chunks collected meanwhile) are
// not looked for: an upload of the same chunk later may count on them.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "catalog/types.h"
#include "common/status.h"

namespace reel {

class ObjectStore;
class TeamDirectory;

inline constexpr const char* kMaintenanceLease = "maintenance";

struct TeamMaintenanceOptions {
  // Between runs; 0: no thread, RunOnce() only.
  std::chrono::seconds interval{3600};
  // How long a run's lease lasts (0: the interval, at least a minute).
  std::chrono::seconds lease_ttl{0};
  // Trash entries deleted longer ago than this are purged.
  std::chrono::seconds trash_retention{30 * 24 * 3600};
  // Chunks unreferenced for longer than this are collected from `stores`.
  std::chrono::seconds gc_grace{3600};
  // The team's stores by tier bit (kTierCloud, kTierEdge); none: chunks are not collected.
  std::vector<std::pair<TierMask, std::shared_ptr<ObjectStore>>> stores;
  std::string holder;              // this server; "" makes a random one
  std::function<TimeNs()> clock;   // unset: the wall clock
};

struct MaintenanceReport {
  bool ran = false;         // false: another server holds the lease
  uint64_t token = 0;       // the lease's fencing token when it ran
  uint64_t trash_purged = 0;
  uint64_t events_trimmed = 0;  // the change feed is kept as long as the trash
  uint64_t chunks_deleted = 0;
  uint64_t chunk_bytes_deleted = 0;
  uint64_t orphan_packs_deleted = 0;
  uint64_t orphan_pack_bytes_deleted = 0;
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
  // The chunks past the grace, and then the orphan packs, on options_.stores.
  [[nodiscard]] Status CollectChunks(uint64_t token, TimeNs now, MaintenanceReport* report);

  TeamDirectory* const team_;
  const TeamMaintenanceOptions options_;
  std::mutex mu_;  // guards stopping_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace reel
