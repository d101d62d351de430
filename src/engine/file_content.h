// How a file's bytes are assembled for reading: a committed version (chunks, possibly holes)
// overlaid by staged writes.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "catalog/types.h"
#include "common/shared_bytes.h"
#include "common/status.h"

namespace reel {

class ChunkReader;
class StagedFile;

// A read's bytes as slices of chunks and other buffers, in order: a FUSE reply is sent from them
// without copying them into one buffer first.
using ReadPieces = std::vector<SharedBytes>;

// Where the bytes of a read come from, piece by piece in file order (WalkFileContent).
class ContentVisitor {
 public:
  virtual ~ContentVisitor() = default;
  // Bytes of a chunk (a slice of its verified data).
  virtual Status Chunk(const SharedBytes& bytes) = 0;
  virtual Status Zeros(uint64_t length) = 0;
  // Bytes [offset, offset+length) of the staged layer `file`.
  virtual Status Staged(const StagedFile& file, uint64_t offset, uint64_t length) = 0;
};

// A version's chunk list with the start offset of every chunk, for binary search.
class VersionLayout {
 public:
  VersionLayout() = default;
  explicit VersionLayout(std::shared_ptr<const Version> version);

  uint64_t size() const { return starts_.empty() ? 0 : size_; }
  uint64_t number() const { return version_ ? version_->info.number : 0; }
  uint64_t id() const { return version_ ? version_->info.id : 0; }  // VersionInfo::id
  TimeNs created() const { return version_ ? version_->info.created : 0; }
  const std::vector<ChunkRef>& chunks() const;
  uint64_t chunk_start(size_t i) const { return starts_[i]; }
  // Index of the chunk containing `offset` (offset < size()).
  size_t ChunkAt(uint64_t offset) const;
  // Visits bytes [offset, offset+length) of the version (must be inside it): chunks and holes.
  Status Walk(ChunkReader* reader, uint64_t offset, uint64_t length, ContentVisitor& visit) const;

 private:
  std::shared_ptr<const Version> version_;
  std::vector<uint64_t> starts_;
  uint64_t size_ = 0;
};

// A file's bytes: a committed version overlaid by up to two layers of staged writes, either of
// which may be null: the writes a commit is turning into the next version (`committing`), and the
// writes made since (`staged`, which lies over the committing layer's content when there is one).
struct FileContent {
  const VersionLayout* base = nullptr;
  const StagedFile* committing = nullptr;
  const StagedFile* staged = nullptr;

  uint64_t size() const;
};

// Visits [offset, offset+length) of `content`. The range must lie below its size.
Status WalkFileContent(const FileContent& content, ChunkReader* reader, uint64_t offset,
                       uint64_t length, ContentVisitor& visit);
// WalkFileContent, copied into `out` (length out.size()).
Status ReadFileContent(const FileContent& content, ChunkReader* reader, uint64_t offset,
                       std::span<uint8_t> out);
// WalkFileContent as slices: chunk bytes shared, zeros from one static block, staged bytes read
// into a buffer of their own.
Status ReadFileContentShared(const FileContent& content, ChunkReader* reader, uint64_t offset,
                             uint64_t length, ReadPieces* out);

}  // namespace reel
