// OpenDrive lives apart from drive.cc so code that only creates or inspects drives does not pull
// in the engine.
#include <unistd.h>

#include "catalog/catalog.h"
#include "drive/drive.h"
#include "engine/engine.h"
#include "store/object_store.h"

namespace reel {

Result<std::unique_ptr<Engine>> OpenDrive(const Manifest& manifest, const DriveLock& lock) {
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
  std::string store_uri = manifest.ResolvedTierUri(*local);
  auto store = OpenObjectStore(store_uri);
  if (!store.ok()) return store.status().WithContext("open store " + store_uri);
  auto engine = Engine::Open(std::move(catalog).value(), std::move(store).value(), options);
  if (!engine.ok()) return engine.status().WithContext("open drive " + manifest.dir);
  return std::move(engine).value();
}

}  // namespace reel
