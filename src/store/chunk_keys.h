// Where a chunk lives inside an object store: "chunks/ab/cd/<64 hex>". Two levels of 256-way
// fan-out keep directories of a local store small at billions of chunks.
#pragma once

#include <optional>
#include <string>

#include "common/chunk_id.h"

namespace reel {

inline constexpr char kChunkPrefix[] = "chunks/";

inline std::string ChunkKey(const ChunkId& id) {
  std::string hex = id.Hex();
  return std::string(kChunkPrefix) + hex.substr(0, 2) + "/" + hex.substr(2, 2) + "/" + hex;
}

inline std::optional<ChunkId> ChunkIdFromKey(const std::string& key) {
  size_t slash = key.find_last_of('/');
  std::string name = slash == std::string::npos ? key : key.substr(slash + 1);
  if (key.rfind(kChunkPrefix, 0) != 0) return std::nullopt;
  auto id = ChunkId::FromHex(name);
  if (!id || ChunkKey(*id) != key) return std::nullopt;
  return id;
}

}  // namespace reel
