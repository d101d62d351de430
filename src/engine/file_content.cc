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

Status VersionLayout::Read(ChunkReader* reader, uint64_t offset, std::span<uint8_t> out) const {
  if (out.empty()) return Status::Ok();
  if (offset + out.size() > size()) return Status::Internal("read past the end of a version");
  size_t i = ChunkAt(offset);
  size_t done = 0;
  while (done < out.size()) {
    const ChunkRef& ref = version_->chunks[i];
    uint64_t in_chunk = offset + done - starts_[i];
    size_t n = static_cast<size_t>(std::min<uint64_t>(ref.length - in_chunk, out.size() - done));
    if (IsHole(ref.id)) {
      std::memset(out.data() + done, 0, n);
    } else {
      auto data = reader->Get(ref);
      if (!data.ok()) return data.status();
      std::memcpy(out.data() + done, (*data)->data() + in_chunk, n);
    }
    done += n;
    ++i;
  }
  return Status::Ok();
}

Status ReadFileContent(const VersionLayout& base, const StagedFile* staged, ChunkReader* reader,
                       uint64_t offset, std::span<uint8_t> out) {
  if (!staged) return base.Read(reader, offset, out);
  const uint64_t end = offset + out.size();
  Status status;
  staged->extents().Walk(offset, end, [&](uint64_t s, uint64_t e, bool in_extent) {
    if (!status.ok()) return;
    auto piece = out.subspan(s - offset, e - s);
    if (in_extent) {
      status = staged->ReadStaged(s, piece);
      return;
    }
    // Not written since the base version: base bytes below base_limit, zeros beyond.
    uint64_t limit = std::min(staged->base_limit(), base.size());
    uint64_t base_end = std::clamp(limit, s, e);
    if (base_end > s) status = base.Read(reader, s, piece.first(base_end - s));
    if (status.ok() && e > base_end) std::memset(piece.data() + (base_end - s), 0, e - base_end);
  });
  return status;
}

}  // namespace reel
