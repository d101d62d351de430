#include "chunking/fastcdc_chunker.h"

#include <algorithm>
#include <bit>

#include "chunking/gear_table.h"

namespace reel {
namespace chunking_internal {
namespace {

// Tuning of the multi-lane scan (bench/results/chunking.md): independent lanes hide the ~2-cycle
// latency of `h = 2h + G[b]` (one LEA); 4 lanes x 16 KiB measured best of 3-6 x 4-64 KiB.
constexpr size_t kLanes = 4;
// Bytes each lane scans per round. Larger segments amortize the 63-byte warm-up of each lane;
// smaller ones waste less work when a match ends the scan early.
constexpr size_t kSegment = 16 * 1024;
// Below kLanes * kMinSegment bytes the one-lane loop is used.
constexpr size_t kMinSegment = 256;

inline uint64_t Step(uint64_t h, uint8_t byte) { return 2 * h + kGearTable[byte]; }

// The hash state after data[i-63 .. i-1]: one Step with data[i] gives H(i).
inline uint64_t WarmUp(const uint8_t* data, size_t i) {
  uint64_t h = 0;
  for (const uint8_t* p = data + i - 63; p < data + i; ++p) h = Step(h, *p);
  return h;
}

}  // namespace

uint64_t GearHashAt(const uint8_t* data, size_t i) { return Step(WarmUp(data, i), data[i]); }

size_t FindGearMatchOneLane(const uint8_t* data, size_t lo, size_t hi, uint64_t mask) {
  if (lo >= hi) return hi;
  uint64_t h = WarmUp(data, lo);
  size_t i = lo;
  for (; i + 4 <= hi; i += 4) {
    h = Step(h, data[i]);
    if (__builtin_expect((h & mask) == 0, 0)) return i;
    h = Step(h, data[i + 1]);
    if (__builtin_expect((h & mask) == 0, 0)) return i + 1;
    h = Step(h, data[i + 2]);
    if (__builtin_expect((h & mask) == 0, 0)) return i + 2;
    h = Step(h, data[i + 3]);
    if (__builtin_expect((h & mask) == 0, 0)) return i + 3;
  }
  for (; i < hi; ++i) {
    h = Step(h, data[i]);
    if ((h & mask) == 0) return i;
  }
  return hi;
}

size_t FindGearMatch(const uint8_t* data, size_t lo, size_t hi, uint64_t mask) {
  while (lo < hi && hi - lo >= kLanes * kMinSegment) {
    // Lane l scans [lo + l*seg, lo + (l+1)*seg); seg is even for the 2x unrolled loop.
    const size_t seg = std::min(kSegment, (hi - lo) / kLanes) & ~size_t{1};
    const uint8_t* lane_data[kLanes];
    uint64_t h[kLanes];
#pragma GCC unroll 8
    for (size_t l = 0; l < kLanes; ++l) {
      lane_data[l] = data + lo + l * seg;
      h[l] = 0;
    }
    for (ptrdiff_t k = -63; k < 0; ++k) {
#pragma GCC unroll 8
      for (size_t l = 0; l < kLanes; ++l) h[l] = Step(h[l], lane_data[l][k]);
    }

    // Lockstep, position-major: when lane `hit_lane` matches at offset j, every lane is clean
    // before j and the lanes below hit_lane are clean at j too.
    size_t j = 0;
    size_t hit_lane = 0;
    for (; j < seg; j += 2) {
#pragma GCC unroll 8
      for (size_t l = 0; l < kLanes; ++l) {
        h[l] = Step(h[l], lane_data[l][j]);
        if (__builtin_expect((h[l] & mask) == 0, 0)) {
          hit_lane = l;
          goto found;
        }
      }
#pragma GCC unroll 8
      for (size_t l = 0; l < kLanes; ++l) {
        h[l] = Step(h[l], lane_data[l][j + 1]);
        if (__builtin_expect((h[l] & mask) == 0, 0)) {
          hit_lane = l;
          ++j;
          goto found;
        }
      }
    }
    lo += kLanes * seg;
    continue;

  found:
    // The rest of each lower lane's segment comes first in the data.
    for (size_t l = 0; l < hit_lane; ++l) {
      const size_t seg_begin = lo + l * seg;
      const size_t r = FindGearMatchOneLane(data, seg_begin + j + 1, seg_begin + seg, mask);
      if (r < seg_begin + seg) return r;
    }
    return lo + hit_lane * seg + j;
  }
  return FindGearMatchOneLane(data, lo, hi, mask);
}

}  // namespace chunking_internal

namespace {

// Top `bits` bits set.
uint64_t TopBitsMask(int bits) { return bits <= 0 ? 0 : ~uint64_t{0} << (64 - bits); }

}  // namespace

FastCdcChunker::FastCdcChunker(const ChunkerOptions& options)
    : min_size_(options.min_size), avg_size_(options.avg_size), max_size_(options.max_size) {
  const int b = std::bit_width(options.avg_size) - 1;  // avg = 2^b
  strict_mask_ = TopBitsMask(b + 2);
  loose_mask_ = TopBitsMask(b - 2);
}

size_t FastCdcChunker::NextCut(std::span<const uint8_t> data, bool at_end) const {
  // Without at_end the caller promised at least max_size_ bytes (see Chunker); a shorter span is
  // cut as if it were the end.
  const size_t n = std::min<size_t>(data.size(), max_size_);
  if (n <= min_size_) return n;
  const uint8_t* p = data.data();
  // Chunk length L ends with byte L-1, so length candidates [a, b) are hash indices [a-1, b-1).
  const size_t strict_end = std::min<size_t>(avg_size_, n);
  size_t i = chunking_internal::FindGearMatch(p, min_size_ - 1, strict_end - 1, strict_mask_);
  if (i < strict_end - 1) return i + 1;
  if (strict_end < n) {
    i = chunking_internal::FindGearMatch(p, strict_end - 1, n - 1, loose_mask_);
    if (i < n - 1) return i + 1;
  }
  return n;
}

}  // namespace reel
