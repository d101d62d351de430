// The PostgreSQL catalog's schema migrations (documented in pg_schema.cc).
#pragma once

#include <span>

#include "catalog/postgres/pg_migrations.h"

namespace reel::postgres {

// Rows of the stats table; each write transaction adds its counts to one of them.
inline constexpr int kStatsShards = 16;

std::span<const PgMigration> CatalogMigrations();

}  // namespace reel::postgres
