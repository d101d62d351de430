// Where bytes live: reel publish, hydrate, evict, pin, unpin, transfers (and the tier part of
// reel save and reel status).
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cli/output.h"
#include "common/sizes.h"

namespace reel::cli {

using nlohmann::json;

namespace {

constexpr auto kTimeout = std::chrono::seconds(120);

struct TierArgs {
  std::vector<std::string> paths;
  bool no_wait = false;
  bool json = false;
  bool pause = false;
  bool resume = false;
};

// Arguments as given, with shell-style patterns expanded when the shell did not (a quoted glob,
// or a pattern from a script). A pattern that matches nothing is an error.
Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const std::string& a : args) {
    struct stat st;
    if (a.find_first_of("*?[") == std::string::npos || ::lstat(a.c_str(), &st) == 0) {
      out.push_back(a);
      continue;
    }
    glob_t g{};
    int rc = ::glob(a.c_str(), GLOB_NOSORT, nullptr, &g);
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    }
    globfree(&g);
    if (rc != 0) return Status::NotFound("no file matches '" + a + "'");
  }
  return out;
}

void Progress(const std::string& label, uint64_t done, uint64_t total) {
  if (!::isatty(STDERR_FILENO)) return;
  constexpr int kWidth = 30;
  double f = total == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
  int filled = static_cast<int>(f * kWidth);
  std::cerr << "\r" << label << " [" << std::string(filled, '#') << std::string(kWidth - filled, ' ')
            << "] " << static_cast<int>(f * 100) << "% " << FormatSize(done) << " / "
            << FormatSize(total) << "   " << std::flush;
}

}  // namespace

Result<json> WaitForTier(Connection& conn, const std::string& field, const std::string& label,
                         bool published) {
  json usage;
  while (true) {
    REEL_ASSIGN_OR_RETURN(usage, conn.client.Call("GET",
                                                  "/v1/placement?path=" +
                                                      UrlEncode(conn.mount.relative_path),
                                                  nullptr, kTimeout));
    uint64_t total = usage.value("total_bytes", 0ull);
    uint64_t done = usage.value(field, 0ull);
    Progress(label, done, total);
    bool finished = done >= total && (!published || usage.value("publishing_files", 0ull) == 0);
    if (finished) break;
    REEL_ASSIGN_OR_RETURN(json t, conn.client.Call("GET", "/v1/transfers", nullptr, kTimeout));
    if (t.value("paused", false)) {
      if (::isatty(STDERR_FILENO)) std::cerr << std::endl;
      return Status::Busy("transfers are paused (reel transfers --resume); " + label +
                          " continues when they resume");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (::isatty(STDERR_FILENO)) std::cerr << std::endl;
  return usage;
}

namespace {

// Runs POST `route` for every path; with `wait_field`, waits until that tier holds every byte.
int PathCommand(const TierArgs& a, const std::string& route, const std::string& verb,
                const std::string& wait_field, bool published) {
  auto paths = ExpandPaths(a.paths);
  if (!paths.ok()) return Fail(paths.status());
  json results = json::array();
  for (const std::string& p : *paths) {
    auto conn = Connect(p);
    if (!conn.ok()) return Fail(conn.status());
    auto r = conn->client.Call("POST", route, json{{"path", conn->mount.relative_path}}, kTimeout);
    if (!r.ok()) return FailAt(r.status(), conn->mount.relative_path, p);
    if (!wait_field.empty() && !a.no_wait) {
      auto usage = WaitForTier(*conn, wait_field, verb + " " + p, published);
      if (!usage.ok()) return Fail(usage.status());
      (*r)["tiers"] = *usage;
    }
    if (!a.json) {
      std::cout << verb << " " << p << ": " << r->value("files", 0ull) << " file(s), "
                << r->value("chunks", 0ull) << " chunk(s), "
                << FormatSize(r->value("bytes", 0ull))
                << (wait_field.empty() || a.no_wait ? "" : ", done") << std::endl;
    }
    results.push_back(*r);
  }
  if (a.json) PrintJson(results);
  return kExitOk;
}

int Transfers(const TierArgs& a) {
  if (a.pause && a.resume) return UsageError("--pause and --resume exclude each other");
  auto conn = Connect(a.paths.empty() ? "." : a.paths.front());
  if (!conn.ok()) return Fail(conn.status());
  if (a.pause || a.resume) {
    auto r = conn->client.Call("POST", a.pause ? "/v1/transfers/pause" : "/v1/transfers/resume",
                               json::object(), kTimeout);
    if (!r.ok()) return Fail(r.status());
  }
  auto t = conn->client.Call("GET", "/v1/transfers", nullptr, kTimeout);
  if (!t.ok()) return Fail(t.status());
  if (a.json) {
    PrintJson(*t);
    return kExitOk;
  }
  std::cout << "transfers: " << ((*t)["paused"].get<bool>() ? "paused" : "running") << "\n"
            << "  queued:  " << (*t)["queued"].get<uint64_t>() << " ("
            << (*t)["waiting_retry"].get<uint64_t>() << " waiting to retry)\n"
            << "  running: " << (*t)["running"].get<uint64_t>() << "\n"
            << "  pending: " << FormatSize((*t)["bytes_pending"].get<uint64_t>()) << "\n"
            << "  done:    " << (*t)["completed"].get<uint64_t>() << " ("
            << FormatSize((*t)["completed_bytes"].get<uint64_t>()) << ") since mount\n";
  std::string err = (*t)["last_error"].get<std::string>();
  if ((*t)["failures"].get<uint64_t>() > 0) {
    std::cout << "  failed attempts: " << (*t)["failures"].get<uint64_t>()
              << " (last: " << err << ")\n";
  }
  return kExitOk;
}

}  // namespace

void AddTierCommands(CLI::App& app, Runner* run) {
  auto path_cmd = [&](const char* name, const char* help, std::string route, std::string verb,
                      std::string wait_field, bool published) {
    auto a = std::make_shared<TierArgs>();
    auto* cmd = app.add_subcommand(name, help);
    cmd->add_option("PATH", a->paths, "Files, directories or patterns inside a mounted drive")
        ->required();
    if (!wait_field.empty()) {
      cmd->add_flag("--no-wait", a->no_wait, "Queue the transfers and return at once");
    }
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([=] {
      *run = [=] { return PathCommand(*a, route, verb, wait_field, published); };
    });
  };
  path_cmd("publish", "Make the current versions durable on the cloud tier and mark them published",
           "/v1/publish", "Published", "cloud_bytes", true);
  path_cmd("hydrate", "Fetch files into this machine's cache", "/v1/hydrate", "Hydrated",
           "local_bytes", false);
  path_cmd("evict", "Drop this machine's copies of files that are safe on another tier",
           "/v1/evict", "Evicted", "", false);
  path_cmd("pin", "Keep files in this machine's cache (fetching them now)", "/v1/pin", "Pinned",
           "local_bytes", false);
  path_cmd("unpin", "Let the cache evict files again", "/v1/unpin", "Unpinned", "", false);
  {
    auto a = std::make_shared<TierArgs>();
    auto* cmd = app.add_subcommand("transfers", "Show, pause or resume the transfer queue");
    cmd->add_option("PATH", a->paths, "Any path inside the mount (default: .)");
    cmd->add_flag("--pause", a->pause, "Pause transfers (queued ones stay queued)");
    cmd->add_flag("--resume", a->resume, "Resume paused transfers");
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return Transfers(*a); }; });
  }
}

}  // namespace reel::cli
