#include "drive/catalog_backup.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <zstd.h>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/fs_util.h"
#include "common/hex.h"
#include "common/secure_random.h"
#include "drive/drive.h"
#include "engine/staged_file.h"

namespace reel {
namespace {

constexpr int kZstdLevel = 3;  // fast, and a catalog compresses well at any level
constexpr uint64_t kMaxCatalogBytes = 64ull << 30;  // refuse to inflate a backup beyond this
constexpr size_t kStampLength = 20;                 // "20261203T115300.123Z"

std::string RandomHex(size_t bytes) { return ToHex(SecureRandomBytes(bytes)); }

std::string Stamp(TimeNs time) {
  time_t secs = static_cast<time_t>(time / 1000000000);
  struct tm tm;
  ::gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>((time / 1000000) % 1000));
  return buf;
}

Result<std::vector<uint8_t>> Compress(const std::string& raw) {
  std::vector<uint8_t> out(ZSTD_compressBound(raw.size()));
  size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), kZstdLevel);
  if (ZSTD_isError(n)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Result<std::string> Decompress(const std::vector<uint8_t>& packed, const std::string& what) {
  unsigned long long size = ZSTD_getFrameContentSize(packed.data(), packed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) {
    return Status::Corruption(what + " is not a zstd frame with a known size");
  }
  if (size > kMaxCatalogBytes) {
    return Status::Corruption(what + " claims " + std::to_string(size) + " bytes");
  }
  std::string raw(size, '\0');
  size_t n = ZSTD_decompress(raw.data(), raw.size(), packed.data(), packed.size());
  if (ZSTD_isError(n) || n != size) {
    return Status::Corruption(what + ": " + (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short"));
  }
  return raw;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// Staging records (<ino>.meta) waiting in `dir`.
size_t CountStagingRecords(const std::string& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return 0;
  size_t n = 0;
  while (dirent* e = ::readdir(d.get())) {
    std::string name = e->d_name;
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".meta") == 0) ++n;
  }
  return n;
}

// The newest backup on `stores` (at or before `at`), with the store it is on.
Result<std::pair<StoredBackup, size_t>> ChooseBackup(const DriveStores& stores,
                                                     std::optional<TimeNs> at) {
  std::optional<std::pair<StoredBackup, size_t>> best;
  for (size_t i = 0; i < stores.stores.size(); ++i) {
    auto list = ListCatalogBackups(*stores.stores[i]);
    if (!list.ok()) {
      spdlog::warn("catalog backups on the {} tier cannot be listed: {}", stores.tiers[i],
                   list.status().ToString());
      continue;
    }
    for (const StoredBackup& b : *list) {
      if (at && b.time > *at) continue;
      if (!best || b.time > best->first.time) best = std::make_pair(b, i);
      break;  // newest first: the first that fits is this store's best
    }
  }
  if (best) return *best;
  std::string where;
  for (const std::string& t : stores.tiers) where += (where.empty() ? "" : ", ") + t;
  return Status::NotFound("no catalog backup on the " + where + " tier(s)" +
                          (at ? " at or before " + FormatUtcTime(*at) : std::string()));
}

// Moves `path` (and its -wal, -shm) aside as path.replaced-<stamp>; returns the new name or "".
Result<std::string> MoveAside(const std::string& path) {
  if (!Exists(path)) {
    ::unlink((path + "-wal").c_str());  // stale logs of a deleted database must not be replayed
    ::unlink((path + "-shm").c_str());
    return std::string();
  }
  std::string aside = path + ".replaced-" + Stamp(WallClockNs());
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::string from = path + suffix;
    if (!Exists(from)) continue;
    if (::rename(from.c_str(), (aside + suffix).c_str()) != 0) {
      return Status::FromErrno(errno, "move " + from + " aside");
    }
  }
  return aside;
}

// Staged writes of files the restored catalog does not know (created after the backup) would be
// dropped at the next mount as writes of deleted files. Each gets a new file instead,
// /recovered-<time>/inode-<old number>, and its record moves to it. Returns how many.
Result<size_t> AdoptUnknownStaging(Catalog& catalog, const std::string& staging,
                                   std::string* dir_name) {
  REEL_ASSIGN_OR_RETURN(std::vector<StagedMeta> metas, StagedFile::ListRecoverable(staging));
  std::vector<StagedMeta> unknown;
  InodeId max_ino = 0;
  for (const StagedMeta& m : metas) {
    max_ino = std::max(max_ino, m.ino);
    auto attr = catalog.GetAttributes(m.ino);
    if (attr.status().code() == Code::kNotFound) unknown.push_back(m);
    else if (!attr.ok()) return attr.status();
  }
  if (unknown.empty()) return size_t{0};
  TimeNs now = WallClockNs();
  NewNode dir{FileType::kDirectory, 0755, ::geteuid(), ::getegid(), {}};
  *dir_name = "recovered-" + Stamp(now);
  REEL_ASSIGN_OR_RETURN(Attributes parent, catalog.CreateNode(kRootInode, *dir_name, dir, now));
  // New inode numbers must not be those of staging records: burn numbers up to the largest
  // (inode numbers are never reused, so a created and removed directory uses one up).
  for (InodeId next = parent.ino; next < max_ino;) {
    REEL_ASSIGN_OR_RETURN(Attributes burn, catalog.CreateNode(parent.ino, ".burn", dir, now));
    REEL_RETURN_IF_ERROR(catalog.RemoveDir(parent.ino, ".burn", now));
    next = burn.ino;
  }
  NewNode file{FileType::kRegular, 0644, ::geteuid(), ::getegid(), {}};
  for (const StagedMeta& m : unknown) {
    REEL_ASSIGN_OR_RETURN(
        Attributes a,
        catalog.CreateNode(parent.ino, "inode-" + std::to_string(m.ino), file, now));
    REEL_RETURN_IF_ERROR(StagedFile::Adopt(staging, m, a.ino));
  }
  return unknown.size();
}

// Writes `raw` as a catalog file at `tmp` and checks it is a sound catalog of drive `id`; staged
// writes of files it does not know are given files in it (AdoptUnknownStaging).
Result<CatalogStats> WriteAndCheck(const std::string& tmp, const std::string& raw,
                                   const std::string& id, const std::string& staging,
                                   RestoreReport* report) {
  REEL_RETURN_IF_ERROR(WriteFileAtomic(tmp, std::string_view(raw), 0600));
  auto catalog = OpenCatalog("sqlite://" + tmp, ::geteuid(), ::getegid());
  if (!catalog.ok()) return catalog.status().WithContext("the backup is not a sound catalog");
  REEL_ASSIGN_OR_RETURN(std::string backup_id, (*catalog)->GetDriveId());
  if (backup_id != id) {
    return Status::InvalidArgument("the backup belongs to drive '" + backup_id +
                                   "', not to this drive (" + id + ")");
  }
  REEL_ASSIGN_OR_RETURN(report->adopted_files,
                        AdoptUnknownStaging(**catalog, staging, &report->adopted_dir));
  REEL_RETURN_IF_ERROR((*catalog)->Sync());
  return (*catalog)->Stats();
}

}  // namespace

std::string CatalogBackupKey(TimeNs time) {
  return std::string(kCatalogBackupPrefix) + Stamp(time) + "-" + RandomHex(4) + ".db.zst";
}

std::optional<TimeNs> ParseCatalogBackupKey(const std::string& key) {
  const std::string prefix = kCatalogBackupPrefix;
  if (key.rfind(prefix, 0) != 0) return std::nullopt;
  std::string name = key.substr(prefix.size());
  const std::string suffix = ".db.zst";
  if (name.size() != kStampLength + 1 + 8 + suffix.size() || name[kStampLength] != '-' ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return std::nullopt;
  }
  struct tm tm = {};
  int ms = 0;
  char z = 0;
  if (std::sscanf(name.c_str(), "%4d%2d%2dT%2d%2d%2d.%3d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms, &z) != 8 ||
      z != 'Z') {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  time_t secs = ::timegm(&tm);
  if (secs < 0) return std::nullopt;
  return static_cast<TimeNs>(secs) * 1000000000 + static_cast<TimeNs>(ms) * 1000000;
}

Result<TimeNs> ParseUtcTime(const std::string& text) {
  static const char* kFormats[] = {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S",
                                   "%Y-%m-%d %H:%M",    "%Y%m%dT%H%M%S",  "%Y-%m-%d"};
  std::string t = text;
  if (!t.empty() && (t.back() == 'Z' || t.back() == 'z')) t.pop_back();
  for (const char* format : kFormats) {
    struct tm tm = {};
    const char* end = ::strptime(t.c_str(), format, &tm);
    if (end == nullptr || *end != '\0') continue;
    time_t secs = ::timegm(&tm);
    // A time given to the second covers that whole second.
    return static_cast<TimeNs>(secs) * 1000000000 + 999999999;
  }
  return Status::InvalidArgument("'" + text + "' is not a UTC time such as 2026-12-03T11:53:00Z");
}

std::string FormatUtcTime(TimeNs time) {
  time_t secs = static_cast<time_t>(time / 1000000000);
  struct tm tm;
  ::gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json CatalogBackupJson(const CatalogBackupInfo& info) {
  return nlohmann::json{{"key", info.key},
                        {"time", FormatUtcTime(info.time)},
                        {"catalog_bytes", info.catalog_bytes},
                        {"stored_bytes", info.stored_bytes},
                        {"tiers", info.tiers}};
}

Result<std::vector<StoredBackup>> ListCatalogBackups(ObjectStore& store) {
  std::vector<StoredBackup> out;
  REEL_RETURN_IF_ERROR(store.List(kCatalogBackupPrefix, [&](const ObjectInfo& info) {
    if (auto time = ParseCatalogBackupKey(info.key)) out.push_back({info.key, *time, info.size});
    return true;
  }));
  std::sort(out.begin(), out.end(), [](const StoredBackup& a, const StoredBackup& b) {
    return a.time != b.time ? a.time > b.time : a.key > b.key;
  });
  return out;
}

std::vector<NamedStore> CatalogBackupTargets(const std::vector<NamedStore>& stores) {
  std::vector<NamedStore> shared;
  for (const NamedStore& s : stores) {
    if (s.tier != "local") shared.push_back(s);
  }
  if (!shared.empty()) return shared;
  return stores.empty() ? shared : std::vector<NamedStore>{stores.front()};
}

// ---------------------------------------------------------------------------------------------

CatalogBackups::CatalogBackups(Catalog* catalog, std::vector<NamedStore> targets,
                               std::string work_dir, uint32_t keep, uint64_t interval_seconds)
    : catalog_(catalog), targets_(std::move(targets)), work_dir_(std::move(work_dir)),
      keep_(std::max<uint32_t>(keep, 1)), interval_seconds_(interval_seconds) {}

CatalogBackups::~CatalogBackups() { Stop(); }

void CatalogBackups::Start() {
  if (interval_seconds_ == 0 || thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void CatalogBackups::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CatalogBackups::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (cv_.wait_for(lock, std::chrono::seconds(interval_seconds_), [&] { return stop_; })) break;
    lock.unlock();
    auto info = BackupNow();
    if (info.ok()) {
      spdlog::info("catalog backup {} ({} bytes) on {}", info->key, info->stored_bytes,
                   fmt::join(info->tiers, ", "));
    } else {
      spdlog::error("scheduled catalog backup failed: {}", info.status().ToString());
    }
    lock.lock();
  }
}

Result<CatalogBackupInfo> CatalogBackups::BackupNow() {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !running_; });
    running_ = true;
  }
  Result<CatalogBackupInfo> info = MakeBackup();
  {
    std::lock_guard lock(mu_);
    running_ = false;
    if (info.ok()) ++stored_;
  }
  cv_.notify_all();
  return info;
}

bool CatalogBackups::WaitForBackups(uint64_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return stored_ >= count; });
}

Result<CatalogBackupInfo> CatalogBackups::MakeBackup() {
  if (targets_.empty()) return Status::InvalidArgument("the drive has no store for backups");
  CatalogBackupInfo info;
  info.time = WallClockNs();
  info.key = CatalogBackupKey(info.time);
  std::string tmp = work_dir_ + "/.catalog-backup-" + RandomHex(8) + ".db";
  Status made = catalog_->BackupTo(tmp);
  auto raw = made.ok() ? ReadWholeFile(tmp) : Result<std::string>(made);
  ::unlink(tmp.c_str());
  ::unlink((tmp + "-journal").c_str());
  if (!raw.ok()) return raw.status().WithContext("snapshot the catalog");
  info.catalog_bytes = raw->size();
  REEL_ASSIGN_OR_RETURN(std::vector<uint8_t> packed, Compress(*raw));
  info.stored_bytes = packed.size();
  Status last;
  for (const NamedStore& target : targets_) {
    Status put = target.store->Put(info.key, packed);
    if (!put.ok()) {
      spdlog::warn("catalog backup {} not stored on the {} tier: {}", info.key, target.tier,
                   put.ToString());
      last = put.WithContext("store the catalog backup on the " + target.tier + " tier");
      continue;
    }
    info.tiers.push_back(target.tier);
    Prune(target);
  }
  if (info.tiers.empty()) return last;
  return info;
}

void CatalogBackups::Prune(const NamedStore& target) {
  auto list = ListCatalogBackups(*target.store);
  if (!list.ok()) {
    spdlog::warn("old catalog backups on the {} tier not pruned: {}", target.tier,
                 list.status().ToString());
    return;
  }
  for (size_t i = keep_; i < list->size(); ++i) {
    Status s = target.store->Delete((*list)[i].key);
    if (!s.ok()) spdlog::warn("delete old catalog backup {}: {}", (*list)[i].key, s.ToString());
  }
}

// ---------------------------------------------------------------------------------------------

Result<RestoreReport> RestoreCatalog(const Manifest& manifest, const DriveLock& lock,
                                     const RestoreOptions& options) {
  if (lock.dir() != manifest.dir) {
    return Status::Internal("RestoreCatalog: the lock held is for " + lock.dir());
  }
  std::string path = CatalogFilePath(manifest);
  if (path.empty()) return Status::NotSupported("an in-memory catalog has no backups to restore");
  // A new machine has only the manifest: make the local directories the drive needs.
  std::string local_uri = manifest.ResolvedTierUri(*manifest.LocalTier());
  if (local_uri.rfind("file://", 0) == 0) REEL_RETURN_IF_ERROR(MakeDirs(local_uri.substr(7), 0700));
  REEL_RETURN_IF_ERROR(MakeDirs(manifest.ResolvedStagingDir(), 0700));
  REEL_RETURN_IF_ERROR(MakeDirs(DirName(path), 0700));

  REEL_ASSIGN_OR_RETURN(DriveStores stores, OpenDriveStores(manifest, options.from_tier));
  REEL_ASSIGN_OR_RETURN(auto chosen, ChooseBackup(stores, options.at));
  RestoreReport report;
  report.key = chosen.first.key;
  report.time = chosen.first.time;
  report.tier = stores.tiers[chosen.second];
  auto packed = stores.stores[chosen.second]->Get(report.key);
  if (!packed.ok()) return packed.status().WithContext("read " + report.key);
  REEL_ASSIGN_OR_RETURN(std::string raw, Decompress(*packed, report.key));

  std::string tmp = path + ".restoring";
  auto stats = WriteAndCheck(tmp, raw, manifest.id, manifest.ResolvedStagingDir(), &report);
  if (!stats.ok()) {
    ::unlink(tmp.c_str());
    return stats.status().WithContext(report.key);
  }
  report.stats = *stats;
  REEL_ASSIGN_OR_RETURN(report.replaced, MoveAside(path));
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::FromErrno(errno, "put the restored catalog in place at " + path);
  }
  REEL_RETURN_IF_ERROR(FsyncDir(DirName(path)));
  report.staged_files = CountStagingRecords(manifest.ResolvedStagingDir());
  return report;
}

Result<CatalogBackupInfo> BackupClosedDrive(const Manifest& manifest, const DriveLock& lock) {
  if (lock.dir() != manifest.dir) {
    return Status::Internal("BackupClosedDrive: the lock held is for " + lock.dir());
  }
  REEL_ASSIGN_OR_RETURN(DriveStores stores, OpenDriveStores(manifest));
  std::vector<NamedStore> named = stores.Named();
  REEL_RETURN_IF_ERROR(CheckCatalogPresent(manifest, named));
  auto catalog = OpenCatalog(manifest.ResolvedCatalogUri(), ::geteuid(), ::getegid());
  if (!catalog.ok()) {
    return Status(catalog.status().code(),
                  catalog.status().message() + ". " + RestoreHint(manifest, named));
  }
  REEL_RETURN_IF_ERROR(BindDrive(manifest, **catalog, named));
  CatalogBackups backups(catalog->get(), CatalogBackupTargets(named), manifest.dir,
                         manifest.backup_keep, 0);
  return backups.BackupNow();
}

}  // namespace reel
