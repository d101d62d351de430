// Catalog backups: consistent online snapshots of the catalog, compressed (zstd), kept on the
// drive's shared tiers (edge and cloud; the local store when there is none) under
// `catalog-backups/<UTC time>-<random>.db.zst`, the newest `backup_keep` per store. Made on a
// schedule (`[catalog] backup_interval`), at unmount and by `reel catalog backup`; put back by
// `reel catalog restore`, which needs nothing but the manifest (a new machine can restore).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "catalog/catalog.h"
#include "common/status.h"
#include "drive/drive_identity.h"
#include "drive/manifest.h"

namespace reel {

class DriveLock;

inline constexpr const char* kCatalogBackupPrefix = "catalog-backups/";

struct CatalogBackupInfo {
  std::string key;                 // catalog-backups/...
  TimeNs time = 0;                 // when the snapshot was taken (ns since the epoch, UTC)
  uint64_t catalog_bytes = 0;      // the snapshot's size
  uint64_t stored_bytes = 0;       // compressed
  std::vector<std::string> tiers;  // where it was stored
};

// A backup found on a store.
struct StoredBackup {
  std::string key;
  TimeNs time = 0;
  uint64_t size = 0;
};

// The backup key for a snapshot taken at `time` ("catalog-backups/20261203T115300.123Z-<8 hex>
// .db.zst"); keys sort in time order.
[[nodiscard]] std::string CatalogBackupKey(TimeNs time);
// The time in a backup key; nullopt for a key that is not one.
[[nodiscard]] std::optional<TimeNs> ParseCatalogBackupKey(const std::string& key);
// A UTC time given by a user: "2026-12-03T11:53:00Z", "2026-12-03 11:53", "20261203T115300Z"...
[[nodiscard]] Result<TimeNs> ParseUtcTime(const std::string& text);
[[nodiscard]] std::string FormatUtcTime(TimeNs time);

// What the control API and `reel catalog backup --json` say about a backup.
[[nodiscard]] nlohmann::json CatalogBackupJson(const CatalogBackupInfo& info);

// The backups on `store`, newest first.
[[nodiscard]] Result<std::vector<StoredBackup>> ListCatalogBackups(ObjectStore& store);

// The stores backups go to: the shared tiers, else the local store.
[[nodiscard]] std::vector<NamedStore> CatalogBackupTargets(const std::vector<NamedStore>& stores);

// Makes backups of one open catalog, now (BackupNow) and every `interval_seconds` on a thread of
// its own once Start()ed (0: never). Thread-safe; backups run one at a time, and no lock is held
// while one runs. The catalog and the stores must outlive it.
class CatalogBackups {
 public:
  // `work_dir`: a local directory for the uncompressed snapshot while it is made.
  CatalogBackups(Catalog* catalog, std::vector<NamedStore> targets, std::string work_dir,
                 uint32_t keep, uint64_t interval_seconds);
  ~CatalogBackups();  // Stop()
  CatalogBackups(const CatalogBackups&) = delete;
  CatalogBackups& operator=(const CatalogBackups&) = delete;

  void Start();
  void Stop();
  // Snapshot, compress, store on every target, then drop all but the newest `keep` there. OK
  // when at least one target stored it (the others are named in the log); the error otherwise.
  [[nodiscard]] Result<CatalogBackupInfo> BackupNow();
  // Waits until `count` backups were stored since construction; false after `timeout`.
  [[nodiscard]] bool WaitForBackups(uint64_t count, std::chrono::milliseconds timeout);

 private:
  Result<CatalogBackupInfo> MakeBackup();
  void Prune(const NamedStore& target);
  void Run();

  Catalog* const catalog_;
  const std::vector<NamedStore> targets_;
  const std::string work_dir_;
  const uint32_t keep_;
  const uint64_t interval_seconds_;

  std::mutex mu_;  // guards stop_, running_ and stored_
  std::condition_variable cv_;  // stop_ set, or running_ cleared
  bool stop_ = false;
  bool running_ = false;  // a backup is being made
  uint64_t stored_ = 0;   // backups stored so far
  std::thread thread_;
};

struct RestoreOptions {
  std::string from_tier;     // only backups on this tier ("": every tier)
  std::optional<TimeNs> at;  // the newest backup at or before this time (default: the newest)
};

struct RestoreReport {
  std::string key;
  std::string tier;
  TimeNs time = 0;
  CatalogStats stats;
  std::string replaced;  // where the previous catalog file was moved ("" if there was none)
  size_t staged_files = 0;  // staged writes left in staging, committed at the next mount
  // Of those, files the backup does not know (created after it): given new files under
  // /`adopted_dir`/inode-<number>.
  size_t adopted_files = 0;
  std::string adopted_dir;
};

// Puts the chosen backup in place as the drive's catalog. The caller holds the drive's lock (the
// drive is not open anywhere). Works from the manifest alone: the local store and staging
// directories are created when missing (a new machine). A catalog file already there is moved
// aside (`catalog.db.replaced-<time>`), never deleted. The backup is checked (sound database,
// same drive id) before anything is replaced. Staged writes stay in staging and are committed at
// the next mount; those of files the backup does not know get new files (RestoreReport).
[[nodiscard]] Result<RestoreReport> RestoreCatalog(const Manifest& manifest, const DriveLock& lock,
                                                   const RestoreOptions& options);

// A backup of a drive that is not open (the caller holds its lock).
[[nodiscard]] Result<CatalogBackupInfo> BackupClosedDrive(const Manifest& manifest,
                                                          const DriveLock& lock);

}  // namespace reel
