#include "engine/version_builder.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "chunking/chunker.h"
#include "store/chunk_keys.h"
#include "engine/chunk_uploader.h"
#include "engine/file_content.h"
#include "engine/staged_file.h"

namespace reel {
namespace {

constexpr uint64_t kMaxHoleRef = 1ull << 30;

class RunChunker {
 public:
  RunChunker(const VersionLayout& base, const StagedFile& staged, ChunkReader* reader,
             const Chunker& chunker, ChunkUploader* uploader)
      : base_(base), staged_(staged), reader_(reader), chunker_(chunker), uploader_(uploader) {}

  // Emits [start, end): data regions are chunked, long zero regions become holes.
  Status Emit(uint64_t start, uint64_t end) {
    uint64_t pos = start;
    for (const auto& [zs, ze] : KnownZeros(start, end)) {
      REEL_RETURN_IF_ERROR(ChunkData(pos, zs));
      for (uint64_t p = zs; p < ze; p += kMaxHoleRef) {
        uploader_->AddExisting(ChunkRef{ChunkId{}, static_cast<uint32_t>(std::min(kMaxHoleRef, ze - p))});
      }
      pos = ze;
    }
    return ChunkData(pos, end);
  }

  // Emits [start, end) as one new chunk (at most MaxChunk bytes): an in-place overwrite keeps the
  // base version's boundaries.
  Status EmitWhole(uint64_t start, uint64_t end) {
    std::vector<uint8_t> data(end - start);
    REEL_RETURN_IF_ERROR(ReadFileContent(FileContent{&base_, &staged_}, reader_, start, data));
    uploader_->AddNew(std::move(data));
    return Status::Ok();
  }

 private:
  // Ranges of [start, end) that are certainly zero and long enough to be worth a hole: beyond the
  // base limit and not written.
  std::vector<std::pair<uint64_t, uint64_t>> KnownZeros(uint64_t start, uint64_t end) const {
    std::vector<std::pair<uint64_t, uint64_t>> zeros;
    uint64_t limit = std::max(start, std::min(staged_.base_limit(), base_.size()));
    if (limit >= end) return zeros;
    const uint64_t min_hole = 2ull * chunker_.MaxChunk();
    staged_.extents().Walk(limit, end, [&](uint64_t s, uint64_t e, bool written) {
      if (!written && e - s >= min_hole) zeros.emplace_back(s, e);
    });
    return zeros;
  }

  Status ChunkData(uint64_t start, uint64_t end) {
    if (start >= end) return Status::Ok();
    const size_t max = chunker_.MaxChunk();
    // Two maximum chunks, or the whole range when it is smaller (a small file's commit does not
    // allocate and clear 8 MiB).
    const size_t window = static_cast<size_t>(std::min<uint64_t>(2 * max, end - start));
    if (buf_.size() < window) buf_.resize(window);
    size_t have = 0, used = 0;
    uint64_t read_pos = start;
    for (;;) {
      if (have - used < max && read_pos < end) {
        std::memmove(buf_.data(), buf_.data() + used, have - used);
        have -= used;
        used = 0;
        size_t n = static_cast<size_t>(std::min<uint64_t>(window - have, end - read_pos));
        REEL_RETURN_IF_ERROR(ReadFileContent(FileContent{&base_, &staged_}, reader_, read_pos,
                                             std::span<uint8_t>(buf_.data() + have, n)));
        have += n;
        read_pos += n;
      }
      if (used == have) return Status::Ok();
      size_t cut = chunker_.NextCut(std::span<const uint8_t>(buf_.data() + used, have - used),
                                    read_pos == end);
      uploader_->AddNew(std::vector<uint8_t>(buf_.data() + used, buf_.data() + used + cut));
      used += cut;
    }
  }

  const VersionLayout& base_;
  const StagedFile& staged_;
  ChunkReader* reader_;
  const Chunker& chunker_;
  ChunkUploader* uploader_;
  std::vector<uint8_t> buf_;
};

}  // namespace

Status BuildVersionChunks(const VersionLayout& base, const StagedFile& staged,
                          ChunkReader* reader, const Chunker& chunker, ChunkUploader* uploader) {
  RunChunker run_chunker(base, staged, reader, chunker, uploader);
  const uint64_t size = staged.size();
  const uint64_t limit = std::min(staged.base_limit(), size);
  const auto& chunks = base.chunks();
  uint64_t run_start = 0;
  bool in_run = false;
  // Chunks overwritten in place next to each other are gathered into one new chunk over their
  // joint extent, up to the maximum chunk size: a 1 MiB edit that touches three small chunks
  // becomes one (the same bytes, fewer objects), and the boundaries around it stay the base's.
  uint64_t group_start = 0, group_end = 0;
  auto flush_group = [&]() -> Status {
    if (group_end > group_start) REEL_RETURN_IF_ERROR(run_chunker.EmitWhole(group_start, group_end));
    group_start = group_end = 0;
    return Status::Ok();
  };
  for (size_t i = 0; i < chunks.size(); ++i) {
    uint64_t s = base.chunk_start(i);
    uint64_t e = s + chunks[i].length;
    if (s >= size) break;
    bool inside = e <= limit;  // the chunk's whole range is still base data, maybe overwritten
    bool clean = inside && !staged.extents().Intersects(s, e);
    // A hole reference can span a gigabyte: an edit inside it is chunked afresh (as a run) so only
    // the written bytes become data and the rest stays holes.
    bool keep_extent = inside && !IsHole(chunks[i].id) && chunks[i].length <= chunker.MaxChunk();
    if (!clean && !keep_extent) {
      REEL_RETURN_IF_ERROR(flush_group());
      if (!in_run) run_start = s;
      in_run = true;
      continue;
    }
    if (in_run) {
      REEL_RETURN_IF_ERROR(run_chunker.Emit(run_start, s));
      in_run = false;
    }
    if (clean) {
      REEL_RETURN_IF_ERROR(flush_group());
      uploader->AddExisting(chunks[i]);
    } else if (group_end > group_start && group_end == s && e - group_start <= chunker.MaxChunk()) {
      group_end = e;  // joins the overwritten chunk before it
    } else {
      // Overwritten in place: new content within base boundaries. Re-chunking the span instead
      // could cut it into more chunks than it replaces (an edit re-sends what it touched, no more).
      REEL_RETURN_IF_ERROR(flush_group());
      group_start = s;
      group_end = e;
    }
    run_start = e;
  }
  REEL_RETURN_IF_ERROR(flush_group());
  // Whatever follows the last reused chunk: a trailing run, appended data, or a new file.
  return run_chunker.Emit(run_start, size);
}

}  // namespace reel
