#include "forward/forward_uri.h"

#include <algorithm>
#include <cctype>

#include "common/percent_encode.h"

namespace reel::forward_internal {

namespace {

bool ValidHostPort(const std::string& hp) {
  const size_t colon = hp.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == hp.size()) return false;
  const std::string port = hp.substr(colon + 1);
  if (port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit)) return false;
  const int p = std::stoi(port);
  if (p <= 0 || p > 65535) return false;
  return std::all_of(hp.begin(), hp.begin() + colon, [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '[' || c == ']' || c == ':';
  });
}

// A NATS subject of dot-separated tokens of [A-Za-z0-9_-].
bool ValidSubject(const std::string& s) {
  if (s.empty() || s.size() > 200 || s.front() == '.' || s.back() == '.') return false;
  if (s.find("..") != std::string::npos) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-';
  });
}

// A Kafka topic or JetStream stream name: 1 to 200 of [A-Za-z0-9._-] (stream names: no '.').
bool ValidTopic(const std::string& s, bool dots) {
  if (s.empty() || s.size() > 200) return false;
  return std::all_of(s.begin(), s.end(), [dots](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-' || (dots && c == '.');
  });
}

Status Bad(const std::string& scheme, const std::string& why) {
  return Status::InvalidArgument("forward URI " + scheme + "://...: " + why);
}

}  // namespace

Result<ForwardUri> ParseForwardUri(const std::string& uri) {
  const size_t sep = uri.find("://");
  if (sep == std::string::npos) {
    return Status::InvalidArgument(
        "a forward URI is nats://, kafka://, http:// or https:// (got no scheme)");
  }
  ForwardUri out;
  out.scheme = uri.substr(0, sep);
  if (out.scheme == "http" || out.scheme == "https") {
    const std::string authority = uri.substr(sep + 3, uri.find('/', sep + 3) - (sep + 3));
    if (authority.empty() || uri.find_first_of(" \t\r\n") != std::string::npos) {
      return Bad(out.scheme, "needs a host and no spaces");
    }
    if (authority.find('@') != std::string::npos) {
      return Bad(out.scheme, "a webhook URL takes no credentials (it is signed instead)");
    }
    return out;
  }
  if (out.scheme != "nats" && out.scheme != "kafka") {
    return Status::InvalidArgument("a forward URI is nats://, kafka://, http:// or https://, not " +
                                   out.scheme + "://");
  }
  std::string rest = uri.substr(sep + 3);
  std::string query;
  if (size_t q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest.resize(q);
  }
  std::string hosts = rest;
  if (size_t slash = rest.find('/'); slash != std::string::npos) {
    hosts = rest.substr(0, slash);
    out.path = rest.substr(slash + 1);
  }
  size_t start = 0;
  while (start <= hosts.size()) {
    size_t comma = hosts.find(',', start);
    if (comma == std::string::npos) comma = hosts.size();
    std::string hp = hosts.substr(start, comma - start);
    if (!ValidHostPort(hp)) return Bad(out.scheme, "\"" + hp + "\" is not HOST:PORT");
    out.hosts.push_back(std::move(hp));
    start = comma + 1;
  }
  for (const QueryItem& item : SplitQuery(query)) {
    auto value = item.value ? PercentDecode(*item.value) : std::optional<std::string>("");
    if (!value) return Bad(out.scheme, "bad escape in option " + std::string(item.name));
    out.options[std::string(item.name)] = *value;
  }
  auto only = [&](std::initializer_list<const char*> known) -> Status {
    for (const auto& [k, v] : out.options) {
      if (std::none_of(known.begin(), known.end(), [&](const char* n) { return k == n; })) {
        return Bad(out.scheme, "unknown option \"" + k + "\"");
      }
    }
    return Status::Ok();
  };
  if (out.scheme == "nats") {
    REEL_RETURN_IF_ERROR(only({"subject", "stream"}));
    if (!out.path.empty()) return Bad("nats", "takes no path (the subject is ?subject=)");
    auto subject = out.options.find("subject");
    if (subject != out.options.end() && !ValidSubject(subject->second)) {
      return Bad("nats", "subject \"" + subject->second +
                             "\" is not dot-separated tokens of A-Z a-z 0-9 _ -");
    }
    auto stream = out.options.find("stream");
    if (stream != out.options.end() && !ValidTopic(stream->second, false)) {
      return Bad("nats", "stream \"" + stream->second + "\" is not 1 to 200 of A-Z a-z 0-9 _ -");
    }
  } else {
    REEL_RETURN_IF_ERROR(only({}));
    if (!ValidTopic(out.path, true)) {
      return Bad("kafka", "needs a topic of 1 to 200 of A-Z a-z 0-9 . _ - (kafka://HOST:PORT/TOPIC)");
    }
  }
  return out;
}

}  // namespace reel::forward_internal
