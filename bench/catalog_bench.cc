// Catalog operation rates, side by side on every catalog backend given (docs/benchmarks.md,
// "Catalog backends"). bench/catalog_bench.sh starts a PostgreSQL server and runs it.
//
//   catalog_bench [--benchmark_* flags]
//   REEL_BENCH_CATALOGS="sqlite:///tmp/x/catalog.db postgresql://..."   (space-separated URIs)
//
// Per backend: creates in one directory (1 and 4 threads), lookups of existing names, getattr of
// one directory inode, a listing of 1,000 entries, version commits of 4 chunks naming their base.
// Items per second in the "items_per_second" counter.
#include <atomic>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "catalog/catalog.h"
#include "common/clock.h"

namespace reel {
namespace {

// One open catalog per URI, shared by every benchmark and thread (catalogs are thread-safe).
struct Backend {
  std::string name;  // "sqlite", "postgresql"
  std::unique_ptr<Catalog> catalog;
  std::atomic<uint64_t> next_name{0};
};

Backend* OpenBackend(const std::string& uri) {
  auto opened = OpenCatalog(uri, 0, 0);
  if (!opened.ok()) {
    std::fprintf(stderr, "catalog_bench: open %s: %s\n", uri.substr(0, uri.find(':')).c_str(),
                 opened.status().ToString().c_str());
    std::exit(1);
  }
  auto* b = new Backend;  // lives for the whole run
  b->name = uri.substr(0, uri.find(':'));
  b->catalog = std::move(opened).value();
  return b;
}

// A fresh directory for one benchmark run, made once however many threads run it.
class RunDir {
 public:
  // `name`: the benchmark's; every run of it (and each thread count) shares one directory.
  InodeId Get(benchmark::State& state, Backend* b, const std::string& name, size_t files) {
    std::lock_guard lock(mu_);
    const std::string key = name + "/" + std::to_string(state.threads());
    auto it = dirs_.find(key);
    if (it != dirs_.end()) return it->second;
    NewNode dir{FileType::kDirectory, 0755, 0, 0, {}};
    auto made = b->catalog->CreateNode(
        kRootInode, "d" + std::to_string(b->next_name++), dir, WallClockNs());
    if (!made.ok()) {
      state.SkipWithError(made.status().ToString().c_str());
      return 0;
    }
    for (size_t i = 0; i < files; ++i) {
      NewNode f{FileType::kRegular, 0644, 0, 0, {}};
      auto c = b->catalog->CreateNode(made->ino, "f" + std::to_string(i), f, WallClockNs());
      if (!c.ok()) {
        state.SkipWithError(c.status().ToString().c_str());
        return 0;
      }
    }
    dirs_[key] = made->ino;
    return made->ino;
  }

 private:
  std::mutex mu_;  // guards dirs_
  std::map<std::string, InodeId> dirs_;
};

RunDir run_dirs;

void Fail(benchmark::State& state, const Status& s) { state.SkipWithError(s.ToString().c_str()); }

void BM_Create(benchmark::State& state, Backend* b, const std::string& name) {
  const InodeId dir = run_dirs.Get(state, b, name, 0);
  if (dir == 0) return;
  NewNode f{FileType::kRegular, 0644, 0, 0, {}};
  for (auto _ : state) {
    auto c = b->catalog->CreateNode(dir, "n" + std::to_string(b->next_name++), f, WallClockNs());
    if (!c.ok()) return Fail(state, c.status());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Lookup(benchmark::State& state, Backend* b, const std::string& name) {
  const InodeId dir = run_dirs.Get(state, b, name, 1000);
  if (dir == 0) return;
  size_t i = state.thread_index();
  for (auto _ : state) {
    auto l = b->catalog->Lookup(dir, "f" + std::to_string(i++ % 1000));
    if (!l.ok()) return Fail(state, l.status());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_GetAttributes(benchmark::State& state, Backend* b, const std::string& name) {
  const InodeId dir = run_dirs.Get(state, b, name, 0);
  if (dir == 0) return;
  for (auto _ : state) {
    auto a = b->catalog->GetAttributes(dir);
    if (!a.ok()) return Fail(state, a.status());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ReadDir1000(benchmark::State& state, Backend* b, const std::string& name) {
  const InodeId dir = run_dirs.Get(state, b, name, 1000);
  if (dir == 0) return;
  for (auto _ : state) {
    uint64_t cookie = 0;
    size_t n = 0;
    while (true) {
      auto page = b->catalog->ReadDir(dir, cookie, 512);
      if (!page.ok()) return Fail(state, page.status());
      if (page->empty()) break;
      n += page->size();
      cookie = page->back().cookie;
    }
    if (n != 1000) return Fail(state, Status::Internal("listed " + std::to_string(n)));
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}

void BM_CommitVersion(benchmark::State& state, Backend* b, const std::string& name) {
  const InodeId dir = run_dirs.Get(state, b, name, 0);
  if (dir == 0) return;
  NewNode node{FileType::kRegular, 0644, 0, 0, {}};
  auto f = b->catalog->CreateNode(dir, "v" + std::to_string(b->next_name++), node, WallClockNs());
  if (!f.ok()) return Fail(state, f.status());
  uint64_t base = 0;
  uint64_t n = 0;
  for (auto _ : state) {
    NewVersion v;
    for (int c = 0; c < 4; ++c) {
      ChunkId id;
      const uint64_t x = (b->next_name++ << 2) | static_cast<uint64_t>(c);
      std::memcpy(id.bytes.data(), &x, sizeof x);
      id.bytes[31] = 1;  // never the all-zero hole id
      v.chunks.push_back({id, 1 << 20});
      v.size += 1 << 20;
    }
    v.base = base;
    auto made = b->catalog->CommitVersion(f->ino, v, WallClockNs());
    if (!made.ok()) return Fail(state, made.status());
    base = made->id;
    ++n;
  }
  state.SetItemsProcessed(static_cast<int64_t>(n));
}

}  // namespace
}  // namespace reel

int main(int argc, char** argv) {
  const char* env = std::getenv("REEL_BENCH_CATALOGS");
  if (env == nullptr || *env == '\0') {
    std::fprintf(stderr, "catalog_bench: set REEL_BENCH_CATALOGS to catalog URIs "
                         "(bench/catalog_bench.sh does)\n");
    return 2;
  }
  std::istringstream uris(env);
  for (std::string uri; uris >> uri;) {
    reel::Backend* b = reel::OpenBackend(uri);
    const std::string n = b->name;
    benchmark::RegisterBenchmark((n + "/create").c_str(), reel::BM_Create, b, n + "/create")->Threads(1)->Threads(4)->UseRealTime();
    benchmark::RegisterBenchmark((n + "/lookup").c_str(), reel::BM_Lookup, b, n + "/lookup")->Threads(1)->Threads(4)->UseRealTime();
    benchmark::RegisterBenchmark((n + "/getattr").c_str(), reel::BM_GetAttributes, b, n + "/getattr")->UseRealTime();
    benchmark::RegisterBenchmark((n + "/readdir_1000").c_str(), reel::BM_ReadDir1000, b, n + "/readdir_1000")->UseRealTime();
    benchmark::RegisterBenchmark((n + "/commit_4_chunks").c_str(), reel::BM_CommitVersion, b, n + "/commit_4_chunks")->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
