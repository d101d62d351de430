// Human-readable byte sizes: "256KiB", "1 MiB", "64M", "4096".
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

}  // namespace reel
