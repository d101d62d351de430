// How much new chunk data an edit costs, and how fast the cut is, for several chunker settings.
// Used to choose the FastCDC defaults (bench/results/chunking.md).
//
//   chunk_edit_experiment FILE...
//
// For each file and each setting: chunk the file (chunk id = SHA-256), apply one edit at a time,
// chunk the edited file and count the bytes of chunks the original does not have (what an
// upload of the new version would send). Edits:
//   ins100@4K   insert 100 bytes at offset 4 KiB (a metadata edit that grows a header)
//   ins100      insert 100 bytes; mean over 16 offsets spread over the file
//   ow1M        overwrite 1 MiB with new bytes; mean over 16 offsets spread over the file
//   append1M    append 1 MiB (a growing file)
// Also: "read KiB", the mean size of the chunk holding a random byte (what a small random read
// costs if whole chunks are fetched). Prints a Markdown table. Throughput columns are the best
// of 3 passes over the whole file (thread CPU time).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "chunking/chunker.h"
#include "chunking/sha256.h"

namespace reel {
namespace {

std::vector<uint8_t> ReadFile(const char* path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", path);
    std::exit(2);
  }
  std::vector<uint8_t> v(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size()));
  return v;
}

std::vector<uint8_t> Noise(size_t n, uint64_t seed) {
  std::vector<uint8_t> v(n);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    v[i] = static_cast<uint8_t>((x * 0x2545F4914F6CDD1Dull) >> 56);
  }
  return v;
}

std::vector<size_t> Cuts(const Chunker& chunker, std::span<const uint8_t> data) {
  std::vector<size_t> lengths;
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t rest = data.size() - pos;
    const bool at_end = rest <= chunker.MaxChunk();
    const size_t cut =
        chunker.NextCut(data.subspan(pos, at_end ? rest : chunker.MaxChunk()), at_end);
    lengths.push_back(cut);
    pos += cut;
  }
  return lengths;
}

using IdSet = std::unordered_set<ChunkId, ChunkIdHash>;

IdSet Ids(std::span<const uint8_t> data, const std::vector<size_t>& lengths) {
  IdSet ids;
  size_t pos = 0;
  for (size_t len : lengths) {
    ids.insert(Sha256(data.subspan(pos, len)));
    pos += len;
  }
  return ids;
}

// Bytes of `edited` in chunks that `before` does not have.
size_t NewBytes(const Chunker& chunker, const IdSet& before, std::span<const uint8_t> edited) {
  size_t fresh = 0;
  size_t pos = 0;
  for (size_t len : Cuts(chunker, edited)) {
    if (!before.count(Sha256(edited.subspan(pos, len)))) fresh += len;
    pos += len;
  }
  return fresh;
}

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

// Best of 3, in thread CPU time (as Google Benchmark reports), so other work on the machine
// does not count.
double Seconds(const std::function<void()>& fn) {
  double best = 1e9;
  for (int rep = 0; rep < 3; ++rep) {
    const double t0 = ThreadCpuSeconds();
    fn();
    best = std::min(best, ThreadCpuSeconds() - t0);
  }
  return best;
}

struct Setting {
  std::string name;
  ChunkerOptions opts;
};

Setting Cdc(uint32_t min_kib, uint32_t avg_kib, uint32_t max_kib) {
  ChunkerOptions o;
  o.min_size = min_kib << 10;
  o.avg_size = avg_kib << 10;
  o.max_size = max_kib << 10;
  auto k = [](uint32_t kib) {
    return kib >= 1024 ? std::to_string(kib >> 10) + "M" : std::to_string(kib) + "K";
  };
  return {k(min_kib) + "/" + k(avg_kib) + "/" + k(max_kib), o};
}

Setting Fixed(uint32_t mib) {
  ChunkerOptions o;
  o.kind = ChunkerOptions::Kind::kFixed;
  o.fixed_size = mib << 20;
  return {"fixed " + std::to_string(mib) + "M", o};
}

void Run(const char* path) {
  const std::vector<uint8_t> original = ReadFile(path);
  const size_t n = original.size();
  const auto noise = Noise(1 << 20, 7);
  // An edit is (offset, bytes removed, bytes inserted); a column averages over its edits.
  struct Edit {
    size_t offset, removed;
    std::span<const uint8_t> inserted;
  };
  struct Column {
    const char* name;
    std::vector<Edit> edits;
  };
  const std::span<const uint8_t> ins100(noise.data(), 100);
  std::vector<Column> columns = {{"ins100@4K", {{4096, 0, ins100}}},
                                 {"ins100 (mean of 16)", {}},
                                 {"ow1M (mean of 16)", {}},
                                 {"append1M", {{n, 0, noise}}}};
  constexpr int kPositions = 16;
  for (int k = 0; k < kPositions; ++k) {
    // Spread over the file, not aligned to anything.
    const size_t at = (n - (2 << 20)) / kPositions * k + n / (2 * kPositions) + 12345 * k;
    columns[1].edits.push_back({at, 0, ins100});
    columns[2].edits.push_back({at, 1 << 20, noise});
  }
  auto apply = [&](const Edit& e) {
    std::vector<uint8_t> out;
    out.reserve(n + e.inserted.size());
    out.insert(out.end(), original.begin(), original.begin() + e.offset);
    out.insert(out.end(), e.inserted.begin(), e.inserted.end());
    out.insert(out.end(), original.begin() + std::min(n, e.offset + e.removed), original.end());
    return out;
  };

  std::printf("\n### %s (%.1f MiB)\n\n", path, n / 1048576.0);
  std::printf("| min/avg/max | chunks | mean KiB | read KiB | cut GB/s | cut+SHA GB/s |");
  for (const Column& c : columns) std::printf(" %s new MiB |", c.name);
  std::printf("\n|---|---|---|---|---|---|");
  for (size_t i = 0; i < columns.size(); ++i) std::printf("---|");
  std::printf("\n");

  const Setting settings[] = {Cdc(64, 256, 1024),    Cdc(128, 512, 2048), Cdc(256, 1024, 4096),
                              Cdc(512, 2048, 8192),  Cdc(1024, 4096, 16384), Fixed(4),
                              Fixed(64)};
  for (const Setting& s : settings) {
    auto made = MakeChunker(s.opts);
    if (!made.ok()) {
      std::fprintf(stderr, "%s: %s\n", s.name.c_str(), made.status().ToString().c_str());
      std::exit(2);
    }
    const Chunker& chunker = **made;
    std::vector<size_t> lengths;
    const double cut_s = Seconds([&] { lengths = Cuts(chunker, original); });
    IdSet ids;
    const double hash_s = Seconds([&] { ids = Ids(original, Cuts(chunker, original)); });
    const bool fixed = s.opts.kind == ChunkerOptions::Kind::kFixed;  // O(1) cut: no rate to show
    // The chunk a uniformly random byte falls in has mean size sum(L^2)/sum(L): what a reader
    // that fetches whole chunks downloads for one small random read.
    double sum_sq = 0;
    for (size_t len : lengths) sum_sq += static_cast<double>(len) * len;
    std::printf("| %s | %zu | %.0f | %.0f | %s | %.2f |", s.name.c_str(), lengths.size(),
                n / 1024.0 / lengths.size(), sum_sq / n / 1024.0,
                fixed ? "-" : std::to_string(n / cut_s / 1e9).substr(0, 4).c_str(),
                n / hash_s / 1e9);
    for (const Column& c : columns) {
      double total = 0;
      for (const Edit& e : c.edits) total += NewBytes(chunker, ids, apply(e));
      std::printf(" %.2f |", total / c.edits.size() / 1048576.0);
    }
    std::printf("\n");
    std::fflush(stdout);
  }
}

}  // namespace
}  // namespace reel

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; ++i) reel::Run(argv[i]);
  return 0;
}
