// The change feed: reel events [PATH] [--follow] [--json] [--after SEQ | --last N], and its
// conflicts: reel conflicts [PATH] [--follow] [--json].
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "api/json_types.h"
#include "catalog/conflict_policy.h"
#include "catalog_rpc/event_feed.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "common/sizes.h"

namespace reel::cli {
namespace {

struct EventArgs {
  std::string path = ".";
  bool follow = false;
  bool json = false;
  std::optional<uint64_t> after;
  uint64_t last = 20;
  bool conflicts_only = false;  // reel conflicts: every conflict the feed still holds
};

// Whether `path` is `under` or lies below it ("" is the whole drive).
bool Under(const std::string& path, const std::string& under) {
  return under.empty() || path == under ||
         (path.size() > under.size() && path.starts_with(under) && path[under.size()] == '/');
}

std::string Shown(const std::string& path) { return path.empty() ? "/" : path; }

// One line a person reads: seq, local time, what, path, details.
std::string Describe(const ChangeEvent& e) {
  std::ostringstream out;
  out << std::setw(8) << e.seq << "  " << FormatLocalTime(e.time) << "  " << std::left
      << std::setw(13) << ChangeKindName(e.kind) << std::right << "  " << Shown(e.path);
  std::vector<std::string> details;
  if (e.kind == ChangeKind::kRenamed) details.push_back("from " + Shown(e.old_path));
  if (e.kind == ChangeKind::kVersion) {
    details.push_back("v" + std::to_string(e.version) + ", " +
                      std::string(VersionKindName(e.version_kind)) + ", " + FormatSize(e.size));
  }
  if (e.kind == ChangeKind::kPublished) details.push_back("v" + std::to_string(e.version));
  if (e.kind == ChangeKind::kConflict) {
    switch (ConflictOutcome(e)) {
      case ConflictPolicy::kLastWriterWins:
        details.push_back("saved on a replaced version: v" + std::to_string(e.version) +
                          " is current, the replaced one stays a version");
        break;
      case ConflictPolicy::kKeepBoth:
        details.push_back("saved on a replaced version: kept as " + Shown(e.old_path));
        break;
      case ConflictPolicy::kReject:
        details.push_back("saved on a replaced version or under a lapsed lock: rejected, "
                          "kept as v" + std::to_string(e.version));
        break;
    }
  }
  if (e.kind == ChangeKind::kTask) details.push_back("task " + std::to_string(e.version));
  if (e.kind == ChangeKind::kLockTaken || e.kind == ChangeKind::kLockReleased) {
    if (!e.instance.empty()) details.push_back("instance " + e.instance);
  }
  if (e.type == FileType::kDirectory) details.push_back("directory");
  if (!e.actor.empty()) details.push_back("by " + e.actor);
  if (!details.empty()) {
    out << "  (";
    for (size_t i = 0; i < details.size(); ++i) out << (i > 0 ? "; " : "") << details[i];
    out << ")";
  }
  return out.str();
}

int Events(const EventArgs& a) {
  auto conn = Connect(a.path);
  if (!conn.ok()) return Fail(conn.status());
  const std::string& under = conn->mount.relative_path;
  uint64_t cursor = 0;
  if (a.conflicts_only) {
    cursor = 0;  // all the feed still holds
  } else if (a.after) {
    cursor = *a.after;
  } else {
    auto head = conn->client.Events(0, 1, std::chrono::seconds(0));
    if (!head.ok()) return Fail(head.status());
    cursor = head->newest > a.last ? head->newest - a.last : 0;
  }
  bool first = true;
  while (true) {
    auto page = conn->client.Events(cursor, kMaxEventsPerRead,
                                    a.follow ? kMaxEventWait : std::chrono::seconds(0));
    if (!page.ok()) return Fail(page.status());
    if (first && page->oldest > cursor + 1 && !a.conflicts_only) {
      std::cerr << "reel: events before " << page->oldest
                << " are no longer kept (the feed is kept as long as the trash)" << std::endl;
    }
    first = false;
    for (const ChangeEvent& e : page->events) {
      cursor = e.seq;
      if (a.conflicts_only && e.kind != ChangeKind::kConflict) continue;
      if (!Under(e.path, under) && !(e.kind == ChangeKind::kRenamed && Under(e.old_path, under))) {
        continue;
      }
      if (a.json) {
        std::cout << nlohmann::json(e).dump() << std::endl;  // JSON Lines
      } else {
        std::cout << Describe(e) << std::endl;
      }
    }
    if (!a.follow && (page->events.empty() || cursor >= page->newest)) return kExitOk;
  }
}

}  // namespace

void AddEventCommands(CLI::App& app, Runner* run) {
  auto a = std::make_shared<EventArgs>();
  auto* cmd = app.add_subcommand(
      "events", "Show what changed in the drive (under PATH, default .): creates, versions, "
                "renames, deletes, restores, publishes");
  cmd->add_option("PATH", a->path, kDrivePathHelp);
  cmd->add_flag("-f,--follow", a->follow, "Keep showing new events as they happen");
  cmd->add_flag("--json", a->json, "One JSON object per event and line (JSON Lines)");
  auto* after = cmd->add_option("--after", a->after,
                                "Start after event SEQ (as printed; resume a --json reader)");
  cmd->add_option("--last", a->last, "Start with the drive's last N events (default 20)")
      ->excludes(after);
  cmd->callback([a, run] { *run = [a] { return Events(*a); }; });

  auto c = std::make_shared<EventArgs>();
  c->conflicts_only = true;
  auto* conflicts = app.add_subcommand(
      "conflicts", "Show the saves made on a version another machine had replaced (under PATH, "
                   "default .), and what the workspace's conflict policy did with each");
  conflicts->add_option("PATH", c->path, kDrivePathHelp);
  conflicts->add_flag("-f,--follow", c->follow, "Keep showing new conflicts as they happen");
  conflicts->add_flag("--json", c->json, "One JSON object per conflict and line (JSON Lines)");
  conflicts->callback([c, run] { *run = [c] { return Events(*c); }; });
}

}  // namespace reel::cli
