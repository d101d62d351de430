// HashedPart: a run of consecutive bytes of an object body whose SHA-256 the writer knows (a
// chunk inside a pack). ObjectStore::PutHashedParts stores a body only if every part matches.
#pragma once

#include <cstdint>
#include <span>

#include "common/chunk_id.h"

namespace reel {

struct HashedPart {
  uint64_t size = 0;
  ChunkId sha256;
};

// Whether `parts` cover a body of `size` bytes exactly.
[[nodiscard]] inline bool PartsCover(std::span<const HashedPart> parts, uint64_t size) {
  uint64_t sum = 0;
  for (const HashedPart& p : parts) sum += p.size;
  return sum == size;
}

// Whether a body of `size` bytes can go as one aws-chunk per part (s3/s3_aws_chunked.h): there
// are parts, none is empty (an empty chunk ends the body), and they cover it exactly.
[[nodiscard]] inline bool StreamableParts(std::span<const HashedPart> parts, uint64_t size) {
  for (const HashedPart& p : parts) {
    if (p.size == 0) return false;
  }
  return !parts.empty() && PartsCover(parts, size);
}

}  // namespace reel
