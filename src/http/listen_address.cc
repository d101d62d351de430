#include "http/listen_address.h"

#include <arpa/inet.h>

#include <charconv>

namespace reel {

Result<ListenAddress> ParseListenAddress(const std::string& text) {
  const Status bad = Status::InvalidArgument("listen address \"" + text +
                                             "\" is not HOST:PORT (e.g. 127.0.0.1:7480)");
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return bad;
  ListenAddress out;
  out.host = text.substr(0, colon);
  if (out.host.front() == '[') {
    if (out.host.size() < 3 || out.host.back() != ']') return bad;
    out.host = out.host.substr(1, out.host.size() - 2);
    in6_addr a6;
    if (::inet_pton(AF_INET6, out.host.c_str(), &a6) != 1) return bad;
  } else if (out.host.find(':') != std::string::npos) {
    return bad;  // IPv6 needs brackets
  }
  for (char c : out.host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == ':';
    if (!ok) return bad;
  }
  const std::string port = text.substr(colon + 1);
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
  if (ec != std::errc() || end != port.data() + port.size() || out.port < 0 || out.port > 65535) {
    return bad;
  }
  return out;
}

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr a4;
  if (::inet_pton(AF_INET, host.c_str(), &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
  in6_addr a6;
  if (::inet_pton(AF_INET6, host.c_str(), &a6) == 1) return IN6_IS_ADDR_LOOPBACK(&a6);
  return false;
}

}  // namespace reel
