// Percent-encoding of URL parts (RFC 3986; also what AWS SigV4 canonical requests require).
#pragma once

#include <string>
#include <string_view>

namespace reel {

// Every byte but the unreserved A-Z a-z 0-9 - _ . ~ (and '/' when keep_slash) as %XX (upper case).
[[nodiscard]] std::string PercentEncode(std::string_view s, bool keep_slash = false);

}  // namespace reel
