#include "engine/file_content.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "store/chunk_keys.h"
#include "engine/chunk_reader.h"
#include "engine/staged_file.h"

namespace reel {

static const std::vector<ChunkRef> kNoChunks;

VersionLayout::VersionLayout(std::shared_ptr<const Version> version) : version_(std::move(version)) {
  if (!version_) return;
  starts_.reserve(version_->chunks.size());
  uint64_t pos = 0;
  for (const auto& c : version_->chunks) {
    starts_.push_back(pos);
    pos += c.length;
  }
  size_ = pos;
}

const std::vector<ChunkRef>& VersionLayout::chunks() const {
  return version_ ? version_->chunks : kNoChunks;
}

size_t VersionLayout::ChunkAt(uint64_t offset) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  return static_cast<size_t>(it - starts_.begin()) - 1;
}

Status VersionLayout::Walk(ChunkReader* reader, uint64_t offset, uint64_t length,
                           ContentVisitor& visit) const {
  if (length == 0) return Status::Ok();
  if (offset + length > size()) return Status::Internal("read past the end of a version");
  size_t i = ChunkAt(offset);
  uint64_t done = 0;
  while (done < length) {
    const ChunkRef& ref = version_->chunks[i];
    const uint64_t in_chunk = offset + done - starts_[i];
    const uint64_t n = std::min<uint64_t>(ref.length - in_chunk, length - done);
    if (IsHole(ref.id)) {
      REEL_RETURN_IF_ERROR(visit.Zeros(n));
    } else {
      auto data = reader->Get(ref);
      if (!data.ok()) return data.status();
      REEL_RETURN_IF_ERROR(visit.Chunk(data->Slice(in_chunk, n)));
    }
    done += n;
    ++i;
  }
  return Status::Ok();
}

uint64_t FileContent::size() const {
  if (staged) return staged->size();
  if (committing) return committing->size();
  return base->size();
}

namespace {

// Visits [offset, offset+length) of `base` overlaid by `layers` (bottom first): each layer's
// unwritten ranges show the content below it up to its base limit, and zeros beyond.
Status WalkLayers(const VersionLayout& base, std::span<const StagedFile* const> layers,
                  ChunkReader* reader, uint64_t offset, uint64_t length, ContentVisitor& visit) {
  if (layers.empty()) return base.Walk(reader, offset, length, visit);
  const StagedFile& top = *layers.back();
  const auto below = layers.first(layers.size() - 1);
  const uint64_t below_size = below.empty() ? base.size() : below.back()->size();
  Status status;
  top.extents().Walk(offset, offset + length, [&](uint64_t s, uint64_t e, bool in_extent) {
    if (!status.ok()) return;
    if (in_extent) {
      status = visit.Staged(top, s, e - s);
      return;
    }
    // Not written in this layer: the content below it up to the base limit, zeros beyond.
    const uint64_t limit = std::min(top.base_limit(), below_size);
    const uint64_t below_end = std::clamp(limit, s, e);
    if (below_end > s) status = WalkLayers(base, below, reader, s, below_end - s, visit);
    if (status.ok() && e > below_end) status = visit.Zeros(e - below_end);
  });
  return status;
}

}  // namespace

Status WalkFileContent(const FileContent& content, ChunkReader* reader, uint64_t offset,
                       uint64_t length, ContentVisitor& visit) {
  std::array<const StagedFile*, 2> layers{};
  size_t n = 0;
  if (content.committing) layers[n++] = content.committing;
  if (content.staged) layers[n++] = content.staged;
  return WalkLayers(*content.base, std::span(layers.data(), n), reader, offset, length, visit);
}

namespace {

// Copies every piece into one buffer.
class CopyVisitor final : public ContentVisitor {
 public:
  explicit CopyVisitor(std::span<uint8_t> out) : out_(out) {}
  Status Chunk(const SharedBytes& bytes) override {
    std::memcpy(Next(bytes.size()), bytes.data(), bytes.size());
    return Status::Ok();
  }
  Status Zeros(uint64_t length) override {
    std::memset(Next(length), 0, length);
    return Status::Ok();
  }
  Status Staged(const StagedFile& file, uint64_t offset, uint64_t length) override {
    return file.ReadStaged(offset, std::span<uint8_t>(Next(length), length));
  }

 private:
  uint8_t* Next(uint64_t length) {
    uint8_t* at = out_.data() + done_;
    done_ += length;
    return at;
  }
  std::span<uint8_t> out_;
  uint64_t done_ = 0;
};

// Zeros for holes and the unwritten part of a staged file: slices of one shared block.
const std::vector<uint8_t>& ZeroBlock() {
  static const std::vector<uint8_t> zeros(1u << 20, 0);
  return zeros;
}

// Collects the pieces as slices.
class SliceVisitor final : public ContentVisitor {
 public:
  explicit SliceVisitor(ReadPieces* out) : out_(out) {}
  Status Chunk(const SharedBytes& bytes) override {
    out_->push_back(bytes);
    return Status::Ok();
  }
  Status Zeros(uint64_t length) override {
    const std::vector<uint8_t>& zeros = ZeroBlock();
    for (uint64_t done = 0; done < length;) {
      const uint64_t n = std::min<uint64_t>(zeros.size(), length - done);
      out_->push_back(SharedBytes(nullptr, std::span<const uint8_t>(zeros.data(), n)));
      done += n;
    }
    return Status::Ok();
  }
  Status Staged(const StagedFile& file, uint64_t offset, uint64_t length) override {
    std::vector<uint8_t> bytes(length);
    REEL_RETURN_IF_ERROR(file.ReadStaged(offset, bytes));
    out_->push_back(SharedBytes(std::move(bytes)));
    return Status::Ok();
  }

 private:
  ReadPieces* out_;
};

}  // namespace

Status ReadFileContent(const FileContent& content, ChunkReader* reader, uint64_t offset,
                       std::span<uint8_t> out) {
  CopyVisitor copy(out);
  return WalkFileContent(content, reader, offset, out.size(), copy);
}

Status ReadFileContentShared(const FileContent& content, ChunkReader* reader, uint64_t offset,
                             uint64_t length, ReadPieces* out) {
  SliceVisitor slices(out);
  return WalkFileContent(content, reader, offset, length, slices);
}

}  // namespace reel
