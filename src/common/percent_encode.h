// Percent-encoding of URL parts (RFC 3986; also what AWS SigV4 canonical requests require).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reel {

// Every byte but the unreserved A-Z a-z 0-9 - _ . ~ (and '/' when keep_slash) as %XX (upper case).
[[nodiscard]] std::string PercentEncode(std::string_view s, bool keep_slash = false);
// %XX-decodes `s` ('+' stays '+': URI options are paths and names, not form data); nullopt for a
// malformed escape.
[[nodiscard]] std::optional<std::string> PercentDecode(std::string_view s);

// One `NAME[=VALUE]` item of a URI query, still encoded.
struct QueryItem {
  std::string_view name;
  std::optional<std::string_view> value;  // nullopt when the item has no '='
};
// Splits "a=1&b&c=2" at '&' (empty items skipped), each item at its first '='.
[[nodiscard]] std::vector<QueryItem> SplitQuery(std::string_view query);

}  // namespace reel
