#include "chunking/fastcdc_chunker.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>

#include "chunking/chunker.h"
#include "chunking/gear_table.h"
#include "chunking/sha256.h"

namespace reel {
namespace {

using chunking_internal::kGearTable;

// Deterministic pseudo-random bytes (xorshift64*), independent of the library's generator.
std::vector<uint8_t> RandomBytes(size_t n, uint64_t seed) {
  std::vector<uint8_t> out(n);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < n; i += 8) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    const uint64_t v = x * 0x2545F4914F6CDD1Dull;
    std::memcpy(out.data() + i, &v, std::min<size_t>(8, n - i));
  }
  return out;
}

ChunkerOptions Cdc(uint32_t min, uint32_t avg, uint32_t max) {
  ChunkerOptions o;
  o.kind = ChunkerOptions::Kind::kFastCdc;
  o.min_size = min;
  o.avg_size = avg;
  o.max_size = max;
  return o;
}

std::unique_ptr<Chunker> MakeCdc(uint32_t min, uint32_t avg, uint32_t max) {
  auto c = MakeChunker(Cdc(min, avg, max));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(c).value();
}

// H(i) straight from the definition in fastcdc_chunker.h.
uint64_t DefinitionHash(const uint8_t* d, size_t i) {
  uint64_t h = 0;
  for (size_t k = 0; k < 64; ++k) h += kGearTable[d[i - k]] << k;
  return h;
}

// A direct transcription of the chunking definition, one byte at a time.
size_t ReferenceCut(std::span<const uint8_t> data, uint32_t min, uint32_t avg, uint32_t max) {
  const size_t n = std::min<size_t>(data.size(), max);
  if (n <= min) return n;
  const int b = std::countr_zero(avg);
  const uint64_t strict = ~uint64_t{0} << (64 - (b + 2));
  const uint64_t loose = ~uint64_t{0} << (64 - (b - 2));
  uint64_t h = 0;
  for (size_t i = min - 64; i < min - 1; ++i) h = (h << 1) + kGearTable[data[i]];
  for (size_t len = min; len < n; ++len) {
    h = (h << 1) + kGearTable[data[len - 1]];
    if ((h & (len < avg ? strict : loose)) == 0) return len;
  }
  return n;
}

// Chunks `data` the way the engine does: windows of exactly MaxChunk() bytes, or the rest.
std::vector<size_t> ChunkAll(const Chunker& chunker, std::span<const uint8_t> data) {
  std::vector<size_t> lengths;
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t rest = data.size() - pos;
    const bool at_end = rest <= chunker.MaxChunk();
    const size_t window = at_end ? rest : chunker.MaxChunk();
    const size_t cut = chunker.NextCut(data.subspan(pos, window), at_end);
    EXPECT_GE(cut, 1u);
    EXPECT_LE(cut, window);
    if (cut == 0) break;
    lengths.push_back(cut);
    pos += cut;
  }
  return lengths;
}

std::vector<size_t> ReferenceChunkAll(std::span<const uint8_t> data, uint32_t min, uint32_t avg,
                                      uint32_t max) {
  std::vector<size_t> lengths;
  for (size_t pos = 0; pos < data.size();) {
    lengths.push_back(ReferenceCut(data.subspan(pos), min, avg, max));
    pos += lengths.back();
  }
  return lengths;
}

TEST(GearTableTest, IsPinned) {
  // Changing these changes every chunk boundary: see gear_table.h. (Values cross-checked with an
  // independent SplitMix64 in Python.)
  EXPECT_EQ(kGearTable[0], 0x579c8a80045e4907ull);
  EXPECT_EQ(kGearTable[1], 0x363933b15d70b229ull);
  EXPECT_EQ(kGearTable[255], 0xe73d6fa3c8ff0029ull);
  // 256 distinct values with roughly half the bits set overall.
  std::unordered_set<uint64_t> distinct(kGearTable.begin(), kGearTable.end());
  EXPECT_EQ(distinct.size(), 256u);
  int ones = 0;
  for (uint64_t g : kGearTable) ones += std::popcount(g);
  EXPECT_NEAR(ones / 256.0, 32.0, 1.0);
}

TEST(FastCdcTest, RollingHashMatchesDefinition) {
  auto data = RandomBytes(8192, 1);
  for (size_t i = 63; i < data.size(); ++i) {
    ASSERT_EQ(chunking_internal::GearHashAt(data.data(), i), DefinitionHash(data.data(), i)) << i;
  }
}

TEST(FastCdcTest, MultiLaneScanAgreesWithOneLaneScan) {
  auto data = RandomBytes(3 << 20, 2);
  const uint8_t* d = data.data();
  // Masks from "every position" to "practically never", ranges from tiny to the whole buffer;
  // dense masks make matches in every lane, so every lane-resolution path runs.
  for (int bits : {0, 1, 4, 8, 10, 12, 14, 16, 18, 20, 22, 40}) {
    const uint64_t mask = bits == 0 ? 0 : ~uint64_t{0} << (64 - bits);
    uint64_t x = 12345 + bits;
    for (int trial = 0; trial < 40; ++trial) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      size_t lo = 63 + (x >> 20) % (data.size() - 63);
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      size_t len = trial < 4 ? trial : (x >> 20) % (trial < 20 ? 70000 : data.size());
      size_t hi = std::min(data.size(), lo + len);
      const size_t expected = chunking_internal::FindGearMatchOneLane(d, lo, hi, mask);
      ASSERT_EQ(chunking_internal::FindGearMatch(d, lo, hi, mask), expected)
          << "bits=" << bits << " lo=" << lo << " hi=" << hi;
      if (expected < hi) {
        ASSERT_EQ(DefinitionHash(d, expected) & mask, 0u);
        if (expected > lo) {
          ASSERT_NE(DefinitionHash(d, expected - 1) & mask, 0u);
        }
      }
    }
    EXPECT_EQ(chunking_internal::FindGearMatch(d, 63, data.size(), mask),
              chunking_internal::FindGearMatchOneLane(d, 63, data.size(), mask));
  }
}

TEST(FastCdcTest, MatchesReferenceDefinition) {
  struct Params {
    uint32_t min, avg, max;
  };
  const Params params[] = {{64, 256, 1024},
                           {2048, 8192, 32768},
                           {16384, 65536, 262144},
                           {65536, 262144, 1 << 20},
                           {256 << 10, 1 << 20, 4 << 20},
                           {100000, 131072, 150000}};
  auto data = RandomBytes(24 << 20, 3);
  for (const Params& p : params) {
    auto chunker = MakeCdc(p.min, p.avg, p.max);
    auto got = ChunkAll(*chunker, data);
    auto want = ReferenceChunkAll(data, p.min, p.avg, p.max);
    EXPECT_EQ(got, want) << p.min << "/" << p.avg << "/" << p.max;
  }
}

TEST(FastCdcTest, CutPointsWithinBounds) {
  auto data = RandomBytes(16 << 20, 4);
  for (auto [min, avg, max] : {std::tuple{4096u, 16384u, 65536u},
                               std::tuple{256u << 10, 1u << 20, 4u << 20},
                               std::tuple{200000u, 262144u, 300000u}}) {
    auto chunker = MakeCdc(min, avg, max);
    auto lengths = ChunkAll(*chunker, data);
    ASSERT_GT(lengths.size(), 1u);
    size_t total = 0;
    for (size_t i = 0; i < lengths.size(); ++i) {
      total += lengths[i];
      EXPECT_LE(lengths[i], max);
      if (i + 1 < lengths.size()) {
        EXPECT_GE(lengths[i], min) << "chunk " << i;
      }
    }
    EXPECT_EQ(total, data.size());
  }
}

TEST(FastCdcTest, AtEndBehaviour) {
  auto chunker = MakeCdc(4096, 16384, 65536);
  auto data = RandomBytes(1 << 20, 5);
  // Shorter than min: the whole rest is one chunk.
  EXPECT_EQ(chunker->NextCut({data.data(), 1}, true), 1u);
  EXPECT_EQ(chunker->NextCut({data.data(), 4096}, true), 4096u);
  EXPECT_EQ(chunker->NextCut({data.data(), 0}, true), 0u);
  // A content cut inside the data is found whether or not this is the end...
  const size_t cut = chunker->NextCut(data, false);
  ASSERT_LT(cut, 65536u);
  EXPECT_EQ(chunker->NextCut({data.data(), cut + 10}, true), cut);
  EXPECT_EQ(chunker->NextCut({data.data(), 65536}, false), cut);
  // ...and exactly at the end of the data.
  EXPECT_EQ(chunker->NextCut({data.data(), cut}, true), cut);
  // With no cut point in the remaining bytes, at_end takes them all.
  EXPECT_EQ(chunker->NextCut({data.data(), cut - 1}, true), cut - 1);
  // The maximum is enforced however much is passed.
  std::vector<uint8_t> zeros(1 << 20, 0);
  const size_t zcut = chunker->NextCut(zeros, false);
  EXPECT_TRUE(zcut == 4096u || zcut == 65536u) << zcut;  // constant hash: at min or at max
}

TEST(FastCdcTest, StreamingWindowsGiveTheSameCutsAsTheWholeBuffer) {
  auto chunker = MakeCdc(16384, 65536, 262144);
  auto data = RandomBytes(8 << 20, 6);
  auto windows = ChunkAll(*chunker, data);
  std::vector<size_t> whole;
  for (size_t pos = 0; pos < data.size(); pos += whole.back()) {
    whole.push_back(chunker->NextCut(std::span(data).subspan(pos), true));
  }
  EXPECT_EQ(windows, whole);
}

TEST(FastCdcTest, CutDependsOnlyOnTheChunkBytes) {
  auto chunker = MakeCdc(16384, 65536, 262144);
  auto data = RandomBytes(1 << 20, 7);
  const size_t cut = chunker->NextCut({data.data(), 262144}, false);
  for (size_t prefix : {1u, 63u, 64u, 1000u, 77777u}) {
    std::vector<uint8_t> other = RandomBytes(prefix, 100 + prefix);
    other.insert(other.end(), data.begin(), data.end());
    EXPECT_EQ(chunker->NextCut({other.data() + prefix, 262144}, false), cut) << prefix;
  }
  // And the same input always gives the same cut.
  auto again = MakeCdc(16384, 65536, 262144);
  EXPECT_EQ(again->NextCut({data.data(), 262144}, false), cut);
}

struct ChunkSet {
  std::unordered_set<ChunkId, ChunkIdHash> ids;
};

ChunkSet IdsOf(const Chunker& chunker, std::span<const uint8_t> data) {
  ChunkSet set;
  size_t pos = 0;
  for (size_t len : ChunkAll(chunker, data)) {
    set.ids.insert(Sha256(data.subspan(pos, len)));
    pos += len;
  }
  return set;
}

// Bytes of `edited` that are in chunks `before` already has.
double ReusedFraction(const Chunker& chunker, const ChunkSet& before,
                      std::span<const uint8_t> edited) {
  size_t reused = 0;
  size_t pos = 0;
  for (size_t len : ChunkAll(chunker, edited)) {
    if (before.ids.count(Sha256(edited.subspan(pos, len)))) reused += len;
    pos += len;
  }
  return static_cast<double>(reused) / edited.size();
}

TEST(FastCdcTest, ShiftResistance) {
  auto chunker = MakeCdc(256 << 10, 1 << 20, 4 << 20);
  auto data = RandomBytes(64 << 20, 8);
  const ChunkSet before = IdsOf(*chunker, data);

  // Insert a few bytes near the start: everything after the next cut point or two is reused.
  std::vector<uint8_t> inserted = data;
  const uint8_t extra[] = {1, 2, 3, 4, 5, 6, 7};
  inserted.insert(inserted.begin() + 1000, std::begin(extra), std::end(extra));
  EXPECT_GT(ReusedFraction(*chunker, before, inserted), 0.85);

  // Remove a few bytes near the start.
  std::vector<uint8_t> removed = data;
  removed.erase(removed.begin() + 5000, removed.begin() + 5100);
  EXPECT_GT(ReusedFraction(*chunker, before, removed), 0.85);

  // Overwrite 1 MiB in the middle.
  std::vector<uint8_t> overwritten = data;
  auto noise = RandomBytes(1 << 20, 9);
  std::copy(noise.begin(), noise.end(), overwritten.begin() + (32 << 20));
  EXPECT_GT(ReusedFraction(*chunker, before, overwritten), 0.85);

  // Fixed-size chunking has no such property: the same insertion reuses (almost) nothing.
  ChunkerOptions fixed_opts;
  fixed_opts.kind = ChunkerOptions::Kind::kFixed;
  fixed_opts.fixed_size = 1 << 20;
  auto fixed = std::move(MakeChunker(fixed_opts)).value();
  EXPECT_LT(ReusedFraction(*fixed, IdsOf(*fixed, data), inserted), 0.05);
}

TEST(FastCdcTest, MeanChunkSizeOnRandomData) {
  for (auto [min, avg, max, mib] : {std::tuple{2048u, 8192u, 32768u, 8u},
                                    std::tuple{256u << 10, 1u << 20, 4u << 20, 64u}}) {
    auto chunker = MakeCdc(min, avg, max);
    auto data = RandomBytes(size_t{mib} << 20, 10 + mib);
    auto lengths = ChunkAll(*chunker, data);
    const double mean = static_cast<double>(data.size()) / lengths.size();
    EXPECT_GT(mean, 0.75 * avg) << avg;
    EXPECT_LT(mean, 1.5 * avg) << avg;
    // Normalized chunking: few chunks are forced at max.
    const size_t at_max = std::count(lengths.begin(), lengths.end(), max);
    EXPECT_LT(at_max, lengths.size() / 20 + 1) << avg;
  }
}

TEST(FastCdcTest, PeriodicInputGivesPeriodicCuts) {
  // Content-defined: a repeating 100 KB pattern cuts at the same place in each repetition.
  auto chunker = MakeCdc(4096, 16384, 65536);
  auto unit = RandomBytes(100000, 11);
  std::vector<uint8_t> data;
  for (int i = 0; i < 20; ++i) data.insert(data.end(), unit.begin(), unit.end());
  std::vector<size_t> offsets_mod_unit;
  size_t pos = 0;
  for (size_t len : ChunkAll(*chunker, data)) {
    pos += len;
    if (pos > 200000 && pos < data.size()) offsets_mod_unit.push_back(pos % unit.size());
  }
  ASSERT_FALSE(offsets_mod_unit.empty());
  std::sort(offsets_mod_unit.begin(), offsets_mod_unit.end());
  offsets_mod_unit.erase(std::unique(offsets_mod_unit.begin(), offsets_mod_unit.end()),
                         offsets_mod_unit.end());
  EXPECT_LE(offsets_mod_unit.size(), 12u);  // one cycle of ~6-7 cuts, not 20 different ones
}

TEST(FastCdcTest, GoldenCutPoints) {
  // Format stability: existing stores deduplicate against these boundaries.
  auto data = RandomBytes(16 << 20, 12);
  auto small = ChunkAll(*MakeCdc(16384, 65536, 262144), data);
  small.resize(8);
  EXPECT_EQ(small,
            (std::vector<size_t>{86674, 40856, 77484, 23758, 41262, 50043, 65554, 72547}));
  auto large = ChunkAll(*MakeCdc(256 << 10, 1 << 20, 4 << 20), data);
  large.resize(6);
  EXPECT_EQ(large,
            (std::vector<size_t>{910529, 1239180, 1413441, 1088161, 1275661, 1748217}));
}

}  // namespace
}  // namespace reel
