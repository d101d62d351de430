// The URL of a team server as users type it ("https://reel.studio.example:7480/") and as it is
// stored: lower-case scheme and host, no trailing slash, no path, query or credentials.
#pragma once

#include <string>

#include "common/status.h"

namespace reel {

// "http://HOST[:PORT]" or "https://HOST[:PORT]"; InvalidArgument for anything else.
[[nodiscard]] Result<std::string> NormalizeServerUrl(const std::string& url);

}  // namespace reel
