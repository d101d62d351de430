#include "service/drive_service.h"

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/names.h"
#include "service/drive_paths.h"
#include "tiers/placement.h"
#include "tiers/shared_tier_gc.h"
#include "tiers/transfer_engine.h"

namespace reel {

DriveService::DriveService(DriveServiceParts parts) : parts_(std::move(parts)) {}

DriveService::DriveService(Engine* engine) { parts_.engine = engine; }

template <typename T>
Result<T> DriveService::AtPath(const std::string& path,
                               const std::function<Result<T>(const std::string&, InodeId)>& op) {
  Result<T> result = [&]() -> Result<T> {
    REEL_ASSIGN_OR_RETURN(std::string valid, ValidateDrivePath(path));
    REEL_ASSIGN_OR_RETURN(InodeId ino, ResolveDrivePath(*parts_.engine, valid));
    return op(valid, ino);
  }();
  if (!result.ok()) return NameThePath(result.status(), path);
  return result;
}

Result<VersionInfo> DriveService::Save(const std::string& path, const std::string& message) {
  return AtPath<VersionInfo>(path, [&](const std::string&, InodeId ino) {
    return parts_.engine->Save(ino, message);
  });
}

Result<std::vector<VersionInfo>> DriveService::Versions(const std::string& path) {
  return AtPath<std::vector<VersionInfo>>(
      path, [&](const std::string&, InodeId ino) { return parts_.engine->ListVersions(ino); });
}

Result<VersionInfo> DriveService::Restore(const std::string& path, uint64_t version) {
  return AtPath<VersionInfo>(path, [&](const std::string& valid,
                                       InodeId ino) -> Result<VersionInfo> {
    Result<VersionInfo> v = parts_.engine->Restore(ino, version);
    if (v.status().code() == Code::kNotFound) {
      // Most likely a version number that does not exist: say which ones do.
      REEL_ASSIGN_OR_RETURN(std::vector<VersionInfo> versions, parts_.engine->ListVersions(ino));
      if (std::none_of(versions.begin(), versions.end(),
                       [&](const VersionInfo& e) { return e.number == version; })) {
        return NoSuchVersion(valid, version, versions);
      }
    }
    return v;
  });
}

Result<FileStatus> DriveService::StatusOf(const std::string& path) {
  return AtPath<FileStatus>(path, [&](const std::string& valid,
                                      InodeId ino) -> Result<FileStatus> {
    REEL_ASSIGN_OR_RETURN(FileStatus status, parts_.engine->GetFileStatus(ino));
    if (status.path.empty()) status.path = valid;
    return status;
  });
}

FileReader::FileReader(Engine* engine, HandleId handle, uint64_t size)
    : engine_(engine), handle_(handle), size_(size) {}

FileReader::~FileReader() { (void)engine_->Release(handle_); }

Result<size_t> FileReader::Read(uint64_t offset, std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size() && offset + done < size_) {
    REEL_ASSIGN_OR_RETURN(size_t n, engine_->Read(handle_, offset + done, out.subspan(done)));
    if (n == 0) break;
    done += n;
  }
  return done;
}

Result<Attributes> DriveService::Stat(const std::string& path) {
  return AtPath<Attributes>(
      path, [&](const std::string&, InodeId ino) { return parts_.engine->GetAttributes(ino); });
}

Result<std::vector<DirEntry>> DriveService::List(const std::string& path, uint64_t after,
                                                 size_t limit) {
  return AtPath<std::vector<DirEntry>>(
      path, [&](const std::string&, InodeId ino) -> Result<std::vector<DirEntry>> {
        REEL_ASSIGN_OR_RETURN(Attributes a, parts_.engine->GetAttributes(ino));
        if (a.type != FileType::kDirectory) return Status::NotDirectory("not a directory");
        return parts_.engine->ReadDir(ino, after, limit);
      });
}

Result<std::unique_ptr<FileReader>> DriveService::OpenForRead(const std::string& path,
                                                              uint64_t version) {
  Engine& engine = *parts_.engine;
  return AtPath<std::unique_ptr<FileReader>>(
      path, [&](const std::string& valid, InodeId ino) -> Result<std::unique_ptr<FileReader>> {
        REEL_ASSIGN_OR_RETURN(Attributes a, engine.GetAttributes(ino));
        if (a.type != FileType::kRegular) {
          return Status(a.type == FileType::kDirectory ? Code::kIsDirectory
                                                       : Code::kInvalidArgument,
                        "not a regular file: only files have content to read");
        }
        InodeId target = ino;
        if (version != 0) {
          // The version's file in the read-only version tree: .reel/versions/<path>/<N>.
          REEL_ASSIGN_OR_RETURN(Attributes dir, engine.Lookup(kRootInode, ".reel"));
          REEL_ASSIGN_OR_RETURN(dir, engine.Lookup(dir.ino, "versions"));
          REEL_ASSIGN_OR_RETURN(std::vector<std::string> parts, SplitRelativePath(valid));
          for (const std::string& part : parts) {
            REEL_ASSIGN_OR_RETURN(dir, engine.Lookup(dir.ino, part));
          }
          Result<Attributes> v = engine.Lookup(dir.ino, std::to_string(version));
          if (v.status().code() == Code::kNotFound) {
            REEL_ASSIGN_OR_RETURN(std::vector<VersionInfo> versions, engine.ListVersions(ino));
            return NoSuchVersion(valid, version, versions);
          }
          REEL_RETURN_IF_ERROR(v.status());
          a = *v;
          target = v->ino;
        }
        REEL_ASSIGN_OR_RETURN(HandleId h, engine.Open(target, OpenFlags{}));
        return std::make_unique<FileReader>(parts_.engine, h, a.size);
      });
}

Result<std::vector<TrashEntry>> DriveService::Trash() { return parts_.engine->ListTrash(); }

Result<TrashRestoreResult> DriveService::RestoreFromTrash(uint64_t id, const std::string& path) {
  Result<TrashRestoreResult> result = [&]() -> Result<TrashRestoreResult> {
    TrashRestoreResult out;
    if (!path.empty()) {
      REEL_ASSIGN_OR_RETURN(out.path, ValidateDrivePath(path));
      if (out.path.empty()) return Status::InvalidArgument("cannot restore a file to the drive root");
    } else {
      // Restored to where it was deleted from; look it up so the answer can say where.
      REEL_ASSIGN_OR_RETURN(std::vector<TrashEntry> entries, parts_.engine->ListTrash());
      for (const TrashEntry& e : entries) {
        if (e.id == id) out.path = e.original_path;
      }
    }
    // The folders it was in may be gone too (a folder deleted with everything in it).
    const size_t slash = out.path.find_last_of('/');
    REEL_RETURN_IF_ERROR(BehindTheKernel([&]() -> Status {
      const std::string target = path.empty() ? "" : out.path;
      Result<Attributes> restored = parts_.engine->RestoreFromTrash(id, target);
      if (restored.status().code() == Code::kNotFound && slash != std::string::npos) {
        // Its folder is gone, or it is not in the trash (then nothing is made).
        REEL_ASSIGN_OR_RETURN(std::vector<TrashEntry> entries, parts_.engine->ListTrash());
        const bool known = std::any_of(entries.begin(), entries.end(),
                                       [id](const TrashEntry& e) { return e.id == id; });
        if (known && MakeFolders(out.path.substr(0, slash)).ok()) {
          restored = parts_.engine->RestoreFromTrash(id, target);
        }
      }
      REEL_RETURN_IF_ERROR(restored.status());
      out.attr = *restored;
      return Status::Ok();
    }));
    return out;
  }();
  if (!result.ok() && !path.empty()) return NameThePath(result.status(), path);
  return result;
}

Result<GcReport> DriveService::CollectGarbage() {
  REEL_ASSIGN_OR_RETURN(GcReport report, parts_.engine->CollectGarbage());
  if (parts_.placement != nullptr) {
    REEL_ASSIGN_OR_RETURN(OrphanPackReport packs, parts_.placement->CollectOrphanPacks(
                                                      WallClockNs() - kOrphanPackMinAgeNs));
    report.orphan_packs_deleted = packs.packs_deleted;
    report.orphan_pack_bytes_deleted = packs.bytes_deleted;
  }
  return report;
}

Result<FsckReport> DriveService::Check() { return parts_.engine->Check(); }

Status DriveService::Sync() { return parts_.engine->WaitIdle(); }

Result<nlohmann::json> DriveService::BackupCatalog() {
  if (!parts_.backup_catalog) return Status::NotSupported("this mount makes no catalog backups");
  return parts_.backup_catalog();
}

EngineCounters DriveService::Counters() { return parts_.engine->Counters(); }

Result<EventPage> DriveService::ReadEvents(const EventQuery& query) {
  return parts_.engine->ReadEvents(query);
}

Result<Placement*> DriveService::NeedPlacement() {
  if (parts_.placement == nullptr || parts_.transfers == nullptr) {
    return Status::NotSupported("this mount has no tier controls");
  }
  return parts_.placement;
}

bool DriveService::HasSharedTiers() {
  return parts_.placement != nullptr && parts_.placement->shared_tiers() != 0;
}

Result<PlacementResult> DriveService::Place(PlaceAction action, const std::string& path) {
  REEL_ASSIGN_OR_RETURN(Placement * placement, NeedPlacement());
  return AtPath<PlacementResult>(path, [&](const std::string&,
                                           InodeId ino) -> Result<PlacementResult> {
    switch (action) {
      case PlaceAction::kPublish:
        REEL_RETURN_IF_ERROR(parts_.engine->WaitIdle());
        return placement->Publish(ino);
      case PlaceAction::kHydrate:
        return placement->Hydrate(ino);
      case PlaceAction::kEvict:
        return placement->Evict(ino);
      case PlaceAction::kPin:
        return placement->Pin(ino, true);
      case PlaceAction::kUnpin:
        return placement->Pin(ino, false);
      case PlaceAction::kSaveToWorkingTier:
        REEL_RETURN_IF_ERROR(parts_.engine->WaitIdle());
        return placement->SaveToWorkingTier(ino);
    }
    return Status::InvalidArgument("unknown placement action");
  });
}

Result<TierUsage> DriveService::Usage(const std::string& path) {
  REEL_ASSIGN_OR_RETURN(Placement * placement, NeedPlacement());
  return AtPath<TierUsage>(
      path, [&](const std::string&, InodeId ino) { return placement->Usage(ino); });
}

Result<TransferProgress> DriveService::Transfers() {
  REEL_RETURN_IF_ERROR(NeedPlacement().status());
  return parts_.transfers->Progress();
}

Status DriveService::PauseTransfers() {
  REEL_RETURN_IF_ERROR(NeedPlacement().status());
  parts_.transfers->Pause();
  return Status::Ok();
}

Status DriveService::ResumeTransfers() {
  REEL_RETURN_IF_ERROR(NeedPlacement().status());
  parts_.transfers->Resume();
  return Status::Ok();
}

}  // namespace reel
