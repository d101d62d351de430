// UTF-8 validity, strictly (RFC 3629: no overlong forms, no UTF-16 surrogates, nothing past
// U+10FFFF): what JSON text and TOML strings accept.
#pragma once

#include <string_view>

namespace reel {

[[nodiscard]] bool IsUtf8(std::string_view s);

}  // namespace reel
