#include "chunking/chunker.h"

#include <bit>
#include <string>

#include "chunking/fastcdc_chunker.h"
#include "chunking/fixed_chunker.h"

namespace reel {
namespace {

constexpr uint32_t kMinCdcSize = 64;  // the gear hash window: a cut needs 64 bytes of history
constexpr uint32_t kMaxCdcSize = 64u << 20;
constexpr uint32_t kMinFixedSize = 4u << 10;
constexpr uint32_t kMaxFixedSize = 256u << 20;

}  // namespace

Status ValidateChunkerOptions(const ChunkerOptions& o) {
  switch (o.kind) {
    case ChunkerOptions::Kind::kFastCdc:
      if (o.min_size < kMinCdcSize) {
        return Status::InvalidArgument("chunker min_size " + std::to_string(o.min_size) +
                                       " is below 64 bytes");
      }
      if (o.avg_size <= o.min_size) {
        return Status::InvalidArgument("chunker avg_size " + std::to_string(o.avg_size) +
                                       " must be greater than min_size " +
                                       std::to_string(o.min_size));
      }
      if (o.max_size <= o.avg_size) {
        return Status::InvalidArgument("chunker max_size " + std::to_string(o.max_size) +
                                       " must be greater than avg_size " +
                                       std::to_string(o.avg_size));
      }
      if (o.max_size > kMaxCdcSize) {
        return Status::InvalidArgument("chunker max_size " + std::to_string(o.max_size) +
                                       " is above 64 MiB");
      }
      if (!std::has_single_bit(o.avg_size)) {
        return Status::InvalidArgument("chunker avg_size " + std::to_string(o.avg_size) +
                                       " is not a power of two");
      }
      return Status::Ok();
    case ChunkerOptions::Kind::kFixed:
      if (o.fixed_size < kMinFixedSize || o.fixed_size > kMaxFixedSize) {
        return Status::InvalidArgument("chunker fixed_size " + std::to_string(o.fixed_size) +
                                       " is outside [4 KiB, 256 MiB]");
      }
      return Status::Ok();
  }
  return Status::InvalidArgument("unknown chunker kind " +
                                 std::to_string(static_cast<int>(o.kind)));
}

Result<std::unique_ptr<Chunker>> MakeChunker(const ChunkerOptions& options) {
  REEL_RETURN_IF_ERROR(ValidateChunkerOptions(options));
  std::unique_ptr<Chunker> chunker;
  if (options.kind == ChunkerOptions::Kind::kFixed) {
    chunker = std::make_unique<FixedChunker>(options);
  } else {
    chunker = std::make_unique<FastCdcChunker>(options);
  }
  return chunker;
}

}  // namespace reel
