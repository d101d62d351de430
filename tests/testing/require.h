// Tests that need something the machine may lack (FUSE, a Ceph cluster) skip without it, unless
// the run says the dependency is required (scripts/test.sh exports REEL_REQUIRE_FUSE=1 and
// REEL_REQUIRE_CEPH=1): then its absence fails the test, so a run cannot pass by skipping.
#pragma once

#include <cstdlib>
#include <string>

namespace reel::testing {

// Whether environment variable `var` is "1".
inline bool Required(const char* var) {
  const char* v = std::getenv(var);
  return v != nullptr && std::string(v) == "1";
}

}  // namespace reel::testing

// In a test body or SetUp: fails when `var` is "1", else skips; `what` says what is missing.
#define REEL_SKIP_UNLESS_REQUIRED(var, what)                              \
  do {                                                                     \
    if (::reel::testing::Required(var)) {                                 \
      FAIL() << var << "=1 but " << (what);                               \
    }                                                                      \
    GTEST_SKIP() << (what) << " (set " << var << "=1 to make this fail)"; \
  } while (0)
