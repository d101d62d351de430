// The answer of a `readdir` catalog call, {"entries": [DirEntry, ...]}, written and read without
// building a JSON document. A listing of thousands of entries is the largest answer a team mount
// waits for (a first lookup in a directory loads the whole listing), and a document of it costs
// several times the parse itself. The form is catalog_json.h's to_json/from_json of DirEntry,
// exactly: tests check both ways against them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "catalog/types.h"

namespace reel {

// {"entries":[...]} of `entries`.
[[nodiscard]] std::string DirEntriesJson(const std::vector<DirEntry>& entries);

// The entries of a `readdir` answer. An answer of the usual shape is read in one pass; anything
// else (a name sent as {"hex": ...}, a field of another type, a missing field) is read as a
// document by from_json, with its checks: a malformed answer throws as from_json does
// (nlohmann::json::exception or std::invalid_argument).
[[nodiscard]] std::vector<DirEntry> DirEntriesFromJson(std::string_view text);

}  // namespace reel
