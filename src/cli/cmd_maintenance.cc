// The trash and drive maintenance: reel trash [list|restore], reel gc, reel fsck, reel sync.
#include <iostream>
#include <memory>

#include "api/json_types.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "common/sizes.h"

namespace reel::cli {
namespace {

using nlohmann::json;

struct Args {
  std::string path = ".";
  uint64_t id = 0;
  std::string to;
  bool json = false;
};

int TrashList(const Args& a) {
  auto conn = Connect(a.path);
  if (!conn.ok()) return Fail(conn.status());
  auto entries = conn->client.Trash();
  if (!entries.ok()) return Fail(entries.status());
  if (a.json) {
    PrintJson(json{{"entries", *entries}});
    return kExitOk;
  }
  if (entries->empty()) {
    std::cout << "The trash is empty." << std::endl;
    return kExitOk;
  }
  Table t({"ID", "DELETED", "SIZE", "PATH"}, {true, false, true, false});
  for (const auto& e : *entries) {
    t.AddRow({std::to_string(e.id), FormatLocalTime(e.deleted), FormatSize(e.size),
              e.original_path});
  }
  std::cout << t.Render();
  return kExitOk;
}

int TrashRestore(const Args& a) {
  // --to names the new place (any path inside the same mount); without it, the entry goes back
  // where it was deleted from, in the mount that holds the current directory.
  auto conn = Connect(a.to.empty() ? a.path : a.to);
  if (!conn.ok()) return Fail(conn.status());
  std::string target = a.to.empty() ? "" : conn->mount.relative_path;
  if (!a.to.empty() && target.empty()) {
    return Fail("--to must name a file inside the drive, not its root");
  }
  auto r = conn->client.RestoreFromTrash(a.id, target);
  if (!r.ok()) return Fail(r.status());
  if (a.json) {
    json j = *r;
    j["id"] = a.id;
    PrintJson(j);
  } else {
    std::cout << "Restored trash entry " << a.id << " to "
              << (r->path.empty() ? std::string("its original path") : r->path) << std::endl;
  }
  return kExitOk;
}

int Gc(const Args& a) {
  auto conn = Connect(a.path);
  if (!conn.ok()) return Fail(conn.status());
  auto r = conn->client.Gc();
  if (!r.ok()) return Fail(r.status());
  if (a.json) {
    PrintJson(*r);
    return kExitOk;
  }
  std::cout << "Purged " << r->trash_purged << " trash entries; deleted " << r->chunks_deleted
            << " unreferenced chunks (" << FormatSize(r->bytes_deleted) << ") and "
            << r->orphans_deleted << " orphaned objects (" << FormatSize(r->orphan_bytes_deleted)
            << ")";
  if (r->orphan_packs_deleted > 0) {
    std::cout << "; deleted " << r->orphan_packs_deleted << " unreferenced packs ("
              << FormatSize(r->orphan_pack_bytes_deleted) << ") on shared tiers";
  }
  std::cout << "." << std::endl;
  return kExitOk;
}

int Fsck(const Args& a) {
  auto conn = Connect(a.path);
  if (!conn.ok()) return Fail(conn.status());
  auto r = conn->client.Fsck();
  if (!r.ok()) return Fail(r.status());
  if (a.json) {
    PrintJson(*r);
    return r->ok() ? kExitOk : kExitError;
  }
  std::cout << "Checked " << r->chunks_checked << " chunks (" << FormatSize(r->bytes_checked)
            << ")." << std::endl;
  for (const auto& id : r->missing) std::cout << "missing: " << id << "\n";
  for (const auto& id : r->corrupt) std::cout << "corrupt: " << id << "\n";
  if (!r->ok()) {
    return Fail("fsck found " + std::to_string(r->missing.size()) + " missing and " +
                std::to_string(r->corrupt.size()) + " corrupt chunks");
  }
  std::cout << "No problems found." << std::endl;
  return kExitOk;
}

int Sync(const Args& a) {
  auto conn = Connect(a.path);
  if (!conn.ok()) return Fail(conn.status());
  Status s = conn->client.Sync();
  if (!s.ok()) return Fail(s);
  if (a.json) {
    PrintJson(json{{"ok", true}, {"mountpoint", conn->mount.record.mountpoint}});
  } else {
    std::cout << "All pending versions of " << conn->mount.record.mountpoint << " are committed."
              << std::endl;
  }
  return kExitOk;
}

void AddPathCommand(CLI::App& app, Runner* run, const char* name, const char* help,
                    int (*fn)(const Args&)) {
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(name, help);
  cmd->add_option("PATH", a->path, kDrivePathHelp);
  cmd->add_flag("--json", a->json, "Machine-readable output");
  cmd->callback([a, run, fn] { *run = [a, fn] { return fn(*a); }; });
}

}  // namespace

void AddMaintenanceCommands(CLI::App& app, Runner* run) {
  {
    auto a = std::make_shared<Args>();
    // `reel trash [PATH]`, `reel trash list [PATH]`, `reel trash restore ID [PATH]`: PATH is any
    // path inside the drive, as for gc, fsck and sync.
    auto* trash = app.add_subcommand(
        "trash", "List deleted files (of the drive holding PATH, default .), or restore one");
    trash->add_option("PATH", a->path, kDrivePathHelp);
    trash->add_flag("--json", a->json, "Machine-readable output");
    trash->require_subcommand(0, 1);
    auto* list = trash->add_subcommand("list", "List the trash (of the drive holding PATH, default .)");
    list->add_option("PATH", a->path, kDrivePathHelp);
    list->add_flag("--json", a->json, "Machine-readable output");
    auto* restore = trash->add_subcommand("restore", "Restore a deleted file");
    restore->add_option("ID", a->id, "Trash entry id (see reel trash)")
        ->required()
        ->check(CLI::PositiveNumber);
    restore->add_option("PATH", a->path, kDrivePathHelp);
    restore->add_option("--to", a->to, "Where to put it (default: where it was deleted from)");
    restore->add_flag("--json", a->json, "Machine-readable output");
    trash->callback([a, run, restore] {
      if (restore->parsed()) {
        *run = [a] { return TrashRestore(*a); };
      } else {
        *run = [a] { return TrashList(*a); };
      }
    });
  }
  AddPathCommand(app, run, "gc", "Purge old trash and delete chunks no version uses", &Gc);
  AddPathCommand(app, run, "fsck", "Verify every stored chunk against its hash", &Fsck);
  AddPathCommand(app, run, "sync", "Wait until every pending version is committed", &Sync);
}

}  // namespace reel::cli
