// A chunk id as an SQLite BLOB parameter, and back from a BLOB column.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

#include "catalog/sqlite/sqlite_db.h"
#include "catalog/types.h"

namespace reel::sqlite {

inline Blob IdBlob(const ChunkId& id) { return Blob{id.bytes.data(), id.bytes.size()}; }

// All zeros if the column does not have an id's size.
inline ChunkId ChunkIdFromBlob(std::span<const uint8_t> blob) {
  ChunkId id;
  if (blob.size() == id.bytes.size()) std::copy(blob.begin(), blob.end(), id.bytes.begin());
  return id;
}

}  // namespace reel::sqlite
