// Where a server listens: "HOST:PORT", "[IPV6]:PORT". Ports 0 (any free one) to 65535.
#pragma once

#include <string>

#include "common/status.h"

namespace reel {

struct ListenAddress {
  std::string host;  // without brackets
  int port = 0;
};

[[nodiscard]] Result<ListenAddress> ParseListenAddress(const std::string& text);
// Whether `host` is a loopback address or "localhost".
[[nodiscard]] bool IsLoopbackHost(const std::string& host);

}  // namespace reel
