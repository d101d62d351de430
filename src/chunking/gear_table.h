// The gear table of ReelDrive's FastCDC: 256 pseudo-random 64-bit values, one per byte value.
//
// FORMAT CONSTANT. Chunk boundaries, and therefore chunk ids and deduplication against chunks
// already stored, depend on every bit of this table. Never change the generator, the seed or the
// way the table is used without treating it as a new chunking format.
//
// The table is generated at compile time by SplitMix64 (Steele, Lea, Flood: "Fast splittable
// pseudorandom number generators", OOPSLA 2014): state += 0x9E3779B97F4A7C15, then the output
// mix z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
// z ^ (z >> 31). The seed is kGearSeed, the ASCII bytes of "ReelGear" read as a big-endian
// integer. Entry b is the (b+1)-th output. tests/chunking/fastcdc_test.cc pins a few entries.
#pragma once

#include <array>
#include <cstdint>

namespace reel::chunking_internal {

inline constexpr uint64_t kGearSeed = 0x5265656C47656172ull;  // "ReelGear"

constexpr std::array<uint64_t, 256> MakeGearTable(uint64_t seed) {
  std::array<uint64_t, 256> table{};
  uint64_t state = seed;
  for (auto& entry : table) {
    state += 0x9E3779B97F4A7C15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    entry = z ^ (z >> 31);
  }
  return table;
}

// 64-byte aligned so the 2 KiB table occupies exactly 32 cache lines.
alignas(64) inline constexpr std::array<uint64_t, 256> kGearTable = MakeGearTable(kGearSeed);

}  // namespace reel::chunking_internal
