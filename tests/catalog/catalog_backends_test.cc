// The backends every TEST_P(CatalogTest, ...) runs against. A new implementation is one more line
// here.
#include "catalog_test_util.h"
#include "pg_test_db.h"

namespace reel::testing {
namespace {

// A new database per test on the REEL_TEST_PG_URI server; "" (skip, or fail under
// REEL_REQUIRE_PG=1) when that is unset. The database is dropped after the test.
std::string FreshPostgresCatalog(const std::string&) {
  const std::string server = TestPgServerUri();
  if (server.empty()) return "";
  const std::string db = NewTestDatabaseName();
  Status made = CreateTestDatabase(server, db);
  if (!made.ok()) {
    ADD_FAILURE() << "create a test database: " << made.ToString();
    return "";
  }
  return WithDatabase(server, db);
}

void DropPostgresCatalog(const std::string& uri) {
  const std::string db = uri.substr(uri.rfind('/') + 1, uri.find('?') - uri.rfind('/') - 1);
  Status dropped = DropTestDatabase(TestPgServerUri(), db);
  if (!dropped.ok()) ADD_FAILURE() << "drop test database " << db << ": " << dropped.ToString();
}

const std::vector<CatalogBackend>& AllBackends() {
  static const std::vector<CatalogBackend> kBackends = {
      CatalogBackend{"SqliteMemory", [](const std::string&) { return "sqlite::memory:"; }},
      CatalogBackend{"SqliteFile",
                     [](const std::string& dir) { return "sqlite://" + dir + "/catalog.db"; }},
      CatalogBackend{"Postgres", FreshPostgresCatalog, "REEL_REQUIRE_PG", DropPostgresCatalog,
                     /*backup_tool=*/"pg_dump"},
  };
  return kBackends;
}

std::vector<CatalogBackend> BackendsWithFileBackup(bool file_backup) {
  std::vector<CatalogBackend> out;
  for (const CatalogBackend& b : AllBackends()) {
    if (b.backup_tool.empty() == file_backup) out.push_back(b);
  }
  return out;
}

std::string BackendName(const ::testing::TestParamInfo<CatalogBackend>& info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Backends, CatalogTest, ::testing::ValuesIn(AllBackends()), BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, CatalogFileBackupTest,
                         ::testing::ValuesIn(BackendsWithFileBackup(true)), BackendName);
INSTANTIATE_TEST_SUITE_P(Backends, CatalogServerBackupTest,
                         ::testing::ValuesIn(BackendsWithFileBackup(false)), BackendName);

}  // namespace
}  // namespace reel::testing
