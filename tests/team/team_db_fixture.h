// A fixture whose every test gets a team directory (TeamDirectory) on a new database of the real
// PostgreSQL of REEL_TEST_PG_URI (skipped without one, failed under REEL_REQUIRE_PG=1).
#pragma once

#include <memory>

#include <gtest/gtest.h>

#include "catalog/pg_test_db.h"
#include "team/team_directory.h"

namespace reel::testing {

class TeamDatabaseTest : public PgDatabaseTest {
 protected:
  void SetUp() override {
    PgDatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto opened = TeamDirectory::Open(uri_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    team_ = std::move(opened).value();
  }
  void TearDown() override {
    team_.reset();
    PgDatabaseTest::TearDown();
  }

  std::unique_ptr<TeamDirectory> team_;
};

}  // namespace reel::testing
