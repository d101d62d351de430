// The compact binary form of a version's chunk list, the same in every catalog backend (an SQLite
// BLOB, a PostgreSQL bytea): `count` packed 36-byte records, each a 32-byte chunk id followed by
// the chunk's length as a little-endian u32.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/chunk_id.h"
#include "common/status.h"

namespace reel {

inline constexpr size_t kChunkRecordSize = 36;

std::string EncodeChunkList(const std::vector<ChunkRef>& chunks);
// Corruption if the blob is not exactly `expected_count` records.
[[nodiscard]] Result<std::vector<ChunkRef>> DecodeChunkList(std::span<const uint8_t> blob,
                                                            uint64_t expected_count);

// References per distinct chunk in a list (a chunk used twice counts 2), and each chunk's length.
// Holes (the all-zero id: zeros stored nowhere) are skipped: they have no chunk record.
struct ChunkUse {
  uint64_t count = 0;
  uint32_t length = 0;
};
using ChunkUses = std::unordered_map<ChunkId, ChunkUse, ChunkIdHash>;
void AddChunkUses(std::span<const ChunkRef> chunks, ChunkUses& uses);

}  // namespace reel
