// Versions of a file: reel save, reel versions, reel restore, reel status.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>

#include "api/json_types.h"
#include "service/drive_paths.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "common/sizes.h"

namespace reel::cli {
namespace {

using nlohmann::json;

struct PathArgs {
  std::string path;
  std::string message;
  uint64_t version = 0;
  bool json = false;
};

int Save(const PathArgs& a) {
  auto conn = Connect(a.path);
  if (!conn.ok()) return Fail(conn.status());
  auto v = conn->client.Save(conn->mount.relative_path, a.message);
  if (!v.ok()) return FailAt(v.status(), conn->mount.relative_path, a.path);
  // Durable on the working tier (edge, when the drive has one) before we say saved.
  auto queued = conn->client.Call("POST", "/v1/save-tier",
                                  json{{"path", conn->mount.relative_path}},
                                  std::chrono::seconds(120));
  if (!queued.ok() && queued.status().code() != Code::kNotSupported) return Fail(queued.status());
  if (queued.ok() && queued->value("chunks", 0ull) > 0) {
    auto done = WaitForTier(*conn, "edge_bytes", "Saving to edge", false);
    if (!done.ok()) return Fail(done.status());
  }
  if (a.json) {
    json j = *v;
    j["path"] = conn->mount.relative_path;
    PrintJson(j);
  } else {
    std::cout << "Saved " << ShownPath(conn->mount.relative_path) << " as version " << v->number
              << " (" << FormatSize(v->size) << ", " << VersionKindName(v->kind) << ")"
              << std::endl;
  }
  return kExitOk;
}

int Versions(const PathArgs& a) {
  auto conn = Connect(a.path);
  if (!conn.ok()) return Fail(conn.status());
  auto versions = conn->client.Versions(conn->mount.relative_path);
  if (!versions.ok()) return FailAt(versions.status(), conn->mount.relative_path, a.path);
  if (a.version != 0) {  // --version N: that one version, or what exists instead
    auto it = std::find_if(versions->begin(), versions->end(),
                           [&](const VersionInfo& v) { return v.number == a.version; });
    if (it == versions->end()) {
      return FailAt(NoSuchVersion(conn->mount.relative_path, a.version, *versions),
                    conn->mount.relative_path, a.path);
    }
    *versions = {*it};
  }
  if (a.json) {
    PrintJson(json{{"path", conn->mount.relative_path}, {"versions", *versions}});
    return kExitOk;
  }
  if (versions->empty()) {
    std::cout << ShownPath(conn->mount.relative_path)
              << " has no versions yet (a new file gets its first when it is written and "
                 "closed, or with reel save)."
              << std::endl;
    return kExitOk;
  }
  // On a team drive every version has an author, and whether it is published decides who
  // else sees it (share = "on-publish").
  const bool team = std::any_of(versions->begin(), versions->end(),
                                [](const VersionInfo& v) { return !v.author.empty(); });
  std::vector<std::string> headers = {"VERSION", "TIME", "SIZE", "KIND", "MESSAGE"};
  std::vector<bool> right = {true, false, true, false, false};
  if (team) {
    headers.insert(headers.begin() + 4, {"AUTHOR", "PUBLISHED"});
    right.insert(right.begin() + 4, {false, false});
  }
  Table t(headers, right);
  for (const auto& v : *versions) {
    std::vector<std::string> row = {std::to_string(v.number), FormatLocalTime(v.created),
                                    FormatSize(v.size), std::string(VersionKindName(v.kind)),
                                    v.message};
    if (team) {
      const char* published = v.published > 0 ? "yes" : v.published < 0 ? "pending" : "no";
      row.insert(row.begin() + 4, {v.author, published});
    }
    t.AddRow(std::move(row));
  }
  std::cout << t.Render();
  return kExitOk;
}

int Restore(const PathArgs& a) {
  auto conn = Connect(a.path);
  if (!conn.ok()) return Fail(conn.status());
  auto v = conn->client.Restore(conn->mount.relative_path, a.version);
  if (!v.ok()) return FailAt(v.status(), conn->mount.relative_path, a.path);
  if (a.json) {
    json j = *v;
    j["path"] = conn->mount.relative_path;
    j["restored_from"] = a.version;
    PrintJson(j);
  } else {
    std::cout << "Restored " << ShownPath(conn->mount.relative_path) << " to version " << a.version
              << " (now version " << v->number << ", " << FormatSize(v->size) << ")"
              << std::endl;
  }
  return kExitOk;
}

int StatusCmd(const PathArgs& a) {
  auto conn = Connect(a.path);
  if (!conn.ok()) return Fail(conn.status());
  auto st = conn->client.GetStatus(conn->mount.relative_path);
  if (!st.ok()) return FailAt(st.status(), conn->mount.relative_path, a.path);
  if (a.json) {
    PrintJson(*st);
    return kExitOk;
  }
  Table t({"", ""});
  auto row = [&](const std::string& k, const std::string& v) { t.AddRow({k + ":", v}); };
  row("path", ShownPath(st->path.empty() ? conn->mount.relative_path : st->path));
  row("type", std::string(FileTypeName(st->attr.type)));
  row("size", FormatSize(st->attr.size) + " (" + std::to_string(st->attr.size) + " bytes)");
  row("modified", FormatLocalTime(st->attr.mtime));
  if (st->attr.type == FileType::kRegular) {
    if (st->current) {
      const VersionInfo& v = *st->current;
      std::string text = std::to_string(v.number) + " (" + std::string(VersionKindName(v.kind)) +
                         ", " + FormatLocalTime(v.created);
      if (!v.message.empty()) text += ", \"" + v.message + "\"";
      row("version", text + ")");
    } else {
      row("version", "none yet");
    }
    row("chunks", std::to_string(st->chunk_count) + " (" + FormatSize(st->unique_chunk_bytes) +
                      " distinct)");
    row("unsaved", st->dirty ? "yes, " + FormatSize(st->staged_bytes) + " staged" : "no");
    for (const VersionInfo& v : st->rejected) {
      row("rejected", std::to_string(v.number) + " (" + FormatLocalTime(v.created) + ", " +
                          FormatSize(v.size) + "; saved on a version replaced meanwhile: reel "
                          "restore --version " + std::to_string(v.number) + " makes it current)");
    }
    for (const LockHolderInfo& h : st->locks) {
      std::string what = std::string(LockTypeName(h.lock.type)) + " " +
                         (h.lock.flavor == LockFlavor::kOpen    ? "lock-on-open"
                          : h.lock.flavor == LockFlavor::kFlock ? "flock"
                                                                : "lock");
      if (h.lock.flavor == LockFlavor::kPosix &&
          (h.lock.first != 0 || h.lock.last != kLockToEnd)) {
        what += " of bytes " + std::to_string(h.lock.first) + "-" +
                (h.lock.last == kLockToEnd ? std::string("end") : std::to_string(h.lock.last));
      }
      row("locked", what + " by " + h.user + " on " + h.host + " (instance " + h.instance +
                        ", since " + FormatLocalTime(h.since) + ")");
    }
  }
  auto tiers = conn->client.Call(
      "GET", "/v1/placement?path=" + UrlEncode(conn->mount.relative_path), nullptr,
      std::chrono::seconds(60));
  if (tiers.ok()) {
    uint64_t total = tiers->value("total_bytes", 0ull);
    auto of = [&](const char* key) {
      uint64_t b = tiers->value(key, 0ull);
      return FormatSize(b) + " of " + FormatSize(total) +
             (total ? " (" + std::to_string(b * 100 / total) + "%)" : "");
    };
    row("local", of("local_bytes") + (tiers->value("pinned_files", 0ull) ? ", pinned" : ""));
    row("edge", of("edge_bytes"));
    std::string cloud = of("cloud_bytes");
    if (tiers->value("published_files", 0ull)) cloud += ", published";
    if (tiers->value("publishing_files", 0ull)) cloud += ", publishing";
    row("cloud", cloud);
  }
  // The two-column table without its (empty) header line.
  std::string out = t.Render();
  std::cout << out.substr(out.find('\n') + 1);
  return kExitOk;
}

}  // namespace

void AddVersionCommands(CLI::App& app, Runner* run) {
  {
    auto a = std::make_shared<PathArgs>();
    auto* cmd = app.add_subcommand("save", "Make a version (a named checkpoint) of a file now");
    cmd->add_option("PATH", a->path, "File inside a mounted drive")->required();
    cmd->add_option("-m,--message", a->message, "Checkpoint message");
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return Save(*a); }; });
  }
  {
    auto a = std::make_shared<PathArgs>();
    auto* cmd = app.add_subcommand("versions", "List the versions of a file");
    cmd->add_option("PATH", a->path, "File inside a mounted drive")->required();
    cmd->add_option("--version", a->version, "Show only this version")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return Versions(*a); }; });
  }
  {
    auto a = std::make_shared<PathArgs>();
    auto* cmd = app.add_subcommand(
        "restore", "Make an old version of a file current again (as a new version)");
    cmd->add_option("PATH", a->path, "File inside a mounted drive")->required();
    cmd->add_option("--version", a->version, "Version number to restore (see reel versions)")
        ->required()
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return Restore(*a); }; });
  }
  {
    auto a = std::make_shared<PathArgs>();
    auto* cmd = app.add_subcommand("status", "Show a file's size, version and unsaved changes");
    cmd->add_option("PATH", a->path, "File or directory inside a mounted drive")->required();
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return StatusCmd(*a); }; });
  }
}

}  // namespace reel::cli
