#include "chunking/fixed_chunker.h"

#include <algorithm>

namespace reel {

size_t FixedChunker::NextCut(std::span<const uint8_t> data, bool at_end) const {
  return std::min<size_t>(data.size(), size_);
}

}  // namespace reel
