// The catalog's backups: reel catalog backup [PATH], reel catalog list [DRIVE_DIR],
// reel catalog restore DRIVE_DIR [--from TIER] [--at TIME].
#include <sys/stat.h>

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "common/sizes.h"
#include "drive/catalog_backup.h"
#include "drive/drive.h"

namespace reel::cli {

namespace {

using nlohmann::json;

struct Args {
  std::string path;
  std::string from;
  std::string at;
  bool json = false;
};

// The drive directory a user named (default: the default drive) and its manifest.
Result<Manifest> DriveManifest(const std::string& dir_in) {
  std::string dir = dir_in;
  if (dir.empty()) {
    REEL_ASSIGN_OR_RETURN(dir, DefaultDriveDir());
  }
  auto m = LoadManifest(dir + "/" + kManifestFileName);
  if (m.status().code() == Code::kNotFound) {
    return Status::NotFound("no drive in " + dir + " (" + kManifestFileName +
                            " is missing: copy the drive's manifest there to restore on a new "
                            "machine)");
  }
  return m;
}

bool IsDriveDir(const std::string& path) {
  struct stat st;
  return !path.empty() && ::stat((path + "/" + kManifestFileName).c_str(), &st) == 0;
}

int PrintBackup(const json& j, bool as_json) {
  if (as_json) {
    PrintJson(j);
    return kExitOk;
  }
  std::string tiers;
  for (const auto& t : j.at("tiers")) tiers += (tiers.empty() ? "" : ", ") + t.get<std::string>();
  std::cout << "Backed up the catalog (" << FormatSize(j.at("catalog_bytes").get<uint64_t>())
            << ", " << FormatSize(j.at("stored_bytes").get<uint64_t>()) << " compressed) to "
            << j.at("key").get<std::string>() << " on the " << tiers << " tier(s)." << std::endl;
  return kExitOk;
}

int Backup(const Args& a) {
  // A mounted drive is backed up by its mount (PATH inside it); a drive that is not mounted,
  // here (PATH is its directory).
  if (!IsDriveDir(a.path)) {
    auto conn = Connect(a.path.empty() ? "." : a.path);
    if (conn.ok()) {
      auto r = conn->client.BackupCatalog();
      return r.ok() ? PrintBackup(*r, a.json) : Fail(r.status());
    }
    if (!a.path.empty()) return Fail(conn.status());
  }
  auto m = DriveManifest(a.path);
  if (!m.ok()) return Fail(m.status());
  auto lock = DriveLock::Acquire(m->dir);
  if (!lock.ok()) {
    return Fail(lock.status().message() + "; back up a mounted drive with: reel catalog backup "
                "MOUNTPOINT");
  }
  auto info = BackupClosedDrive(*m, *lock);
  if (!info.ok()) return Fail(info.status());
  return PrintBackup(CatalogBackupJson(*info), a.json);
}

int List(const Args& a) {
  auto m = DriveManifest(a.path);
  if (!m.ok()) return Fail(m.status());
  auto stores = OpenDriveStores(*m, a.from);
  if (!stores.ok()) return Fail(stores.status());
  json rows = json::array();
  Table t({"TIER", "TIME (UTC)", "SIZE", "KEY"}, {false, false, true, false});
  for (size_t i = 0; i < stores->stores.size(); ++i) {
    auto list = ListCatalogBackups(*stores->stores[i]);
    if (!list.ok()) return Fail(list.status().WithContext(stores->tiers[i] + " tier"));
    for (const StoredBackup& b : *list) {
      rows.push_back({{"tier", stores->tiers[i]}, {"time", FormatUtcTime(b.time)},
                      {"size", b.size}, {"key", b.key}});
      t.AddRow({stores->tiers[i], FormatUtcTime(b.time), FormatSize(b.size), b.key});
    }
  }
  if (a.json) PrintJson(json{{"backups", rows}});
  else if (rows.empty()) std::cout << "No catalog backups." << std::endl;
  else std::cout << t.Render();
  return kExitOk;
}

int Restore(const Args& a) {
  auto m = DriveManifest(a.path);
  if (!m.ok()) return Fail(m.status());
  RestoreOptions o;
  o.from_tier = a.from;
  if (!a.at.empty()) {
    auto at = ParseUtcTime(a.at);
    if (!at.ok()) return UsageError("--at: " + at.status().message());
    o.at = *at;
  }
  auto lock = DriveLock::Acquire(m->dir);
  if (!lock.ok()) {
    return Fail(lock.status().message() + "; unmount the drive before restoring its catalog");
  }
  auto r = RestoreCatalog(*m, *lock, o);
  if (!r.ok()) return Fail(r.status());
  if (a.json) {
    PrintJson(json{{"key", r->key},
                   {"tier", r->tier},
                   {"time", FormatUtcTime(r->time)},
                   {"files", r->stats.files},
                   {"directories", r->stats.directories},
                   {"versions", r->stats.versions},
                   {"replaced", r->replaced},
                   {"staged_files", r->staged_files},
                   {"adopted_files", r->adopted_files},
                   {"adopted_dir", r->adopted_dir}});
    return kExitOk;
  }
  std::cout << "Restored the catalog of " << m->dir << " from " << r->key << " on the "
            << r->tier << " tier (taken " << FormatUtcTime(r->time) << "): " << r->stats.files
            << " files, " << r->stats.directories << " directories, " << r->stats.versions
            << " versions." << std::endl;
  if (!r->replaced.empty()) {
    std::cout << "The previous catalog file was kept as " << r->replaced << "." << std::endl;
  }
  if (r->staged_files > 0) {
    std::cout << r->staged_files << " file(s) with staged writes will be committed at the next "
              << "mount." << std::endl;
  }
  if (r->adopted_files > 0) {
    std::cout << r->adopted_files << " of them belong to files created after the backup: they "
              << "will be in /" << r->adopted_dir << "/ of the drive." << std::endl;
  }
  std::cout << "Changes committed after the backup was taken are not in it." << std::endl;
  return kExitOk;
}

}  // namespace

void AddCatalogCommands(CLI::App& app, Runner* run) {
  auto* catalog = app.add_subcommand("catalog", "Back up or restore the drive's catalog");
  catalog->require_subcommand(1);
  {
    auto a = std::make_shared<Args>();
    auto* cmd = catalog->add_subcommand("backup", "Back up the catalog now");
    cmd->add_option("PATH", a->path,
                    "A path inside a mounted drive, or a drive directory that is not mounted "
                    "(default: the mount holding ., else the default drive)");
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return Backup(*a); }; });
  }
  {
    auto a = std::make_shared<Args>();
    auto* cmd = catalog->add_subcommand("list", "List the catalog backups on the drive's tiers");
    cmd->add_option("DRIVE_DIR", a->path, "Drive directory (default: the default drive)");
    cmd->add_option("--from", a->from, "Only this tier (local, edge or cloud)");
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return List(*a); }; });
  }
  {
    auto a = std::make_shared<Args>();
    auto* cmd = catalog->add_subcommand(
        "restore", "Restore the catalog of a drive that is not mounted from a backup");
    cmd->add_option("DRIVE_DIR", a->path, "Drive directory (only its reel.toml is needed)")
        ->required();
    cmd->add_option("--from", a->from, "Only backups on this tier (local, edge or cloud)");
    cmd->add_option("--at", a->at,
                    "The newest backup at or before this UTC time (e.g. 2026-12-03T11:53:00Z)");
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return Restore(*a); }; });
  }
}

}  // namespace reel::cli
