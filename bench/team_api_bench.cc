// Metadata calls of many clients against two team servers on one PostgreSQL database
// (docs/benchmarks.md, "Team server"). bench/team_api_bench.sh starts the database and runs it.
//
//   team_api_bench URI [--clients N] [--seconds S]
//
// Two rows, side by side in one run: "direct" is what one API call costs the database (the
// token check and the caller's workspace list, straight on TeamDirectory: the limit), and "HTTP"
// is the same call as clients make it (GET /v1/workspaces through TeamClient, every client
// alternating between the two servers). Per row: calls/s, p50 and p99 latency, errors, and the
// most database connections open at once (sampled every 50 ms).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "catalog/postgres/pg_conn.h"
#include "common/clock.h"
#include "remote/team_client.h"
#include "server/team_server.h"
#include "team/team_directory.h"

namespace reel {
namespace {

struct RowResult {
  double calls_per_second = 0;
  double p50_us = 0, p99_us = 0;
  uint64_t errors = 0;
  int64_t max_connections = 0;
};

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "team_api_bench: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

// Runs `call(client, i)` from `clients` threads for `seconds`, sampling connections.
RowResult Measure(int clients, int seconds, postgres::PgConn& sampler,
                  const std::function<Status(int client, uint64_t i)>& call) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> errors{0};
  std::vector<std::vector<double>> latencies(clients);
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        Status s = call(c, i);
        const auto t1 = std::chrono::steady_clock::now();
        if (!s.ok()) {
          if (errors.fetch_add(1) == 0) std::fprintf(stderr, "first error: %s\n", s.ToString().c_str());
        }
        latencies[c].push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      }
    });
  }
  RowResult r;
  const auto end = start + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < end) {
    auto rows = sampler.Query(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
        "pid <> pg_backend_pid()");
    if (rows.ok()) r.max_connections = std::max(r.max_connections, rows->Int(0, 0));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  r.calls_per_second = static_cast<double>(all.size()) / elapsed;
  if (!all.empty()) {
    r.p50_us = all[all.size() / 2];
    r.p99_us = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  r.errors = errors;
  return r;
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: team_api_bench POSTGRESQL_URI [--clients N] [--seconds S]\n");
    return 2;
  }
  const std::string uri = argv[1];
  int clients = 50, seconds = 10;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--clients") == 0) clients = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atoi(argv[i + 1]);
  }
  spdlog::set_level(spdlog::level::warn);  // no per-request log lines in the measurement
  std::unique_ptr<TeamDirectory> dirs[2];
  for (auto& d : dirs) {
    auto opened = TeamDirectory::Open(uri);
    if (!opened.ok()) Die("open " + uri.substr(0, uri.find(':')), opened.status());
    d = std::move(opened).value();
  }
  const TimeNs now = WallClockNs();
  std::vector<std::string> tokens;
  auto admin = dirs[0]->AddUser("admin", now);
  if (!admin.ok()) Die("add admin", admin.status());
  if (auto w = dirs[0]->CreateWorkspace("show", {*admin, "", now}); !w.ok()) Die("workspace", w.status());
  for (int c = 0; c < clients; ++c) {
    const std::string name = "u" + std::to_string(c);
    if (auto u = dirs[0]->AddUser(name, now); !u.ok()) Die("add user", u.status());
    if (Status s = dirs[0]->SetGrant("show", name, Role::kReader); !s.ok()) Die("grant", s);
    auto t = dirs[0]->CreateToken(name, now, 0);
    if (!t.ok()) Die("token", t.status());
    tokens.push_back(t->secret);
  }
  std::unique_ptr<TeamServer> servers[2];
  for (int s = 0; s < 2; ++s) {
    auto started = TeamServer::Start(dirs[s].get(), TeamServerOptions{});
    if (!started.ok()) Die("start server", started.status());
    servers[s] = std::move(started).value();
  }
  auto sampler = postgres::PgConn::Connect(uri);
  if (!sampler.ok()) Die("connect", sampler.status());

  RowResult direct = Measure(clients, seconds, **sampler, [&](int c, uint64_t i) -> Status {
    TeamDirectory& d = *dirs[i % 2];
    REEL_ASSIGN_OR_RETURN(User u, d.Authenticate(tokens[c], WallClockNs()));
    REEL_ASSIGN_OR_RETURN(auto spaces, d.ListWorkspaces(u));
    return spaces.size() == 2 ? Status::Ok() : Status::Internal("wrong workspace count");
  });
  RowResult http = Measure(clients, seconds, **sampler, [&](int c, uint64_t i) -> Status {
    TeamClientOptions o;
    o.url = servers[i % 2]->url();
    o.token = tokens[c];
    o.retry_for = std::chrono::milliseconds(0);
    REEL_ASSIGN_OR_RETURN(auto spaces, TeamClient(o).Workspaces());
    return spaces.size() == 2 ? Status::Ok() : Status::Internal("wrong workspace count");
  });
  std::printf("| Path | Calls/s | p50 (ms) | p99 (ms) | Errors | DB connections (max) |\n");
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  for (const auto& [name, r] : {std::pair<const char*, RowResult>{"direct (TeamDirectory, the limit)", direct},
                                {"HTTP, 2 servers", http}}) {
    std::printf("| %s | %.0f | %.2f | %.2f | %llu | %lld |\n", name, r.calls_per_second,
                r.p50_us / 1000, r.p99_us / 1000, static_cast<unsigned long long>(r.errors),
                static_cast<long long>(r.max_connections));
  }
  std::printf("\nHTTP / direct: %.2fx calls/s; %d clients, %d s per row, pools of %zu connections "
              "per server\n",
              http.calls_per_second / direct.calls_per_second, clients, seconds, size_t{8});
  return direct.errors + http.errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace reel

int main(int argc, char** argv) { return reel::Main(argc, argv); }
