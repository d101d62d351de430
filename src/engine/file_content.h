// How a file's bytes are assembled for reading: a committed version (chunks, possibly holes)
// overlaid by staged writes.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "catalog/types.h"
#include "common/status.h"

namespace reel {

class ChunkReader;
class StagedFile;

// A version's chunk list with the start offset of every chunk, for binary search.
class VersionLayout {
 public:
  VersionLayout() = default;
  explicit VersionLayout(std::shared_ptr<const Version> version);

  uint64_t size() const { return starts_.empty() ? 0 : size_; }
  uint64_t number() const { return version_ ? version_->info.number : 0; }
  const std::vector<ChunkRef>& chunks() const;
  uint64_t chunk_start(size_t i) const { return starts_[i]; }
  // Index of the chunk containing `offset` (offset < size()).
  size_t ChunkAt(uint64_t offset) const;
  // Copies bytes [offset, offset+out.size()) of the version (must be inside it).
  Status Read(ChunkReader* reader, uint64_t offset, std::span<uint8_t> out) const;

 private:
  std::shared_ptr<const Version> version_;
  std::vector<uint64_t> starts_;
  uint64_t size_ = 0;
};

// Reads [offset, offset+out.size()) of the file made of `base` overlaid by `staged` (may be null).
// The range must lie below the file's size.
Status ReadFileContent(const VersionLayout& base, const StagedFile* staged, ChunkReader* reader,
                       uint64_t offset, std::span<uint8_t> out);

}  // namespace reel
