// Lock acquire latency across mounts (docs/benchmarks.md, "Locks across machines"): a team server
// on a real PostgreSQL, two instances of one workspace, beside the limits. bench/lock_bench.sh
// starts the database and runs it.
//
//   lock_bench POSTGRESQL_URI [--rounds N]
//
// Rows, p50 and p99 over N rounds each:
//   - flock(2) on a local file: the kernel's lock, one machine (the limit of any lock);
//   - one API round trip that reads the file's locks (HTTP + one database transaction): the
//     floor of any lock kept by the server;
//   - an uncontended lock (one mount takes a write lock; its unlock is not timed);
//   - a handoff across mounts: mount A holds the lock and mount B waits for it, as a mount's
//     waiting F_SETLKW does (fuse/lock_waiters.h), woken by the change feed's lock_released;
//     timed from A's unlock call to B holding the lock.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "remote/feed_follower.h"
#include "remote/remote_catalog.h"
#include "remote/team_client.h"
#include "remote/team_locks.h"
#include "server/team_server.h"
#include "team/team_directory.h"

namespace reel {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "lock_bench: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

struct Row {
  const char* name;
  std::vector<double> us;
};

double Micros(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

void Print(const std::vector<Row>& rows) {
  std::printf("| Row | p50 (us) | p99 (us) | p50 / API round trip |\n|---|---:|---:|---:|\n");
  auto pct = [](std::vector<double> v, size_t p) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, v.size() * p / 100)];
  };
  const double floor = pct(rows[1].us, 50);
  for (const Row& r : rows) {
    std::printf("| %s | %.1f | %.1f | %.2f |\n", r.name, pct(r.us, 50), pct(r.us, 99),
                pct(r.us, 50) / floor);
  }
}

FileLock WriteLock(uint64_t owner, LockType type = LockType::kWrite) {
  FileLock l;
  l.flavor = LockFlavor::kFlock;
  l.type = type;
  l.owner = owner;
  return l;
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: lock_bench POSTGRESQL_URI [--rounds N]\n");
    return 2;
  }
  const std::string uri = argv[1];
  int rounds = 500;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::max(10, std::atoi(argv[i + 1]));
  }
  spdlog::set_level(spdlog::level::warn);
  auto team = TeamDirectory::Open(uri);
  if (!team.ok()) Die("open the database", team.status());
  const TimeNs now = WallClockNs();
  std::string tokens[2];
  const char* users[2] = {"alice", "bob"};
  for (int i = 0; i < 2; ++i) {
    if (auto u = (*team)->AddUser(users[i], now); !u.ok()) Die("add user", u.status());
    auto t = (*team)->CreateToken(users[i], now, 0);
    if (!t.ok()) Die("token", t.status());
    tokens[i] = t->secret;
  }
  auto alice = (*team)->FindUser("alice");
  if (!alice.ok()) Die("find alice", alice.status());
  if (auto w = (*team)->CreateWorkspace("show", {*alice, "", now}); !w.ok()) {
    Die("workspace", w.status());
  }
  if (Status s = (*team)->SetGrant("show", "bob", Role::kWriter); !s.ok()) Die("grant", s);
  auto server = TeamServer::Start(team->get(), TeamServerOptions{});
  if (!server.ok()) Die("start the server", server.status());

  TeamClientOptions mount[2];
  for (int i = 0; i < 2; ++i) {
    mount[i].url = (*server)->url();
    mount[i].token = tokens[i];
    mount[i].instance = std::string("m-bench-") + users[i];
    InstanceView self;
    self.name = mount[i].instance;
    self.workspace = "show";
    self.host = "bench";
    if (Status s = TeamClient(mount[i]).ReportInstance(self); !s.ok()) Die("report", s);
  }
  RemoteCatalog catalog(mount[0], "show");
  auto file = catalog.CreateNode(kRootInode, "scene.blend",
                                 NewNode{FileType::kRegular, 0644, 0, 0, {}}, now);
  if (!file.ok()) Die("create", file.status());
  const InodeId ino = file->ino;

  std::vector<Row> rows;
  {
    char path[] = "/tmp/lock-bench-XXXXXX";
    const int fd = ::mkstemp(path);
    Row r{"flock(2) on a local file (the limit: one machine)", {}};
    for (int i = 0; i < rounds; ++i) {
      const auto t0 = Clock::now();
      ::flock(fd, LOCK_EX);
      r.us.push_back(Micros(t0, Clock::now()));
      ::flock(fd, LOCK_UN);
    }
    ::close(fd);
    ::unlink(path);
    rows.push_back(std::move(r));
  }
  TeamLocks a(mount[0], "show"), b(mount[1], "show");
  {
    Row r{"API round trip: read the file's locks (HTTP + 1 transaction)", {}};
    for (int i = 0; i < rounds; ++i) {
      const auto t0 = Clock::now();
      if (auto h = a.Holders(ino); !h.ok()) Die("holders", h.status());
      r.us.push_back(Micros(t0, Clock::now()));
    }
    rows.push_back(std::move(r));
  }
  {
    Row r{"lock, uncontended (one mount)", {}};
    for (int i = 0; i < rounds; ++i) {
      const auto t0 = Clock::now();
      auto got = a.Set(ino, WriteLock(1));
      r.us.push_back(Micros(t0, Clock::now()));
      if (!got.ok() || got->has_value()) Die("lock", got.ok() ? Status::Internal("refused") : got.status());
      if (auto u = a.Set(ino, WriteLock(1, LockType::kUnlock)); !u.ok()) Die("unlock", u.status());
    }
    rows.push_back(std::move(r));
  }
  {
    // B follows the feed as a mount does; its waits wake on lock_released.
    FeedFollower feed(mount[1], "show");
    Status followed = feed.Start([&b](const std::vector<ChangeEvent>& events, bool) {
      for (const ChangeEvent& e : events) {
        if (e.kind == ChangeKind::kLockReleased) b.ReleasedElsewhere(e.ino);
      }
    });
    if (!followed.ok()) Die("follow the feed", followed);
    Row r{"handoff across mounts: A unlocks, B's waiting lock granted", {}};
    for (int i = 0; i < rounds; ++i) {
      if (auto got = a.Set(ino, WriteLock(1)); !got.ok() || got->has_value()) Die("A locks", Status::Internal("A could not lock"));
      std::atomic<bool> waiting{false};
      Clock::time_point granted;
      std::thread waiter([&] {
        for (bool first = true;; first = false) {
          auto got = b.Set(ino, WriteLock(2));
          if (!got.ok()) Die("B locks", got.status());
          if (!got->has_value()) break;
          if (first) waiting = true;
          b.WaitForRelease(ino, std::chrono::milliseconds(250));
        }
        granted = Clock::now();
      });
      while (!waiting) std::this_thread::yield();  // B has been refused once: it waits
      const auto t0 = Clock::now();
      if (auto u = a.Set(ino, WriteLock(1, LockType::kUnlock)); !u.ok()) Die("A unlocks", u.status());
      waiter.join();
      r.us.push_back(Micros(t0, granted));
      if (auto u = b.Set(ino, WriteLock(2, LockType::kUnlock)); !u.ok()) Die("B unlocks", u.status());
    }
    rows.push_back(std::move(r));
  }
  std::printf("%d rounds per row; one team server and PostgreSQL on loopback; flocks\n\n", rounds);
  Print(rows);
  return 0;
}

}  // namespace
}  // namespace reel

int main(int argc, char** argv) { return reel::Main(argc, argv); }
