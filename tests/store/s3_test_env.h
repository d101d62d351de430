// How S3 tests find their gateway: REEL_TEST_S3_URI (e.g.
// s3://reel-test/run?endpoint=http://127.0.0.1:7480&path_style=true&create_bucket=true) plus the
// AWS_* credentials in the environment; scripts/test.sh sets both from scripts/ceph-up.sh.
// Unset: the tests skip, unless REEL_REQUIRE_CEPH=1, which makes a missing or unreachable
// gateway a failure (CI must not pass by skipping).
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "store/object_store.h"

namespace reel::testing {

inline bool S3Required() {
  const char* v = std::getenv("REEL_REQUIRE_CEPH");
  return v != nullptr && std::string(v) == "1";
}

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
  static std::atomic<uint64_t> counter{0};
  static const uint64_t nonce = std::random_device{}();
  std::string uri(base);
  size_t q = uri.find('?');
  std::string path = uri.substr(0, q);
  std::string query = q == std::string::npos ? "" : uri.substr(q + 1);
  while (path.ends_with('/')) path.pop_back();
  path += "/t" + std::to_string(::getpid()) + "-" + std::to_string(nonce % 1000000) + "-" +
          std::to_string(counter.fetch_add(1));
  if (!extra_options.empty()) query += (query.empty() ? "" : "&") + extra_options;
  return query.empty() ? path : path + "?" + query;
}

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
