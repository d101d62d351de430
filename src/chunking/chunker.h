// Content chunking: where to cut a byte stream into chunks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "common/status.h"

namespace reel {

struct ChunkerOptions {
  enum class Kind { kFastCdc, kFixed };
  Kind kind = Kind::kFastCdc;
  // FastCDC bounds (normalized chunking, level 2; exact definition in fastcdc_chunker.h).
  // Defaults come from bench/ measurements on media-like data; see bench/results/chunking.md.
  uint32_t min_size = 256 * 1024;
  uint32_t avg_size = 1024 * 1024;
  uint32_t max_size = 4 * 1024 * 1024;
  // Fixed-size chunking: every chunk but the last has exactly this size.
  uint32_t fixed_size = 64 * 1024 * 1024;

  // The largest chunk this configuration can produce.
  uint32_t MaxChunk() const { return kind == Kind::kFixed ? fixed_size : max_size; }
};

// Validates bounds: 64 B <= min < avg < max <= 64 MiB, avg a power of two; 4 KiB <= fixed <= 256 MiB.
// Only the fields of the selected kind are checked. Errors are InvalidArgument.
[[nodiscard]] Status ValidateChunkerOptions(const ChunkerOptions& options);

class Chunker {
 public:
  virtual ~Chunker() = default;

  // Returns the length of the next chunk, which starts at data[0].
  // Contract: the caller passes at least MaxChunk() bytes, or everything left when `at_end` is
  // true. The result is in [1, min(data.size(), MaxChunk())]; it is data.size() only when the
  // content says so, the maximum is reached, or `at_end` and fewer bytes than a cut point remain.
  // Deterministic: the same bytes give the same cut, whatever came before the chunk.
  // An empty span gives 0.
  virtual size_t NextCut(std::span<const uint8_t> data, bool at_end) const = 0;
  virtual uint32_t MaxChunk() const = 0;
};

[[nodiscard]] Result<std::unique_ptr<Chunker>> MakeChunker(const ChunkerOptions& options);

}  // namespace reel
