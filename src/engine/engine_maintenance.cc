// Trash, garbage collection and consistency checks.
#include <spdlog/spdlog.h>

#include "store/chunk_keys.h"
#include "engine/engine_impl.h"

namespace reel {

Result<std::vector<TrashEntry>> EngineImpl::ListTrash() { return catalog_->ListTrash(); }

Result<EventPage> EngineImpl::ReadEvents(const EventQuery& query) {
  return catalog_->ReadEvents(query);
}

Result<Attributes> EngineImpl::RestoreFromTrash(uint64_t trash_id, const std::string& path) {
  std::string target = path;
  if (target.empty()) {
    REEL_ASSIGN_OR_RETURN(auto entries, catalog_->ListTrash());
    for (const auto& e : entries) {
      if (e.id == trash_id) target = e.original_path;
    }
    if (target.empty()) return Status::NotFound("no trash entry " + std::to_string(trash_id));
  }
  REEL_ASSIGN_OR_RETURN(auto parent, ResolveParent(target));
  REEL_RETURN_IF_ERROR(CheckWritableParent(parent.first, parent.second));
  auto restored = catalog_->RestoreFromTrash(trash_id, parent.first, parent.second, NowNs());
  // The entry appears behind the kernel's back: drop its cached listing of the directory.
  if (restored.ok()) Invalidate(parent.first);
  return restored;
}

// 1. Purges trash past its retention (files still open are kept).
// 2. Deletes chunks unreferenced for longer than the grace period.
// 3. Deletes store objects the catalog does not know (a crash between chunk writes and the
//    catalog commit leaves these) once they are older than the grace period.
// Chunks of commits in progress are registered in inflight_ and never touched.
Result<GcReport> EngineImpl::CollectGarbage() {
  GcReport report;
  const TimeNs now = NowNs();
  std::vector<InodeId> open;
  {
    std::lock_guard lock(files_mu_);
    for (const auto& [ino, fs] : files_) open.push_back(ino);
  }
  const TimeNs retained_from = now - options_.trash_retention_seconds * 1000000000ll;
  REEL_ASSIGN_OR_RETURN(report.trash_purged, catalog_->PurgeTrash(retained_from, open, now));
  // The change feed is kept as long as the trash (docs/events.md).
  REEL_RETURN_IF_ERROR(catalog_->TrimEvents(retained_from).status());
  // After the purge, so chunks it just released count from now.
  const TimeNs grace_cutoff = NowNs() - options_.gc_grace_seconds * 1000000000ll;

  REEL_ASSIGN_OR_RETURN(auto unreferenced, catalog_->ListUnreferencedChunks(grace_cutoff));
  for (const auto& rec : unreferenced) {
    Status s = inflight_.WithLocked(rec.id, [&](bool busy) -> Status {
      if (busy) return Status::Ok();
      REEL_ASSIGN_OR_RETURN(bool deleted, catalog_->DeleteChunkIfUnreferenced(rec.id));
      if (!deleted) return Status::Ok();
      REEL_RETURN_IF_ERROR(store_->Delete(ChunkKey(rec.id)));
      reader_.Drop(rec.id);
      ++report.chunks_deleted;
      report.bytes_deleted += rec.size;
      return Status::Ok();
    });
    REEL_RETURN_IF_ERROR(s);
  }

  std::vector<ObjectInfo> candidates;
  REEL_RETURN_IF_ERROR(store_->List(kChunkPrefix, [&](const ObjectInfo& info) {
    if (info.mtime_unix_ns != 0 && info.mtime_unix_ns < grace_cutoff) candidates.push_back(info);
    return true;
  }));
  for (const auto& info : candidates) {
    auto id = ChunkIdFromKey(info.key);
    if (!id) continue;  // not ours to judge
    Status s = inflight_.WithLocked(*id, [&](bool busy) -> Status {
      if (busy) return Status::Ok();
      REEL_ASSIGN_OR_RETURN(bool known, catalog_->HasChunk(*id));
      if (known) return Status::Ok();
      REEL_RETURN_IF_ERROR(store_->Delete(info.key));
      ++report.orphans_deleted;
      report.orphan_bytes_deleted += info.size;
      return Status::Ok();
    });
    REEL_RETURN_IF_ERROR(s);
  }
  spdlog::info("gc: purged {} trash entries, deleted {} chunks ({} bytes) and {} orphans",
               report.trash_purged, report.chunks_deleted, report.bytes_deleted,
               report.orphans_deleted);
  return report;
}

Result<FsckReport> EngineImpl::Check() {
  FsckReport report;
  std::vector<ChunkRecord> referenced;
  REEL_RETURN_IF_ERROR(catalog_->ForEachChunk([&](const ChunkRecord& rec) {
    if (rec.refcount > 0 && !IsHole(rec.id)) referenced.push_back(rec);
    return true;
  }));
  for (const auto& rec : referenced) {
    uint64_t bytes = 0;
    Status s = reader_.Verify(rec.id, &bytes);
    ++report.chunks_checked;
    report.bytes_checked += bytes;
    if (s.code() == Code::kNotFound) {
      report.missing.push_back(rec.id.Hex());
    } else if (s.code() == Code::kCorruption || (s.ok() && bytes != rec.size)) {
      report.corrupt.push_back(rec.id.Hex());
    } else if (!s.ok()) {
      return s;
    }
  }
  return report;
}

}  // namespace reel
