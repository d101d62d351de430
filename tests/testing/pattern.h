// Deterministic test content that differs by position and seed, so misplaced ranges and mixed-up
// objects show.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace reel::testing {

inline std::vector<uint8_t> Pattern(size_t size, uint32_t seed) {
  std::vector<uint8_t> out(size);
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < size; ++i) {
    x = x * 1664525u + 1013904223u;
    out[i] = static_cast<uint8_t>(x >> 24);
  }
  return out;
}

}  // namespace reel::testing
