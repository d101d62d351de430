// ChunkId: the SHA-256 of a chunk's content, its name everywhere (stores, catalog, caches).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/hex.h"

namespace reel {

struct ChunkId {
  std::array<uint8_t, 32> bytes{};

  std::string Hex() const { return ToHex(bytes); }
  static std::optional<ChunkId> FromHex(std::string_view hex) {
    if (hex.size() != 64) return std::nullopt;
    auto raw = reel::FromHex(hex);
    if (!raw) return std::nullopt;
    ChunkId id;
    std::memcpy(id.bytes.data(), raw->data(), 32);
    return id;
  }
  friend bool operator==(const ChunkId&, const ChunkId&) = default;
  friend auto operator<=>(const ChunkId&, const ChunkId&) = default;
};

// The all-zero id marks a hole in a version's chunk list: `length` zero bytes that are stored
// nowhere (sparse files, truncate-extend). No real content hashes to it; the catalog keeps no
// chunk record or reference for it.
inline bool IsHole(const ChunkId& id) { return id == ChunkId{}; }

struct ChunkIdHash {
  size_t operator()(const ChunkId& id) const {
    size_t h;
    std::memcpy(&h, id.bytes.data(), sizeof h);  // already uniformly distributed
    return h;
  }
};

// A chunk as a file version uses it: which chunk and how many bytes. A version's chunk list is
// ordered; chunk i starts at the sum of the lengths before it.
struct ChunkRef {
  ChunkId id;
  uint32_t length = 0;
  friend bool operator==(const ChunkRef&, const ChunkRef&) = default;
};

}  // namespace reel
