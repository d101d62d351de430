// Stores behind real servers (RADOS, S3) for tests: the URI comes from an environment variable,
// each call gets a fresh unique prefix, and the test is skipped when the variable is unset,
// unless REEL_REQUIRE_CEPH=1 (CI with a cluster), where a missing variable or an unreachable
// server fails instead of skipping.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "store/object_store.h"
#include "testing/require.h"

namespace reel {

inline bool CephRequired() { return testing::Required("REEL_REQUIRE_CEPH"); }

// A prefix no other test (in this or another process) uses: "t<pid>-<time>-<random>".
inline std::string UniqueTestPrefix() {
  std::random_device rd;
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return "t" + std::to_string(::getpid()) + "-" + std::to_string(now) + "-" +
         std::to_string(rd() % 1'000'000);
}

// "scheme://bucket[/p][?q]" -> "scheme://bucket[/p]/PREFIX[?q]".
inline std::string WithPrefix(const std::string& uri, const std::string& prefix) {
  size_t q = uri.find('?');
  std::string path = uri.substr(0, q);
  std::string query = q == std::string::npos ? "" : uri.substr(q);
  if (!path.ends_with('/')) path += '/';
  return path + prefix + query;
}

// Opens the store named by $`var` under a unique prefix. Unset: Unavailable (the caller skips)
// or, with REEL_REQUIRE_CEPH=1, InvalidArgument (the caller fails). With REEL_REQUIRE_CEPH=1 an
// open error never comes back as Unavailable/NotSupported, so it cannot be skipped.
inline Result<std::unique_ptr<ObjectStore>> OpenTestStoreFromEnv(const char* var) {
  const char* uri = std::getenv(var);
  if (uri == nullptr || *uri == '\0') {
    if (CephRequired()) {
      return Status::InvalidArgument(std::string("REEL_REQUIRE_CEPH=1 but ") + var + " is unset");
    }
    return Status::Unavailable(std::string(var) + " is unset");
  }
  auto store = OpenObjectStore(WithPrefix(uri, UniqueTestPrefix()));
  if (!store.ok() && CephRequired()) {
    return Status::Internal("REEL_REQUIRE_CEPH=1: " + store.status().ToString());
  }
  return store;
}

}  // namespace reel
