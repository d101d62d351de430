// Fixed-size chunking: every chunk but the last of a stream has exactly fixed_size bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "chunking/chunker.h"

namespace reel {

class FixedChunker final : public Chunker {
 public:
  // `options` must have passed ValidateChunkerOptions (use MakeChunker).
  explicit FixedChunker(const ChunkerOptions& options) : size_(options.fixed_size) {}

  size_t NextCut(std::span<const uint8_t> data, bool at_end) const override;
  uint32_t MaxChunk() const override { return size_; }

 private:
  uint32_t size_;
};

}  // namespace reel
