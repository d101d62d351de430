// How S3 tests find their gateway: REEL_TEST_S3_URI (e.g.
// s3://reel-test/run?endpoint=http://127.0.0.1:7480&path_style=true&create_bucket=true) plus the
// AWS_* credentials in the environment; scripts/test.sh sets both from scripts/ceph-up.sh.
// Unset: the tests skip, unless REEL_REQUIRE_CEPH=1, which makes a missing or unreachable
// gateway a failure (CI must not pass by skipping).
#pragma once

#include <cstdlib>
#include <memory>
#include <string>

#include "store/object_store.h"
#include "store/test_env_store.h"

namespace reel::testing {

inline bool S3Required() { return CephRequired(); }

// REEL_TEST_S3_URI with a fresh unique prefix segment appended (so every test starts empty) and
// `extra_options` ("a=1&b=2") added to the query. NotSupported (= skip) when the variable is
// unset, InvalidArgument (= fail) when it is unset but required.
inline Result<std::string> UniqueTestS3Uri(const std::string& extra_options = "") {
  const char* base = std::getenv("REEL_TEST_S3_URI");
  if (base == nullptr || *base == '\0') {
    if (S3Required()) {
      return Status::InvalidArgument("REEL_REQUIRE_CEPH=1 but REEL_TEST_S3_URI is not set");
    }
    return Status::NotSupported("REEL_TEST_S3_URI is not set");
  }
  std::string uri = WithPrefix(base, UniqueTestPrefix());
  if (extra_options.empty()) return uri;
  return uri + (uri.find('?') == std::string::npos ? "?" : "&") + extra_options;
}

// In a test or SetUp: assigns UniqueTestS3Uri() to `var` (a std::string), or skips the test when
// no gateway is configured (fails when one is required).
#define REEL_ASSIGN_TEST_S3_URI_OR_SKIP(var)                                          \
  do {                                                                               \
    auto reel_s3_uri = ::reel::testing::UniqueTestS3Uri();                            \
    if (!reel_s3_uri.ok()) {                                                         \
      if (reel_s3_uri.status().code() == ::reel::Code::kNotSupported) {              \
        GTEST_SKIP() << reel_s3_uri.status().ToString();                             \
      }                                                                              \
      FAIL() << reel_s3_uri.status().ToString();                                     \
    }                                                                                \
    var = *reel_s3_uri;                                                              \
  } while (0)

// Opens a store on a fresh prefix. When the gateway is required, Unavailable becomes Internal so
// the caller fails instead of skipping.
inline Result<std::unique_ptr<ObjectStore>> OpenTestS3Store(const std::string& extra_options = "") {
  REEL_ASSIGN_OR_RETURN(std::string uri, UniqueTestS3Uri(extra_options));
  auto store = OpenObjectStore(uri);
  if (!store.ok() && store.status().code() == Code::kUnavailable && S3Required()) {
    return Status::Internal("REEL_REQUIRE_CEPH=1 but the S3 gateway is unreachable: " +
                            store.status().message());
  }
  return store;
}

}  // namespace reel::testing
