// The catalog's operations as calls: a name, the arguments as a JSON object, the answer as JSON.
// The team server runs them (ServeCatalogCall) on the catalog a caller may see; the remote
// catalog (remote/remote_catalog.h) makes them. Both sides use the table and the value codec
// (catalog_json.h) here, so every implementation of Catalog answers the same calls the same way.
//
// Arguments are checked before anything runs: unknown or missing ones, and values of the wrong
// type, are InvalidArgument. Names travel as JSON strings, so a name that is not UTF-8 cannot be
// sent; binary xattr values travel as hex. Catalog::ForEachChunk (a callback) and BackupTo (a
// local file) are not calls.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/catalog.h"
#include "common/status.h"

namespace reel {

enum class CatalogCallKind {
  kRead,    // changes nothing
  kChange,  // changes the catalog: a retry must not apply it twice (the caller records it)
};

struct CatalogCallInfo {
  std::string_view name;  // e.g. "create"
  CatalogCallKind kind;
  std::vector<std::string_view> args;  // the argument names, each required
};

// The call named `name`, or nullptr.
[[nodiscard]] const CatalogCallInfo* FindCatalogCall(std::string_view name);
// Every call, in a fixed order.
[[nodiscard]] const std::vector<CatalogCallInfo>& CatalogCalls();

// Runs call `call` with `args` on `catalog` and returns its answer's JSON text (written as it is:
// a listing of thousands of entries is never a document). Errors are the catalog's, or
// InvalidArgument for arguments that are not what `call` takes.
[[nodiscard]] Result<std::string> ServeCatalogCall(Catalog& catalog, const CatalogCallInfo& call,
                                                   const nlohmann::json& args);

// The most entries one "readdir" call returns (a larger limit returns this many).
inline constexpr size_t kMaxReadDirPerCall = 4096;

}  // namespace reel
