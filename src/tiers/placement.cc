#include "common/clock.h"
#include "tiers/placement.h"

#include <chrono>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "catalog/catalog.h"
#include "machine/machine_state.h"
#include "tiers/publish_requests.h"
#include "tiers/tiered_store.h"
#include "tiers/transfer_engine.h"

namespace reel {
namespace {


constexpr auto kCheckInterval = std::chrono::seconds(1);

std::vector<ChunkId> Ids(const std::vector<ChunkRef>& refs) {
  std::vector<ChunkId> ids;
  ids.reserve(refs.size());
  for (const ChunkRef& r : refs) ids.push_back(r.id);
  return ids;
}

}  // namespace

Placement::Placement(Catalog* catalog, MachineState* machine, TieredStore* store,
                     TransferEngine* transfers, std::shared_ptr<PublishRequests> requests)
    : catalog_(catalog),
      machine_(machine),
      store_(store),
      transfers_(transfers),
      requests_(std::move(requests)) {}

Placement::~Placement() { Stop(); }

Status Placement::Start() {
  spdlog::default_logger_raw();  // before the checker thread logs (see TransferEngine::Start)
  REEL_RETURN_IF_ERROR(ReloadPinned());
  store_->cache().SetProtected([this](const ChunkId& id) {
    std::lock_guard lock(pinned_mu_);
    return pinned_chunks_.count(id) != 0;
  });
  transfers_->SetOnComplete([this](const Transfer& t) {
    if (t.request.kind != TransferKind::kUpload || t.request.tier != kTierCloud) return;
    std::lock_guard lock(mu_);
    check_wanted_ = true;
  });
  // Once the uploads have drained, a publish waiting for them is marked now, not at the next
  // tick (while a big publish's chunks are on their way, the checker keeps to its tick).
  transfers_->SetOnIdle([this] {
    std::lock_guard lock(mu_);
    if (check_wanted_) cv_.notify_all();
  });
  if (requests_) {
    requests_->SetWake([this] {
      std::lock_guard lock(mu_);
      check_wanted_ = true;
      cv_.notify_all();
    });
  }
  std::lock_guard lock(mu_);
  stop_ = false;
  checker_ = std::thread([this] { CheckerLoop(); });
  return Status::Ok();
}

void Placement::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (requests_) requests_->SetWake(nullptr);
  if (checker_.joinable()) checker_.join();
  transfers_->SetOnComplete(nullptr);
  transfers_->SetOnIdle(nullptr);
  store_->cache().SetProtected(nullptr);
}

void Placement::CheckerLoop() {
  uint64_t versions_seen = UINT64_MAX;  // the catalog's version count at the last reload
  bool adopt_pending = requests_ != nullptr;
  std::unique_lock lock(mu_);
  while (!stop_) {
    bool check = check_wanted_;
    check_wanted_ = false;
    lock.unlock();
    if (requests_) {
      TakePublishRequests(adopt_pending);
      adopt_pending = false;
    }
    if (check) {
      auto marked = CheckPublishes();
      if (!marked.ok()) spdlog::warn("publish check: {}", marked.status().ToString());
    }
    // New versions of pinned files bring new chunks to protect: reload the pinned set only when
    // the catalog's version count moved (one row read), not every pinned file every second. (A
    // new version and a purge in the same second can hide each other until the next change; the
    // new chunks stay local until uploaded anyway, and a chunk evicted early is fetched again.)
    // A machine with no pins asks the catalog nothing (a team mount's catalog is a server away).
    auto pins = machine_->ListPinned();
    if (pins.ok() && pins->empty()) {
      versions_seen = UINT64_MAX;  // a first pin reloads at the next tick
    } else if (auto stats = catalog_->Stats(); stats.ok() && stats->versions != versions_seen) {
      Status s = ReloadPinned();
      if (s.ok()) versions_seen = stats->versions;
      if (!s.ok()) spdlog::warn("pins: {}", s.ToString());
    }
    lock.lock();
    cv_.wait_for(lock, kCheckInterval, [&] { return stop_ || check_wanted_; });
  }
}

Result<std::vector<InodeId>> Placement::Files(InodeId ino) {
  REEL_ASSIGN_OR_RETURN(Attributes a, catalog_->GetAttributes(ino));
  if (a.type == FileType::kRegular) return std::vector<InodeId>{ino};
  std::vector<InodeId> out;
  if (a.type != FileType::kDirectory) return out;
  std::vector<InodeId> dirs{ino};
  while (!dirs.empty()) {
    InodeId dir = dirs.back();
    dirs.pop_back();
    uint64_t after = 0;
    while (true) {
      REEL_ASSIGN_OR_RETURN(auto entries, catalog_->ReadDir(dir, after, 1024));
      if (entries.empty()) break;
      for (const DirEntry& e : entries) {
        after = e.cookie;
        if (e.attr.type == FileType::kRegular) out.push_back(e.attr.ino);
        if (e.attr.type == FileType::kDirectory) dirs.push_back(e.attr.ino);
      }
    }
  }
  return out;
}

Result<std::vector<ChunkRef>> Placement::CurrentChunks(InodeId ino) {
  auto chunks = VersionChunks(ino, 0);
  if (!chunks.ok() && chunks.status().code() == Code::kNotFound) return std::vector<ChunkRef>{};
  return chunks;
}

Result<std::vector<ChunkRef>> Placement::VersionChunks(InodeId ino, uint64_t number) {
  REEL_ASSIGN_OR_RETURN(Version v, catalog_->GetVersion(ino, number));
  return DistinctChunks(v);
}

std::vector<ChunkRef> Placement::DistinctChunks(const Version& v) {
  std::unordered_set<ChunkId, ChunkIdHash> seen;
  std::vector<ChunkRef> out;
  for (const ChunkRef& r : v.chunks) {
    if (IsHole(r.id) || !seen.insert(r.id).second) continue;
    out.push_back(r);
  }
  return out;
}

Result<PlacementResult> Placement::Upload(InodeId ino, TierMask tier, bool publish) {
  PlacementResult result;
  REEL_ASSIGN_OR_RETURN(std::vector<InodeId> files, Files(ino));
  std::vector<TransferRequest> requests;
  for (InodeId f : files) {
    auto current = catalog_->GetVersion(f, 0);
    if (!current.ok() && current.status().code() != Code::kNotFound) return current.status();
    if (!current.ok() && f == ino) {  // a file named on its own must have a version to place
      return Status::NotFound(
          "the file has no version yet: it was never written, or it is still open for writing "
          "(close it, or `reel save` it to make one)");
    }
    ++result.files;
    if (!current.ok()) continue;  // in a directory: a file with no version has nothing to place
    const std::vector<ChunkRef> chunks = DistinctChunks(*current);
    REEL_ASSIGN_OR_RETURN(std::vector<TierMask> tiers, catalog_->GetChunkTiers(Ids(chunks)));
    for (size_t i = 0; i < chunks.size(); ++i) {
      if (tiers[i] & tier) continue;
      requests.push_back({TransferKind::kUpload, chunks[i].id, chunks[i].length, tier});
      ++result.chunks;
      result.bytes += chunks[i].length;
    }
    if (publish) REEL_RETURN_IF_ERROR(catalog_->RequestPublish(f, current->info.number));
  }
  // The publish requests are durable before the uploads they wait for are queued.
  if (!requests.empty()) REEL_RETURN_IF_ERROR(transfers_->Enqueue(requests).status());
  if (publish) {
    std::lock_guard lock(mu_);
    check_wanted_ = true;
    cv_.notify_all();
  }
  return result;
}

Result<uint64_t> Placement::QueuePublishUploads(InodeId ino, uint64_t number, bool held_only) {
  if (store_->shared(kTierCloud) == nullptr) return uint64_t{0};
  REEL_ASSIGN_OR_RETURN(std::vector<ChunkRef> chunks, VersionChunks(ino, number));
  if (held_only) {  // another machine's version holds nothing here: no need to ask the catalog
    std::erase_if(chunks, [this](const ChunkRef& r) { return !store_->cache().Contains(r.id); });
    if (chunks.empty()) return uint64_t{0};
  }
  REEL_ASSIGN_OR_RETURN(std::vector<TierMask> tiers, catalog_->GetChunkTiers(Ids(chunks)));
  std::vector<TransferRequest> requests;
  for (size_t i = 0; i < chunks.size() && i < tiers.size(); ++i) {
    if ((tiers[i] & kTierCloud) != 0) continue;
    requests.push_back({TransferKind::kUpload, chunks[i].id, chunks[i].length, kTierCloud});
  }
  if (!requests.empty()) REEL_RETURN_IF_ERROR(transfers_->Enqueue(requests).status());
  return static_cast<uint64_t>(requests.size());
}

void Placement::TakePublishRequests(bool adopt_pending) {
  std::vector<std::pair<InodeId, uint64_t>> versions = requests_->Take();
  const size_t taken = versions.size();
  if (adopt_pending) {
    auto pending = catalog_->ListPendingPublishes();
    if (pending.ok()) {
      versions.insert(versions.end(), pending->begin(), pending->end());
    } else {
      spdlog::warn("pending publishes: {}", pending.status().ToString());
    }
  }
  for (size_t k = 0; k < versions.size(); ++k) {
    const auto& [ino, number] = versions[k];
    Result<uint64_t> n = QueuePublishUploads(ino, number, /*held_only=*/k >= taken);
    if (!n.ok() && n.status().code() != Code::kNotFound) {  // NotFound: purged meanwhile
      spdlog::warn("publish of inode {} version {}: {}", ino, number, n.status().ToString());
    }
  }
  if (!versions.empty()) {
    std::lock_guard lock(mu_);
    check_wanted_ = true;  // some may be complete already (their chunks were on the cloud tier)
  }
}

Result<PlacementResult> Placement::SaveToWorkingTier(InodeId ino) {
  TierMask working = store_->working_tier();
  if (working == 0) {
    REEL_ASSIGN_OR_RETURN(std::vector<InodeId> files, Files(ino));
    return PlacementResult{files.size(), 0, 0};
  }
  return Upload(ino, working, false);
}

TierMask Placement::shared_tiers() const { return store_->shared_mask(); }

Result<PlacementResult> Placement::Publish(InodeId ino) {
  if (store_->shared(kTierCloud) == nullptr) {
    return Status::InvalidArgument("this drive has no cloud tier to publish to (reel init --cloud)");
  }
  return Upload(ino, kTierCloud, true);
}

Result<OrphanPackReport> Placement::CollectOrphanPacks(TimeNs cutoff) {
  return store_->CollectOrphanPacks(cutoff);
}

Result<uint64_t> Placement::CheckPublishes() {
  REEL_ASSIGN_OR_RETURN(auto pending, catalog_->ListPendingPublishes());
  uint64_t marked = 0;
  for (const auto& [ino, number] : pending) {
    auto chunks = VersionChunks(ino, number);
    if (!chunks.ok()) continue;  // purged meanwhile
    REEL_ASSIGN_OR_RETURN(std::vector<TierMask> tiers, catalog_->GetChunkTiers(Ids(*chunks)));
    bool all = true;
    for (TierMask m : tiers) all = all && (m & kTierCloud);
    if (!all) continue;
    REEL_RETURN_IF_ERROR(catalog_->MarkPublished(ino, number, WallClockNs()));
    ++marked;
  }
  return marked;
}

Result<PlacementResult> Placement::Hydrate(InodeId ino) {
  PlacementResult result;
  REEL_ASSIGN_OR_RETURN(std::vector<InodeId> files, Files(ino));
  std::vector<TransferRequest> requests;
  for (InodeId f : files) {
    REEL_ASSIGN_OR_RETURN(std::vector<ChunkRef> chunks, CurrentChunks(f));
    ++result.files;
    for (const ChunkRef& r : chunks) {
      if (store_->cache().Contains(r.id)) continue;
      requests.push_back({TransferKind::kDownload, r.id, r.length, 0});
      ++result.chunks;
      result.bytes += r.length;
    }
  }
  if (!requests.empty()) REEL_RETURN_IF_ERROR(transfers_->Enqueue(requests).status());
  return result;
}

Result<PlacementResult> Placement::Evict(InodeId ino) {
  PlacementResult result;
  REEL_ASSIGN_OR_RETURN(std::vector<InodeId> files, Files(ino));
  for (InodeId f : files) {
    REEL_ASSIGN_OR_RETURN(std::vector<ChunkRef> chunks, CurrentChunks(f));
    ++result.files;
    REEL_ASSIGN_OR_RETURN(uint64_t freed,
                          store_->cache().Evict(Ids(chunks), false, &result.chunks));
    result.bytes += freed;
  }
  return result;
}

Result<PlacementResult> Placement::Pin(InodeId ino, bool pinned) {
  REEL_ASSIGN_OR_RETURN(std::vector<InodeId> files, Files(ino));
  for (InodeId f : files) REEL_RETURN_IF_ERROR(machine_->SetPinned(f, pinned));
  REEL_RETURN_IF_ERROR(ReloadPinned());
  if (pinned) return Hydrate(ino);
  return PlacementResult{files.size(), 0, 0};
}

Status Placement::ReloadPinned() {
  REEL_ASSIGN_OR_RETURN(std::vector<InodeId> pinned, machine_->ListPinned());
  std::unordered_set<ChunkId, ChunkIdHash> chunks;
  for (InodeId ino : pinned) {
    auto refs = VersionChunks(ino, 0);
    if (!refs.ok() && refs.status().code() == Code::kNotFound) {
      // No version yet, or no file: a pinned file purged from the trash (here or by another
      // machine) loses its pin. Asked only on this path, not for every pin.
      auto attr = catalog_->GetAttributes(ino);
      if (!attr.ok() && attr.status().code() == Code::kNotFound) {
        REEL_RETURN_IF_ERROR(machine_->SetPinned(ino, false));
      }
      continue;
    }
    if (!refs.ok()) return refs.status();
    for (const ChunkRef& r : *refs) chunks.insert(r.id);
  }
  std::lock_guard lock(pinned_mu_);
  pinned_chunks_.swap(chunks);
  return Status::Ok();
}

Result<TierUsage> Placement::Usage(InodeId ino) {
  TierUsage u;
  REEL_ASSIGN_OR_RETURN(std::vector<InodeId> files, Files(ino));
  REEL_ASSIGN_OR_RETURN(std::vector<InodeId> pinned, machine_->ListPinned());
  std::unordered_set<InodeId> pinned_set(pinned.begin(), pinned.end());
  for (InodeId f : files) {
    ++u.files;
    if (pinned_set.count(f)) ++u.pinned_files;
    auto v = catalog_->GetVersion(f, 0);
    if (v.ok() && v->info.published > 0) ++u.published_files;
    if (v.ok() && v->info.published < 0) ++u.publishing_files;
    REEL_ASSIGN_OR_RETURN(std::vector<ChunkRef> chunks, CurrentChunks(f));
    REEL_ASSIGN_OR_RETURN(std::vector<TierMask> tiers, catalog_->GetChunkTiers(Ids(chunks)));
    for (size_t i = 0; i < chunks.size(); ++i) {
      ++u.chunks;
      u.total_bytes += chunks[i].length;
      if (store_->cache().Contains(chunks[i].id)) u.local_bytes += chunks[i].length;
      if (tiers[i] & kTierEdge) u.edge_bytes += chunks[i].length;
      if (tiers[i] & kTierCloud) u.cloud_bytes += chunks[i].length;
    }
  }
  return u;
}

}  // namespace reel
