// Throwaway databases for tests on the PostgreSQL server that REEL_TEST_PG_URI names
// (scripts/test.sh starts one with scripts/pg-up.sh): each test gets a database of its own.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>

#include "catalog/postgres/pg_conn.h"

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

}  // namespace reel::testing
