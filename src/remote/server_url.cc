#include "remote/server_url.h"

#include <algorithm>
#include <cctype>

namespace reel {

Result<std::string> NormalizeServerUrl(const std::string& given) {
  const Status bad = Status::InvalidArgument(
      "\"" + given.substr(0, 200) + "\" is not a server URL (http://HOST[:PORT] or https://...)");
  std::string url = given;
  while (!url.empty() && url.back() == '/') url.pop_back();
  std::string lower = url;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  size_t scheme_end = 0;
  if (lower.rfind("http://", 0) == 0) {
    scheme_end = 7;
  } else if (lower.rfind("https://", 0) == 0) {
    scheme_end = 8;
  } else {
    return bad;
  }
  const std::string authority = lower.substr(scheme_end);
  if (authority.empty() || authority.size() > 255) return bad;
  for (char c : authority) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                    c == ':' || c == '[' || c == ']';
    if (!ok) return bad;  // no path, query, fragment or user@
  }
  return lower;
}

}  // namespace reel
