// Timing of every FUSE operation (metrics/metrics.h): `reel_fuse_ops_seconds{op="lookup"}` and so
// on, the time each request spends in its handler (most reply before they return; a handler that
// hands its reply to another thread is timed up to the hand-off). Only when the mount serves
// metrics; otherwise one branch per request.
#pragma once

#include <fuse3/fuse_lowlevel.h>

#include <array>
#include <chrono>
#include <cstddef>

#include "fuse/fuse_reply.h"
#include "metrics/metrics.h"

namespace reel::fuse {

// The series of each operation in `metrics`.
std::array<TimedCalls*, static_cast<size_t>(Op::kCount)> OpSeries(Metrics& metrics);

// `Timed<Op::lookup, Lookup>::Call` is Lookup, timed.
template <Op op, auto Fn>
struct Timed;

template <Op op, typename... A, void (*Fn)(fuse_req_t, A...)>
struct Timed<op, Fn> {
  static void Call(fuse_req_t req, A... args) {
    // Read before the handler: its reply frees `req`.
    TimedCalls* series = Ctx(req).op_series[static_cast<size_t>(op)];
    if (series == nullptr) {
      Fn(req, args...);
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    Fn(req, args...);
    series->Observe(std::chrono::steady_clock::now() - start, false);
  }
};

}  // namespace reel::fuse
