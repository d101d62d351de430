#include "catalog/chunk_list.h"

#include <cstring>

namespace reel {

std::string EncodeChunkList(const std::vector<ChunkRef>& chunks) {
  std::string out(chunks.size() * kChunkRecordSize, '\0');
  char* p = out.data();
  for (const ChunkRef& c : chunks) {
    std::memcpy(p, c.id.bytes.data(), 32);
    for (int i = 0; i < 4; ++i) p[32 + i] = static_cast<char>((c.length >> (8 * i)) & 0xff);
    p += kChunkRecordSize;
  }
  return out;
}

Result<std::vector<ChunkRef>> DecodeChunkList(std::span<const uint8_t> blob,
                                              uint64_t expected_count) {
  if (blob.size() % kChunkRecordSize != 0 || blob.size() / kChunkRecordSize != expected_count) {
    return Status::Corruption("chunk list of " + std::to_string(blob.size()) +
                              " bytes does not hold " + std::to_string(expected_count) +
                              " records");
  }
  std::vector<ChunkRef> chunks(expected_count);
  const uint8_t* p = blob.data();
  for (ChunkRef& c : chunks) {
    std::memcpy(c.id.bytes.data(), p, 32);
    c.length = static_cast<uint32_t>(p[32]) | static_cast<uint32_t>(p[33]) << 8 |
               static_cast<uint32_t>(p[34]) << 16 | static_cast<uint32_t>(p[35]) << 24;
    p += kChunkRecordSize;
  }
  return chunks;
}

void AddChunkUses(std::span<const ChunkRef> chunks, ChunkUses& uses) {
  for (const ChunkRef& c : chunks) {
    if (IsHole(c.id)) continue;
    ChunkUse& u = uses[c.id];
    ++u.count;
    u.length = c.length;
  }
}

}  // namespace reel
