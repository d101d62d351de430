#include "engine/file_content.h"

#include <algorithm>
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

Status WalkFileContent(const VersionLayout& base, const StagedFile* staged, ChunkReader* reader,
                       uint64_t offset, uint64_t length, ContentVisitor& visit) {
  if (!staged) return base.Walk(reader, offset, length, visit);
  Status status;
  staged->extents().Walk(offset, offset + length, [&](uint64_t s, uint64_t e, bool in_extent) {
    if (!status.ok()) return;
    if (in_extent) {
      status = visit.Staged(s, e - s);
      return;
    }
    // Not written since the base version: base bytes below base_limit, zeros beyond.
    uint64_t limit = std::min(staged->base_limit(), base.size());
    uint64_t base_end = std::clamp(limit, s, e);
    if (base_end > s) status = base.Walk(reader, s, base_end - s, visit);
    if (status.ok() && e > base_end) status = visit.Zeros(e - base_end);
  });
  return status;
}

namespace {

// Copies every piece into one buffer.
class CopyVisitor final : public ContentVisitor {
 public:
  CopyVisitor(const StagedFile* staged, std::span<uint8_t> out) : staged_(staged), out_(out) {}
  Status Chunk(const SharedBytes& bytes) override {
    std::memcpy(Next(bytes.size()), bytes.data(), bytes.size());
    return Status::Ok();
  }
  Status Zeros(uint64_t length) override {
    std::memset(Next(length), 0, length);
    return Status::Ok();
  }
  Status Staged(uint64_t offset, uint64_t length) override {
    return staged_->ReadStaged(offset, std::span<uint8_t>(Next(length), length));
  }

 private:
  uint8_t* Next(uint64_t length) {
    uint8_t* at = out_.data() + done_;
    done_ += length;
    return at;
  }
  const StagedFile* staged_;
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
  SliceVisitor(const StagedFile* staged, ReadPieces* out) : staged_(staged), out_(out) {}
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
  Status Staged(uint64_t offset, uint64_t length) override {
    std::vector<uint8_t> bytes(length);
    REEL_RETURN_IF_ERROR(staged_->ReadStaged(offset, bytes));
    out_->push_back(SharedBytes(std::move(bytes)));
    return Status::Ok();
  }

 private:
  const StagedFile* staged_;
  ReadPieces* out_;
};

}  // namespace

Status ReadFileContent(const VersionLayout& base, const StagedFile* staged, ChunkReader* reader,
                       uint64_t offset, std::span<uint8_t> out) {
  CopyVisitor copy(staged, out);
  return WalkFileContent(base, staged, reader, offset, out.size(), copy);
}

Status ReadFileContentShared(const VersionLayout& base, const StagedFile* staged,
                             ChunkReader* reader, uint64_t offset, uint64_t length,
                             ReadPieces* out) {
  SliceVisitor slices(staged, out);
  return WalkFileContent(base, staged, reader, offset, length, slices);
}

}  // namespace reel
