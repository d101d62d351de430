// Throwaway databases for tests on the PostgreSQL server that REEL_TEST_PG_URI names
// (scripts/test.sh starts one with scripts/pg-up.sh): each test gets a database of its own.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "catalog/postgres/pg_conn.h"
#include "testing/require.h"

namespace reel::testing {

// The server URI tests use, or "" when none is configured.
inline std::string TestPgServerUri() {
  const char* uri = std::getenv("REEL_TEST_PG_URI");
  return uri != nullptr ? std::string(uri) : std::string();
}

// `uri` with its database replaced by `db`.
inline std::string WithDatabase(const std::string& uri, const std::string& db) {
  const size_t authority = uri.find("://") + 3;
  const size_t slash = uri.find('/', authority);
  const size_t query = uri.find('?', authority);
  std::string base = uri.substr(0, std::min(slash, query));
  return base + "/" + db + (query == std::string::npos ? "" : uri.substr(query));
}

// A name for a new test database, unique in this process and across processes.
inline std::string NewTestDatabaseName() {
  static std::atomic<int> counter{0};
  return "reel_t_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
}

// Creates database `db` on the server of `server_uri` (dropping a leftover of the same name).
inline Status CreateTestDatabase(const std::string& server_uri, const std::string& db) {
  REEL_ASSIGN_OR_RETURN(std::unique_ptr<postgres::PgConn> admin,
                        postgres::PgConn::Connect(server_uri));
  REEL_RETURN_IF_ERROR(admin->ExecScript("DROP DATABASE IF EXISTS " + db));
  return admin->ExecScript("CREATE DATABASE " + db);
}

// Drops database `db`, closing the connections still open to it.
inline Status DropTestDatabase(const std::string& server_uri, const std::string& db) {
  REEL_ASSIGN_OR_RETURN(std::unique_ptr<postgres::PgConn> admin,
                        postgres::PgConn::Connect(server_uri));
  return admin->ExecScript("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
}

// A fixture whose every test gets a new database (uri_), dropped afterwards; without a server the
// test skips, or fails under REEL_REQUIRE_PG=1.
class PgDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_uri_ = TestPgServerUri();
    if (server_uri_.empty()) {
      REEL_SKIP_UNLESS_REQUIRED("REEL_REQUIRE_PG", "REEL_TEST_PG_URI is unset");
    }
    db_ = NewTestDatabaseName();
    Status made = CreateTestDatabase(server_uri_, db_);
    ASSERT_TRUE(made.ok()) << made.ToString();
    uri_ = WithDatabase(server_uri_, db_);
  }
  void TearDown() override {
    if (uri_.empty()) return;
    Status dropped = DropTestDatabase(server_uri_, db_);
    EXPECT_TRUE(dropped.ok()) << dropped.ToString();
  }

  std::string server_uri_, db_, uri_;
};

}  // namespace reel::testing
