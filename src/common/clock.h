// The wall clock as the catalog stores times: nanoseconds since the Unix epoch.
#pragma once

#include <chrono>
#include <cstdint>

namespace reel {

inline int64_t WallClockNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace reel
