#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace reel {

[[nodiscard]] std::string ToHex(std::span<const uint8_t> bytes);
// Lower- or upper-case hex to bytes; nullopt on odd length or a non-hex character.
[[nodiscard]] std::optional<std::vector<uint8_t>> FromHex(std::string_view hex);

}  // namespace reel
