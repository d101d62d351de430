#include "server/team_maintenance.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_set>

#include "catalog/catalog.h"
#include "common/clock.h"
#include "common/hex.h"
#include "common/secure_random.h"
#include "team/team_directory.h"
#include "tiers/shared_tier_gc.h"

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
  REEL_RETURN_IF_ERROR(CollectChunks(*token, now, &report));
  if (report.trash_purged > 0 || report.events_trimmed > 0 || report.chunks_deleted > 0 ||
      report.orphan_packs_deleted > 0) {
    spdlog::info(
        "maintenance (lease token {}): purged {} trash entries, trimmed {} events, collected {} "
        "chunks ({} bytes) and {} orphan packs ({} bytes)",
        report.token, report.trash_purged, report.events_trimmed, report.chunks_deleted,
        report.chunk_bytes_deleted, report.orphan_packs_deleted,
        report.orphan_pack_bytes_deleted);
  }
  return report;
}

Status TeamMaintenance::CollectChunks(uint64_t token, TimeNs now, MaintenanceReport* report) {
  if (options_.stores.empty()) return Status::Ok();
  std::vector<TierStore> tiers;
  for (const auto& [bit, store] : options_.stores) tiers.emplace_back(bit, store.get());
  Catalog& catalog = team_->catalog();
  const TimeNs cutoff = now - options_.gc_grace.count() * kNsPerSecond;
  // Small batches: a commit naming a marked chunk waits (retrying) until its batch is done.
  // The marks a collector left (it died mid-way) come first, then new ones, a batch at a time.
  constexpr size_t kBatch = 100;
  std::unordered_set<ChunkId, ChunkIdHash> done;
  for (;;) {
    REEL_ASSIGN_OR_RETURN(std::vector<ChunkRecord> marked, team_->ListCollectingChunks(kBatch));
    if (marked.empty()) {
      REEL_ASSIGN_OR_RETURN(uint64_t n, team_->MarkChunksCollecting(cutoff, token, kBatch));
      if (n == 0) break;
      continue;
    }
    for (const ChunkRecord& rec : marked) {
      if (!done.insert(rec.id).second) {
        return Status::Internal("the record of collected chunk " + rec.id.Hex() + " stays");
      }
      REEL_RETURN_IF_ERROR(DeleteSharedCopies(rec.id, &catalog, tiers)
                               .WithContext("collect chunk " + rec.id.Hex()));
      REEL_RETURN_IF_ERROR(team_->DeleteCollectedChunk(rec.id));
      ++report->chunks_deleted;
      report->chunk_bytes_deleted += rec.size;
    }
  }
  OrphanPackReport packs;
  for (const auto& [bit, store] : tiers) {
    REEL_RETURN_IF_ERROR(
        CollectOrphanPacksOn(*store, bit, catalog, now - kOrphanPackMinAgeNs, nullptr, &packs));
  }
  report->orphan_packs_deleted = packs.packs_deleted;
  report->orphan_pack_bytes_deleted = packs.bytes_deleted;
  return Status::Ok();
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
