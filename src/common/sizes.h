// Human-readable byte sizes ("256KiB", "1 MiB", "64M", "4096") and durations ("90s", "2d").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace reel {

// Parses a size with an optional binary unit (K, KB, KiB, M, MiB, G, GiB, T, TiB; all powers of 1024).
[[nodiscard]] Result<uint64_t> ParseSize(std::string_view text);
// Formats bytes with the largest binary unit that keeps the value >= 1 ("1.5 MiB", "512 B").
[[nodiscard]] std::string FormatSize(uint64_t bytes);
// A size as an exact human string: the largest binary unit that divides it ("64MiB", "1000").
[[nodiscard]] std::string FormatExactSize(uint64_t bytes);
// A duration: an integer number of seconds or a string with a unit ("90s", "30min", "1h", "2d").
[[nodiscard]] Result<uint64_t> ParseDuration(std::string_view text);
// A duration as the largest unit that divides it ("1h", "90s", "0").
[[nodiscard]] std::string FormatDuration(uint64_t seconds);

}  // namespace reel
