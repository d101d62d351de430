// Percent-encoding of URL parts (RFC 3986; also what AWS SigV4 canonical requests require).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace reel {

// Every byte but the unreserved A-Z a-z 0-9 - _ . ~ (and '/' when keep_slash) as %XX (upper case).
[[nodiscard]] std::string PercentEncode(std::string_view s, bool keep_slash = false);
// %XX-decodes `s` ('+' stays '+': URI options are paths and names, not form data); nullopt for a
// malformed escape.
[[nodiscard]] std::optional<std::string> PercentDecode(std::string_view s);

}  // namespace reel
