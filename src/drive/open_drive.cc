// OpenDrive lives apart from drive.cc so code that only creates or inspects drives does not pull
// in the engine.
#include <unistd.h>

#include <utility>

#include <spdlog/spdlog.h>

#include "catalog/catalog.h"
#include "drive/catalog_backup.h"
#include "drive/drive.h"
#include "drive/drive_identity.h"
#include "engine/engine.h"
#include "machine/machine_state.h"
#include "store/object_store.h"
#include "tiers/placement.h"
#include "tiers/tiered_store.h"
#include "tiers/transfer_engine.h"

namespace reel {

OpenedDrive::OpenedDrive() = default;
OpenedDrive::OpenedDrive(OpenedDrive&&) noexcept = default;
OpenedDrive::~OpenedDrive() { Close(); }

OpenedDrive& OpenedDrive::operator=(OpenedDrive&& other) noexcept {
  if (this == &other) return *this;
  Close();
  engine = std::move(other.engine);
  store = std::exchange(other.store, nullptr);
  machine = std::move(other.machine);
  transfers = std::move(other.transfers);
  placement = std::move(other.placement);
  backups = std::move(other.backups);
  return *this;
}

void OpenedDrive::Close() {
  placement.reset();
  transfers.reset();
  if (backups) {
    backups->Stop();
    if (engine) {
      // The last backup holds what the shutdown committed.
      Status shut = engine->Shutdown();
      if (!shut.ok()) spdlog::error("shutdown: {}", shut.ToString());
      auto info = backups->BackupNow();
      if (!info.ok()) spdlog::error("catalog backup at close: {}", info.status().ToString());
    }
  }
  backups.reset();
  engine.reset();
  machine.reset();
  store = nullptr;
}

std::string MachineStatePath(const Manifest& manifest) { return manifest.dir + "/machine.db"; }

Result<OpenedDrive> OpenDrive(const Manifest& manifest, const DriveLock& lock) {
  if (lock.dir() != manifest.dir) {
    return Status::Internal("OpenDrive: the lock held is for " + lock.dir() +
                            ", the manifest is in " + manifest.dir);
  }
  REEL_RETURN_IF_ERROR(ValidateManifest(manifest, manifest.Path()));
  const TierConfig* local = manifest.LocalTier();
  if (local == nullptr) return Status::InvalidArgument(manifest.Path() + ": no local tier");

  EngineOptions options = ToEngineOptions(manifest);
  REEL_RETURN_IF_ERROR(MakeDirs(options.staging_dir, 0700));

  REEL_ASSIGN_OR_RETURN(DriveStores opened, OpenDriveStores(manifest));
  const std::vector<NamedStore> named = opened.Named();
  std::unique_ptr<ObjectStore> local_store = std::move(opened.stores.front());  // local first
  std::vector<SharedTier> shared;
  for (size_t i = 1; i < opened.stores.size(); ++i) {
    const std::string& name = opened.tiers[i];
    shared.push_back({name, name == "edge" ? kTierEdge : kTierCloud, std::move(opened.stores[i])});
  }

  // Never open a lost catalog as a new one over stores that hold the drive's data.
  REEL_RETURN_IF_ERROR(CheckCatalogPresent(manifest, named));
  std::string catalog_uri = manifest.ResolvedCatalogUri();
  auto catalog = OpenCatalog(catalog_uri, ::geteuid(), ::getegid());
  if (!catalog.ok()) {
    Status s = catalog.status().WithContext("open catalog " + catalog_uri);
    if (s.code() == Code::kCorruption || s.code() == Code::kIOError) {
      return Status(s.code(), s.message() + ". " + RestoreHint(manifest, named));
    }
    return s;
  }
  REEL_RETURN_IF_ERROR(BindDrive(manifest, **catalog, named));
  // A catalog file of an older ReelDrive may still hold this machine's queue and pins.
  REEL_ASSIGN_OR_RETURN(std::unique_ptr<MachineState> machine,
                        MachineState::Open(MachineStatePath(manifest), CatalogFilePath(manifest)));
  Catalog* catalog_ptr = catalog->get();
  auto backups = std::make_unique<CatalogBackups>(catalog_ptr, CatalogBackupTargets(named),
                                                  manifest.dir, manifest.backup_keep,
                                                  manifest.backup_interval_seconds);

  auto tiered = std::make_unique<TieredStore>(std::move(local_store), std::move(shared),
                                              catalog_ptr, local->limit_bytes);
  REEL_RETURN_IF_ERROR(tiered->Open().WithContext("index the local cache"));
  TieredStore* tiered_ptr = tiered.get();

  OpenedDrive drive;
  auto engine = Engine::Open(std::move(catalog).value(), std::move(tiered), options);
  if (!engine.ok()) return engine.status().WithContext("open drive " + manifest.dir);
  drive.engine = std::move(engine).value();
  drive.store = tiered_ptr;
  drive.backups = std::move(backups);
  drive.machine = std::move(machine);
  drive.backups->Start();
  drive.transfers =
      std::make_unique<TransferEngine>(catalog_ptr, drive.machine.get(), tiered_ptr,
                                       manifest.transfer_threads);
  drive.placement = std::make_unique<Placement>(catalog_ptr, drive.machine.get(), tiered_ptr,
                                                drive.transfers.get());
  REEL_RETURN_IF_ERROR(drive.placement->Start());
  REEL_RETURN_IF_ERROR(drive.transfers->Start());
  return drive;
}

}  // namespace reel
