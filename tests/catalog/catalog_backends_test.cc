// The backends every TEST_P(CatalogTest, ...) runs against. A new implementation is one more line
// here (e.g. PostgreSQL: a URI from an environment variable, "" to skip when it is not set).
#include "catalog_test_util.h"

namespace reel::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(
    Backends, CatalogTest,
    ::testing::Values(
        CatalogBackend{"SqliteMemory", [](const std::string&) { return "sqlite::memory:"; }},
        CatalogBackend{"SqliteFile",
                       [](const std::string& dir) { return "sqlite://" + dir + "/catalog.db"; }}),
    [](const ::testing::TestParamInfo<CatalogBackend>& info) { return info.param.name; });

}  // namespace
}  // namespace reel::testing
