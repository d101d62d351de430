// OpenCatalog: picks the Catalog implementation from the URI scheme.
#include <algorithm>
#include <string_view>

#include "catalog/catalog.h"
#include "catalog/postgres/postgres_catalog.h"
#include "catalog/sqlite/sqlite_catalog.h"

namespace reel {

Result<std::vector<std::vector<std::string>>> Catalog::ListXattrsOf(
    const std::vector<InodeId>& inos) {
  std::vector<std::vector<std::string>> out;
  out.reserve(inos.size());
  for (InodeId ino : inos) {
    Result<std::vector<std::string>> names = ListXattrs(ino);
    if (!names.ok() && names.status().code() != Code::kNotFound) return names.status();
    out.push_back(names.ok() ? std::move(names).value() : std::vector<std::string>());
  }
  return out;
}

Result<std::vector<std::optional<VersionInfo>>> Catalog::NewestSharedVersions(
    const std::vector<InodeId>& inos, const std::string& author) {
  std::vector<std::optional<VersionInfo>> out(inos.size());
  for (size_t k = 0; k < inos.size(); ++k) {
    Result<std::vector<VersionInfo>> versions = ListVersions(inos[k]);
    if (!versions.ok()) {
      const Code code = versions.status().code();
      if (code == Code::kNotFound || code == Code::kInvalidArgument) continue;
      return versions.status();
    }
    for (auto v = versions->rbegin(); v != versions->rend(); ++v) {
      if (v->kind != VersionKind::kRejected && (v->published > 0 || v->author == author)) {
        out[k] = std::move(*v);
        break;
      }
    }
  }
  return out;
}

namespace {

constexpr std::string_view kSqliteMemory = "sqlite::memory:";
constexpr std::string_view kSqliteFilePrefix = "sqlite://";  // followed by an absolute path
constexpr std::string_view kSupported =
    "sqlite:///abs/path.db, sqlite::memory:, postgresql://USER@HOST:PORT/DATABASE";

}  // namespace

Result<std::unique_ptr<Catalog>> OpenCatalog(const std::string& uri, uint32_t root_uid,
                                             uint32_t root_gid) {
  // --- SQLite ---
  if (uri == kSqliteMemory) return sqlite::SqliteCatalog::Open(":memory:", root_uid, root_gid);
  if (uri.starts_with(kSqliteFilePrefix)) {
    std::string path = uri.substr(kSqliteFilePrefix.size());
    // The path is taken literally (no percent-decoding, no query parameters).
    if (path.size() < 2 || path.front() != '/' || path.back() == '/') {
      return Status::InvalidArgument("catalog URI \"" + uri +
                                     "\" needs an absolute file path: sqlite:///abs/path.db");
    }
    return sqlite::SqliteCatalog::Open(path, root_uid, root_gid);
  }

  // --- PostgreSQL ---
  if (uri.starts_with("postgresql://") || uri.starts_with("postgres://")) {
    return postgres::PostgresCatalog::Open(uri, root_uid, root_gid);
  }

  // Only the scheme goes into the message: a database URI may carry a password.
  std::string scheme = uri.substr(0, std::min(uri.find(':'), size_t{32}));
  return Status::InvalidArgument("unsupported catalog URI scheme \"" + scheme +
                                 "\"; supported: " + std::string(kSupported));
}

}  // namespace reel
