// FastCDC content-defined chunking (Xia et al., USENIX ATC 2016; ToS 2020) with normalized
// chunking level 2.
//
// Definition (this is the chunking format; tests/chunking/fastcdc_test.cc checks the optimized
// code against a direct transcription of it):
//
//   Gear hash of the 64 bytes ending at index i:
//     H(i) = sum_{k=0..63} G[data[i-k]] << k   (mod 2^64),   G = kGearTable (gear_table.h).
//   This is the usual rolling h = (h << 1) + G[byte]: a byte's contribution shifts out of the
//   64-bit state after 64 steps, so H(i) depends on data[i-63..i] only.
//
//   With avg = 2^b, two masks select the top bits of the hash (the bits that depend on the whole
//   window):  strict = top (b+2) bits, loose = top (b-2) bits.
//
//   For n = min(data.size(), max): if n <= min the chunk is n bytes. Otherwise the chunk length
//   is the smallest L with
//     min <= L < avg  and  (H(L-1) & strict) == 0,   or
//     avg <= L < n    and  (H(L-1) & loose)  == 0,
//   and n if there is no such L. Bytes before min-64 are never read ("cut-point skipping").
//
// The scan runs several independent hash lanes over adjacent segments in lockstep (the hash
// needs only the 64 bytes before a position, so any position can be a starting point); that
// hides the latency of the hash's dependency chain and gives ~3x the throughput of the one-lane
// loop on the same definition.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "chunking/chunker.h"

namespace reel {

class FastCdcChunker final : public Chunker {
 public:
  // `options` must have passed ValidateChunkerOptions (use MakeChunker).
  explicit FastCdcChunker(const ChunkerOptions& options);

  size_t NextCut(std::span<const uint8_t> data, bool at_end) const override;
  uint32_t MaxChunk() const override { return max_size_; }

  uint64_t strict_mask() const { return strict_mask_; }
  uint64_t loose_mask() const { return loose_mask_; }

 private:
  uint32_t min_size_;
  uint32_t avg_size_;
  uint32_t max_size_;
  uint64_t strict_mask_;
  uint64_t loose_mask_;
};

namespace chunking_internal {

// H(i) as defined above; requires i >= 63. For tests and reference code.
uint64_t GearHashAt(const uint8_t* data, size_t i);

// The smallest i in [lo, hi) with (H(i) & mask) == 0, or hi if there is none.
// Requires lo >= 63 (reads data[lo-63 .. hi-1]). The multi-lane scanner behind NextCut.
size_t FindGearMatch(const uint8_t* data, size_t lo, size_t hi, uint64_t mask);

// The same, one byte at a time; the reference for FindGearMatch and its fallback for short
// ranges.
size_t FindGearMatchOneLane(const uint8_t* data, size_t lo, size_t hi, uint64_t mask);

}  // namespace chunking_internal
}  // namespace reel
