// A team server whose cloud tier is on the real Ceph S3 gateway (REEL_TEST_S3_URI: a prefix of
// each test's own; skipped without it, failed when it is required), and a handle on that store
// of the test's own, to put and look at objects behind the server's back.
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "store/object_store.h"
#include "store/s3_test_env.h"
#include "team_server_fixture.h"

namespace reel::testing {

class TeamServerWithStoreTest : public TeamServerTest {
 protected:
  void SetUp() override {
    REEL_ASSIGN_TEST_S3_URI_OR_SKIP(store_uri_);
    auto direct = OpenObjectStore(store_uri_);  // makes the bucket
    ASSERT_TRUE(direct.ok()) << direct.status().ToString();
    direct_ = std::move(direct).value();
    now_ = WallClockNs();  // presigned URLs are checked against the store's clock
    TeamServerTest::SetUp();
  }

  std::string store_uri_;
  std::unique_ptr<ObjectStore> direct_;  // the store as the server sees it
};

}  // namespace reel::testing
