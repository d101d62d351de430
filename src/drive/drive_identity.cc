#include "drive/drive_identity.h"

#include <sys/stat.h>

#include <cerrno>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "store/chunk_keys.h"
#include "tiers/pack_keys.h"

namespace reel {
namespace {

constexpr const char* kBackupPrefix = "catalog-backups/";

// The drive id in a marker object; Corruption if it is not one.
Result<std::string> MarkerDriveId(ObjectStore& store) {
  REEL_ASSIGN_OR_RETURN(std::vector<uint8_t> body, store.Get(kDriveMarkerKey));
  auto j = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("drive_id") || !j["drive_id"].is_string()) {
    return Status::Corruption(store.Uri() + "/" + kDriveMarkerKey + " is not a drive marker");
  }
  return j["drive_id"].get<std::string>();
}

Result<bool> HasAnyUnder(ObjectStore& store, const std::string& prefix) {
  bool found = false;
  REEL_RETURN_IF_ERROR(store.List(prefix, [&](const ObjectInfo&) {
    found = true;
    return false;  // one is enough
  }));
  return found;
}

// "" when no store holds drive data, else where the first does ("the edge tier holds chunks").
Result<std::string> FindDriveData(const std::vector<NamedStore>& stores) {
  for (const NamedStore& s : stores) {
    auto what = DescribeDriveData(*s.store);
    if (!what.ok()) return what.status().WithContext("look into the " + s.tier + " tier");
    if (!what->empty()) return "the " + s.tier + " tier holds " + *what;
  }
  return std::string();
}

bool CatalogIsEmpty(const CatalogStats& s) {
  return s.files == 0 && s.directories <= 1 && s.versions == 0 && s.chunks == 0 &&
         s.trash_entries == 0;
}

}  // namespace

std::vector<NamedStore> DriveStores::Named() const {
  std::vector<NamedStore> named;
  for (size_t i = 0; i < stores.size(); ++i) named.push_back({tiers[i], stores[i].get()});
  return named;
}

Result<DriveStores> OpenDriveStores(const Manifest& manifest, const std::string& only_tier) {
  if (!only_tier.empty() && manifest.FindTier(only_tier) == nullptr) {
    std::string names;
    for (const TierConfig& t : manifest.tiers) names += (names.empty() ? "" : ", ") + t.name;
    return Status::InvalidArgument(manifest.Path() + " has no tier '" + only_tier +
                                   "' (its tiers: " + names + ")");
  }
  DriveStores out;
  for (const TierConfig& tier : manifest.tiers) {
    if (!only_tier.empty() && tier.name != only_tier) continue;
    auto store = OpenObjectStore(manifest.ResolvedTierUri(tier));
    // Uri() of an opened store has no credentials; the manifest's URI might: name only the tier.
    if (!store.ok()) return store.status().WithContext("open the " + tier.name + " tier");
    out.tiers.push_back(tier.name);
    out.stores.push_back(std::move(store).value());
  }
  return out;
}

Status ClaimStore(ObjectStore& store, const std::string& tier, const Manifest& manifest) {
  auto id = MarkerDriveId(store);
  if (id.ok()) {
    if (*id == manifest.id) return Status::Ok();
    return Status::AlreadyExists("the " + tier + " tier holds drive " + *id + ", not drive " +
                                 manifest.id + " (" + manifest.Path() +
                                 "); give each drive a store (or prefix) of its own");
  }
  if (id.status().code() != Code::kNotFound) {
    return id.status().WithContext("read the " + tier + " tier's drive marker");
  }
  return WriteDriveMarker(store, manifest).WithContext("mark the " + tier + " tier");
}

std::string DriveMarker(const Manifest& manifest) {
  nlohmann::json j = {{"format", 1}, {"drive_id", manifest.id}, {"name", manifest.name}};
  return j.dump() + "\n";
}

Status WriteDriveMarker(ObjectStore& store, const Manifest& manifest) {
  std::string body = DriveMarker(manifest);
  const auto* bytes = reinterpret_cast<const uint8_t*>(body.data());
  return store.Put(kDriveMarkerKey, std::span<const uint8_t>(bytes, body.size()));
}

Result<std::string> DescribeDriveData(ObjectStore& store) {
  auto marker = store.Head(kDriveMarkerKey);
  if (marker.ok()) return std::string("the drive marker ") + kDriveMarkerKey;
  if (marker.status().code() != Code::kNotFound) return marker.status();
  const std::pair<const char*, const char*> kinds[] = {
      {kChunkPrefix, "chunks"}, {kPackPrefix, "packs"}, {kBackupPrefix, "catalog backups"}};
  for (const auto& [prefix, what] : kinds) {
    REEL_ASSIGN_OR_RETURN(bool any, HasAnyUnder(store, prefix));
    if (any) return std::string(what);
  }
  return std::string();
}

std::string CatalogFilePath(const Manifest& manifest) {
  std::string uri = manifest.ResolvedCatalogUri();
  const std::string prefix = "sqlite://";
  if (uri.rfind(prefix, 0) != 0) return "";
  return uri.substr(prefix.size());
}

std::string RestoreHint(const Manifest& manifest, const std::vector<NamedStore>& stores) {
  bool backups = false;
  for (const NamedStore& s : stores) {
    auto any = HasAnyUnder(*s.store, kBackupPrefix);
    // A store that does not answer may hold backups: the restore command says what it finds.
    if (!any.ok() || *any) {
      backups = true;
      break;
    }
  }
  if (backups) {
    return "Restore the catalog from its latest backup with: reel catalog restore " + manifest.dir;
  }
  std::string path = CatalogFilePath(manifest);
  return "No store of the drive holds a catalog backup, so `reel catalog restore` has nothing to "
         "restore from: bring back " + (path.empty() ? std::string("the catalog") : path) +
         " itself (from a backup or snapshot of this disk); the stores are left untouched";
}

Status CheckCatalogPresent(const Manifest& manifest, const std::vector<NamedStore>& stores) {
  std::string path = CatalogFilePath(manifest);
  if (path.empty()) return Status::Ok();  // sqlite::memory: is new by definition
  struct stat st;
  bool missing = ::stat(path.c_str(), &st) != 0;
  if (missing && errno != ENOENT) return Status::FromErrno(errno, "catalog " + path);
  if (!missing && st.st_size > 0) return Status::Ok();
  REEL_ASSIGN_OR_RETURN(std::string data, FindDriveData(stores));
  if (data.empty()) return Status::Ok();  // nothing to lose: a new catalog is created
  return Status::NotFound("the catalog " + path + " is " + (missing ? "missing" : "empty") +
                          " but " + data + "; refusing to open the drive with an empty "
                          "catalog. " + RestoreHint(manifest, stores));
}

Status BindDrive(const Manifest& manifest, Catalog& catalog,
                 const std::vector<NamedStore>& stores) {
  auto bind_stores = [&]() -> Status {
    for (const NamedStore& s : stores) {
      Status claimed = ClaimStore(*s.store, s.tier, manifest);
      if (claimed.ok()) continue;
      // Another drive's marker is fatal; a shared tier that does not answer now is marked at a
      // later open (a drive mounts while its edge or cloud is down).
      if (claimed.code() == Code::kAlreadyExists || s.tier == "local") return claimed;
      spdlog::warn("{} (the drive marker is written at a later open)", claimed.ToString());
    }
    return Status::Ok();
  };
  if (CatalogFilePath(manifest).empty()) return bind_stores();
  REEL_ASSIGN_OR_RETURN(std::string id, catalog.GetDriveId());
  if (!id.empty() && id != manifest.id) {
    return Status::InvalidArgument("the catalog " + CatalogFilePath(manifest) +
                                   " belongs to drive " + id + ", but " + manifest.Path() +
                                   " describes drive " + manifest.id);
  }
  if (id.empty()) {
    REEL_ASSIGN_OR_RETURN(CatalogStats stats, catalog.Stats());
    if (CatalogIsEmpty(stats)) {
      REEL_ASSIGN_OR_RETURN(std::string data, FindDriveData(stores));
      if (!data.empty()) {
        return Status::NotFound("the catalog " + CatalogFilePath(manifest) +
                                " is a new, empty one but " + data +
                                "; refusing to open the drive with it. " +
                                RestoreHint(manifest, stores));
      }
    }
    REEL_RETURN_IF_ERROR(catalog.SetDriveId(manifest.id));
  }
  return bind_stores();
}

}  // namespace reel
