// Which drive a catalog and its stores belong to, and the check that keeps a drive from being
// opened over a lost catalog.
//
// `reel init` writes the manifest's [drive] id into the catalog (Catalog::SetDriveId) and a small
// marker object, `drive.json`, into every store of the drive. Opening a drive then compares them:
//   - a catalog that is missing, empty (a new database) or unreadable while any store holds the
//     marker, chunks, packs or catalog backups is refused, with the way back
//     (`reel catalog restore DIR`): opening it would show an empty drive, and gc would take every
//     chunk for garbage;
//   - a catalog or store bound to another drive is refused;
//   - a catalog or store without the binding (made before it existed, or a tier added later) is
//     bound on the way, when the catalog has content or the stores are empty.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"
#include "drive/manifest.h"
#include "store/object_store.h"

namespace reel {

inline constexpr const char* kDriveMarkerKey = "drive.json";

// One store of a drive, named by its tier ("local", "edge", "cloud").
struct NamedStore {
  std::string tier;
  ObjectStore* store = nullptr;
};

// The stores of a drive's tiers, opened from its manifest, in tier order (local first).
struct DriveStores {
  std::vector<std::string> tiers;
  std::vector<std::unique_ptr<ObjectStore>> stores;
  std::vector<NamedStore> Named() const;
};
// Opens every tier's store, or only `only_tier` when it is not empty (InvalidArgument naming
// the manifest's tiers if it has no such tier).
[[nodiscard]] Result<DriveStores> OpenDriveStores(const Manifest& manifest,
                                                  const std::string& only_tier = "");

// The marker object's body for `manifest`.
[[nodiscard]] std::string DriveMarker(const Manifest& manifest);
// Writes the marker into `store` (Put: durable on return).
[[nodiscard]] Status WriteDriveMarker(ObjectStore& store, const Manifest& manifest);

// Marks `store` (of tier `tier`) as drive `manifest`'s: OK if it already is, AlreadyExists if it
// holds another drive's marker, else writes the marker.
[[nodiscard]] Status ClaimStore(ObjectStore& store, const std::string& tier,
                                const Manifest& manifest);

// What in `store` shows it belongs to a drive that holds data: "" when nothing does, else a short
// description ("the drive marker drive.json", "chunks", "packs", "catalog backups"). Reads at
// most one object per kind.
[[nodiscard]] Result<std::string> DescribeDriveData(ObjectStore& store);

// The SQLite file behind the manifest's catalog URI ("" for an in-memory catalog).
[[nodiscard]] std::string CatalogFilePath(const Manifest& manifest);

// The sentence that tells the user how to get the catalog back: `reel catalog restore` when a
// store of `stores` holds a catalog backup (or cannot be asked), else what is left to do.
[[nodiscard]] std::string RestoreHint(const Manifest& manifest,
                                      const std::vector<NamedStore>& stores);

// Before the catalog is opened (opening creates a missing one): NotFound, naming the way back,
// when the catalog file is missing or empty while a store holds drive data.
[[nodiscard]] Status CheckCatalogPresent(const Manifest& manifest,
                                         const std::vector<NamedStore>& stores);

// After the catalog opened: verifies or makes the bindings described above.
[[nodiscard]] Status BindDrive(const Manifest& manifest, Catalog& catalog,
                               const std::vector<NamedStore>& stores);

}  // namespace reel
