// Chunking and hashing throughput (Google Benchmark). Results: bench/results/chunking.md.
//
//   chunker_bench [--benchmark_filter=...]
//
// Data sets, each held in memory so the numbers are CPU cost only:
//   random  128 MiB of pseudo-random bytes.
//   media   the file named by $REEL_BENCH_MEDIA (its first 512 MiB) when set, otherwise a
//           synthetic 128 MiB "media-like" stream (see MakeSyntheticMedia).
// bytes_per_second is over the input bytes, so "GB/s" in the output is per core.
#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "chunking/chunker.h"
#include "chunking/fastcdc_chunker.h"
#include "chunking/sha256.h"

namespace reel {
namespace {

class Rng {
 public:
  explicit Rng(uint64_t seed) : x_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t Next() {
    x_ ^= x_ >> 12;
    x_ ^= x_ << 25;
    x_ ^= x_ >> 27;
    return x_ * 0x2545F4914F6CDD1Dull;
  }
  void Fill(uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; i += 8) {
      uint64_t v = Next();
      std::memcpy(p + i, &v, std::min<size_t>(8, n - i));
    }
  }

 private:
  uint64_t x_;
};

std::vector<uint8_t> RandomData(size_t n, uint64_t seed) {
  std::vector<uint8_t> v(n);
  Rng(seed).Fill(v.data(), n);
  return v;
}

void Append(std::vector<uint8_t>& out, const void* p, size_t n) {
  const auto* b = static_cast<const uint8_t*>(p);
  out.insert(out.end(), b, b + n);
}

// A deterministic stand-in for a compressed video file, used when no real file is given:
//  - a 64 KiB container header: repeated 8-byte box headers, ASCII metadata and zero padding;
//  - 24 fps "frames": a 32-byte frame header (start code, type, counter, constant fields) and
//    a payload of random bytes (compressed data is indistinguishable from random): a key frame
//    of ~300-500 KiB every 48 frames, ~20-120 KiB otherwise; a 4 KiB zero stuffing block every
//    16 frames; an 8 KiB "audio" packet of random bytes after every frame;
//  - a trailing sample index: one little-endian 8-byte offset per frame.
std::vector<uint8_t> MakeSyntheticMedia(size_t target) {
  std::vector<uint8_t> out;
  out.reserve(target + (1 << 20));
  Rng rng(2024);
  // Header.
  while (out.size() < 64 * 1024) {
    const char box[] = "\x00\x00\x01\x00trak\x00\x00\x00\x18mdhd";
    Append(out, box, sizeof box - 1);
    const char meta[] = "com.apple.quicktime.make=ReelDrive;encoder=synthetic;";
    Append(out, meta, sizeof meta - 1);
    out.insert(out.end(), 64, 0);
  }
  std::vector<uint64_t> index;
  std::vector<uint8_t> payload;
  for (uint32_t frame = 0; out.size() < target; ++frame) {
    index.push_back(out.size());
    uint8_t header[32] = {0, 0, 0, 1};
    header[4] = frame % 48 == 0 ? 0x65 : 0x41;
    std::memcpy(header + 5, &frame, 4);
    std::memset(header + 9, 0x5A, sizeof header - 9);
    Append(out, header, sizeof header);
    const uint64_t r = rng.Next();
    const size_t size =
        frame % 48 == 0 ? 300 * 1024 + r % (200 * 1024) : 20 * 1024 + r % (100 * 1024);
    payload.resize(size);
    rng.Fill(payload.data(), size);
    Append(out, payload.data(), size);
    payload.resize(8192);
    rng.Fill(payload.data(), payload.size());
    Append(out, payload.data(), payload.size());
    if (frame % 16 == 15) out.insert(out.end(), 4096, 0);
  }
  Append(out, index.data(), index.size() * sizeof(uint64_t));
  return out;
}

struct DataSet {
  std::string name;
  std::vector<uint8_t> bytes;
};

std::vector<uint8_t> ReadFilePrefix(const char* path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot open REEL_BENCH_MEDIA=%s\n", path);
    std::exit(2);
  }
  std::vector<uint8_t> v(limit);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(limit));
  v.resize(static_cast<size_t>(in.gcount()));
  return v;
}

std::unique_ptr<Chunker> MakeOrDie(const ChunkerOptions& o) {
  auto c = MakeChunker(o);
  if (!c.ok()) {
    std::fprintf(stderr, "bad chunker options: %s\n", c.status().ToString().c_str());
    std::exit(2);
  }
  return std::move(c).value();
}

ChunkerOptions Cdc(uint32_t min_kib, uint32_t avg_kib, uint32_t max_kib) {
  ChunkerOptions o;
  o.min_size = min_kib * 1024;
  o.avg_size = avg_kib * 1024;
  o.max_size = max_kib * 1024;
  return o;
}

// The engine's loop: windows of MaxChunk() bytes (or the rest), one cut at a time.
template <typename OnChunk>
void ChunkStream(const Chunker& chunker, std::span<const uint8_t> data, OnChunk&& on_chunk) {
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t rest = data.size() - pos;
    const bool at_end = rest <= chunker.MaxChunk();
    const size_t cut = chunker.NextCut(data.subspan(pos, at_end ? rest : chunker.MaxChunk()),
                                       at_end);
    on_chunk(data.subspan(pos, cut));
    pos += cut;
  }
}

void SetCounters(benchmark::State& state, size_t bytes, size_t chunks) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["chunks"] = static_cast<double>(chunks);
  state.counters["mean_chunk_KiB"] = chunks ? bytes / 1024.0 / chunks : 0;
}

void BM_Cut(benchmark::State& state, const DataSet* ds, ChunkerOptions opts) {
  auto chunker = MakeOrDie(opts);
  size_t chunks = 0;
  for (auto _ : state) {
    chunks = 0;
    ChunkStream(*chunker, ds->bytes, [&](std::span<const uint8_t> c) {
      benchmark::DoNotOptimize(c.data());
      ++chunks;
    });
  }
  SetCounters(state, ds->bytes.size(), chunks);
}

// SHA-256 alone over the same chunks the default chunker produces.
void BM_Sha256Chunks(benchmark::State& state, const DataSet* ds, ChunkerOptions opts) {
  auto chunker = MakeOrDie(opts);
  std::vector<std::span<const uint8_t>> chunks;
  ChunkStream(*chunker, ds->bytes, [&](std::span<const uint8_t> c) { chunks.push_back(c); });
  for (auto _ : state) {
    for (auto c : chunks) benchmark::DoNotOptimize(Sha256(c));
  }
  SetCounters(state, ds->bytes.size(), chunks.size());
}

// What the engine does: cut, then hash each chunk, on one thread.
void BM_CutAndHash(benchmark::State& state, const DataSet* ds, ChunkerOptions opts) {
  auto chunker = MakeOrDie(opts);
  size_t chunks = 0;
  for (auto _ : state) {
    chunks = 0;
    ChunkStream(*chunker, ds->bytes, [&](std::span<const uint8_t> c) {
      benchmark::DoNotOptimize(Sha256(c));
      ++chunks;
    });
  }
  SetCounters(state, ds->bytes.size(), chunks);
}

// The raw scan kernels over a range with no match (mask of 63 bits): the hash loop alone.
void BM_ScanKernel(benchmark::State& state, const DataSet* ds, bool multi_lane) {
  const uint64_t mask = ~uint64_t{0} << 1;
  const size_t n = std::min<size_t>(ds->bytes.size(), 64 << 20);
  for (auto _ : state) {
    size_t r = multi_lane ? chunking_internal::FindGearMatch(ds->bytes.data(), 63, n, mask)
                          : chunking_internal::FindGearMatchOneLane(ds->bytes.data(), 63, n, mask);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * (n - 63)));
}

// Ways to call OpenSSL for one buffer:
//   reel      Sha256(): fetched EVP_MD, per-thread context, 1 KiB updates with prefetch;
//   reused    a fetched EVP_MD and one reused context, a single EVP_DigestUpdate;
//   oneshot   EVP_Digest(EVP_sha256()) per call.
// "cold" walks through the 128 MiB random buffer (data comes from DRAM, as for a fresh chunk);
// "hot" hashes the same bytes every time (data in cache).
enum class ShaWay { kReel, kReused, kOneShot };

void BM_Sha256Api(benchmark::State& state, const DataSet* ds, ShaWay way, bool hot) {
  const size_t size = static_cast<size_t>(state.range(0));
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t off = 0;
  uint8_t out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  for (auto _ : state) {
    const uint8_t* p = ds->bytes.data() + off;
    bool ok = true;
    switch (way) {
      case ShaWay::kReel:
        benchmark::DoNotOptimize(Sha256({p, size}));
        break;
      case ShaWay::kReused:
        ok = EVP_DigestInit_ex2(ctx, md, nullptr) == 1 && EVP_DigestUpdate(ctx, p, size) == 1 &&
             EVP_DigestFinal_ex(ctx, out, &len) == 1;
        break;
      case ShaWay::kOneShot:
        ok = EVP_Digest(p, size, out, &len, EVP_sha256(), nullptr) == 1;
        break;
    }
    if (!ok) {
      state.SkipWithError("OpenSSL digest failed");
      break;
    }
    benchmark::DoNotOptimize(out);
    if (!hot) off = (off + size) % (ds->bytes.size() - size);
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(md);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}

}  // namespace
}  // namespace reel

int main(int argc, char** argv) {
  using namespace reel;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  static DataSet random{"random", RandomData(128 << 20, 1)};
  static DataSet media;
  if (const char* path = std::getenv("REEL_BENCH_MEDIA"); path && *path) {
    media = {"media", ReadFilePrefix(path, size_t{512} << 20)};
    std::fprintf(stderr, "media: %s (%zu bytes)\n", path, media.bytes.size());
  } else {
    media = {"media", MakeSyntheticMedia(128 << 20)};
    std::fprintf(stderr, "media: synthetic mixture (%zu bytes); set REEL_BENCH_MEDIA=<file>\n",
                 media.bytes.size());
  }

  const ChunkerOptions defaults;
  const struct {
    const char* name;
    ChunkerOptions opts;
  } params[] = {{"64K-256K-1M", Cdc(64, 256, 1024)},
                {"256K-1M-4M", Cdc(256, 1024, 4096)},
                {"512K-2M-8M", Cdc(512, 2048, 8192)}};

  for (const DataSet* ds : {&random, &media}) {
    const std::string d = "/" + ds->name;
    benchmark::RegisterBenchmark(("FastCdc" + d + "/default").c_str(), BM_Cut, ds, defaults)
        ->Unit(benchmark::kMillisecond);
    for (const auto& p : params) {
      benchmark::RegisterBenchmark(("FastCdc" + d + "/" + p.name).c_str(), BM_Cut, ds, p.opts)
          ->Unit(benchmark::kMillisecond);
    }
    ChunkerOptions fixed;
    fixed.kind = ChunkerOptions::Kind::kFixed;
    fixed.fixed_size = 4 << 20;
    benchmark::RegisterBenchmark(("Fixed4M" + d).c_str(), BM_Cut, ds, fixed)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("Sha256" + d + "/default_chunks").c_str(), BM_Sha256Chunks, ds,
                                 defaults)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("CutAndHash" + d + "/default").c_str(), BM_CutAndHash, ds,
                                 defaults)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("ScanKernel" + d + "/multi_lane").c_str(), BM_ScanKernel, ds,
                                 true)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("ScanKernel" + d + "/one_lane").c_str(), BM_ScanKernel, ds,
                                 false)
        ->Unit(benchmark::kMillisecond);
  }
  for (bool hot : {false, true}) {
    for (auto [way, name] : {std::pair{ShaWay::kReel, "reel"}, std::pair{ShaWay::kReused, "reused"},
                             std::pair{ShaWay::kOneShot, "oneshot"}}) {
      const std::string full = std::string("Sha256Api/") + (hot ? "hot/" : "cold/") + name;
      benchmark::RegisterBenchmark(full.c_str(), BM_Sha256Api, &random, way, hot)
          ->Arg(4 << 10)
          ->Arg(64 << 10)
          ->Arg(1 << 20)
          ->Arg(4 << 20);
    }
  }

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
