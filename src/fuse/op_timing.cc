#include "fuse/op_timing.h"

namespace reel::fuse {

std::array<TimedCalls*, static_cast<size_t>(Op::kCount)> OpSeries(Metrics& metrics) {
  static constexpr const char* kNames[] = {
#define REEL_FUSE_OP_NAME(name) #name,
      REEL_FUSE_OPS(REEL_FUSE_OP_NAME)
#undef REEL_FUSE_OP_NAME
  };
  std::array<TimedCalls*, static_cast<size_t>(Op::kCount)> out{};
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = metrics.Calls("reel_fuse_ops", "FUSE requests by operation", "op", kNames[i],
                           /*count_failures=*/false);
  }
  return out;
}

}  // namespace reel::fuse
