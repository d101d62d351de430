// OpenDrive lives apart from drive.cc so code that only creates or inspects drives does not pull
// in the engine.
#include <unistd.h>

#include <utility>

#include "catalog/catalog.h"
#include "drive/drive.h"
#include "engine/engine.h"
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
  transfers = std::move(other.transfers);
  placement = std::move(other.placement);
  return *this;
}

void OpenedDrive::Close() {
  placement.reset();
  transfers.reset();
  engine.reset();
  store = nullptr;
}

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

  std::string catalog_uri = manifest.ResolvedCatalogUri();
  auto catalog = OpenCatalog(catalog_uri, ::geteuid(), ::getegid());
  if (!catalog.ok()) return catalog.status().WithContext("open catalog " + catalog_uri);
  Catalog* catalog_ptr = catalog->get();

  auto open_store = [&](const TierConfig& tier) -> Result<std::unique_ptr<ObjectStore>> {
    std::string uri = manifest.ResolvedTierUri(tier);
    auto store = OpenObjectStore(uri);
    // Uri() of an opened store has no credentials; the manifest's URI might: name only the tier.
    if (!store.ok()) return store.status().WithContext("open the " + tier.name + " tier");
    return store;
  };
  REEL_ASSIGN_OR_RETURN(std::unique_ptr<ObjectStore> local_store, open_store(*local));
  std::vector<SharedTier> shared;
  for (const TierConfig& tier : manifest.tiers) {
    if (tier.name == "local") continue;
    REEL_ASSIGN_OR_RETURN(std::unique_ptr<ObjectStore> store, open_store(tier));
    shared.push_back({tier.name, tier.name == "edge" ? kTierEdge : kTierCloud, std::move(store)});
  }
  auto tiered = std::make_unique<TieredStore>(std::move(local_store), std::move(shared),
                                              catalog_ptr, local->limit_bytes);
  REEL_RETURN_IF_ERROR(tiered->Open().WithContext("index the local cache"));
  TieredStore* tiered_ptr = tiered.get();

  OpenedDrive drive;
  auto engine = Engine::Open(std::move(catalog).value(), std::move(tiered), options);
  if (!engine.ok()) return engine.status().WithContext("open drive " + manifest.dir);
  drive.engine = std::move(engine).value();
  drive.store = tiered_ptr;
  drive.transfers =
      std::make_unique<TransferEngine>(catalog_ptr, tiered_ptr, manifest.transfer_threads);
  drive.placement = std::make_unique<Placement>(catalog_ptr, tiered_ptr, drive.transfers.get());
  REEL_RETURN_IF_ERROR(drive.placement->Start());
  REEL_RETURN_IF_ERROR(drive.transfers->Start());
  return drive;
}

}  // namespace reel
