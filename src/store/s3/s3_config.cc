#include "store/s3/s3_config.h"

#include "common/percent_encode.h"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/sizes.h"
#include "store/object_store.h"

namespace reel::s3 {
namespace {

constexpr uint64_t kMinPartSize = 5ull << 20;  // S3's minimum for every part but the last
constexpr uint64_t kMaxPartSize = 5ull << 30;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}


Result<std::string> DecodeOption(std::string_view s, std::string_view what) {
  if (auto out = PercentDecode(s)) return *out;
  return Status::InvalidArgument("s3 URI: bad %-escape in " + std::string(what));
}

Result<int64_t> ParsePositive(std::string_view name, std::string_view value, int64_t max) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size() || v <= 0 || v > max) {
    return Status::InvalidArgument("s3 URI: option " + std::string(name) +
                                   " must be a whole number from 1 to " + std::to_string(max));
  }
  return v;
}

Result<bool> ParseBool(std::string_view name, std::string_view value) {
  if (value == "true" || value == "1") return true;
  if (value == "false" || value == "0") return false;
  return Status::InvalidArgument("s3 URI: option " + std::string(name) + " must be true or false");
}

// Bucket names as S3 allows them: 3-63 of [a-z0-9.-], starting and ending with a letter or digit.
// (Legacy us-east-1 names with upper case or '_' are not supported.)
Status ValidateBucket(const std::string& bucket) {
  bool ok = bucket.size() >= 3 && bucket.size() <= 63;
  for (char c : bucket) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-');
  }
  ok = ok && bucket.front() != '.' && bucket.front() != '-' && bucket.back() != '.' &&
       bucket.back() != '-';
  if (!ok) {
    // Not echoed: a malformed URI may hold credentials ("s3://KEY:SECRET@bucket").
    return Status::InvalidArgument(
        "s3 URI: bad bucket name (3-63 characters of a-z, 0-9, '.', '-', starting and ending "
        "with a letter or digit)");
  }
  return Status::Ok();
}

// http(s)://host[:port][/], no user info, path or query.
Result<std::string> NormalizeEndpoint(std::string endpoint) {
  while (endpoint.ends_with('/')) endpoint.pop_back();
  size_t scheme_end = endpoint.find("://");
  std::string scheme = scheme_end == std::string::npos ? "" : Lower(endpoint.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") {
    return Status::InvalidArgument("s3 endpoint must start with http:// or https://");
  }
  std::string_view authority = std::string_view(endpoint).substr(scheme_end + 3);
  if (authority.empty() || authority.find_first_of("/?#@ ") != std::string_view::npos) {
    // '@' would mean credentials in the URL: refused, and not echoed.
    return Status::InvalidArgument(
        "s3 endpoint must be scheme://host[:port] (no user info, path or query)");
  }
  return scheme + "://" + std::string(authority);
}

std::string EndpointHost(std::string_view endpoint) {
  std::string_view authority = endpoint.substr(endpoint.find("://") + 3);
  if (authority.starts_with('[')) return std::string(authority.substr(1, authority.find(']') - 1));
  return std::string(authority.substr(0, authority.rfind(':')));
}

bool IsIpOrLocalhost(const std::string& host) {
  unsigned char buf[sizeof(struct in6_addr)];
  return host == "localhost" || ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::optional<std::string> NonEmpty(const EnvLookup& env, std::string_view name) {
  auto v = env(name);
  if (v && !v->empty()) return v;
  return std::nullopt;
}

std::string HomePath(const EnvLookup& env, std::string_view rel) {
  return NonEmpty(env, "HOME").value_or("") + std::string(rel);
}

std::optional<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Profile(const EnvLookup& env) { return NonEmpty(env, "AWS_PROFILE").value_or("default"); }

// The profile's section of the config file ("[default]" or "[profile NAME]").
std::optional<std::map<std::string, std::string>> ConfigFileProfile(const EnvLookup& env,
                                                                    std::string* path_out) {
  std::string path = NonEmpty(env, "AWS_CONFIG_FILE").value_or(HomePath(env, "/.aws/config"));
  if (path_out) *path_out = path;
  auto text = ReadSmallFile(path);
  if (!text) return std::nullopt;
  IniSections ini = ParseIni(*text);
  std::string profile = Profile(env);
  for (const std::string& name : {profile == "default" ? profile : "profile " + profile, profile}) {
    auto it = ini.find(name);
    if (it != ini.end()) return it->second;
  }
  return std::nullopt;
}

Status ApplyOption(S3Config& cfg, const std::string& name, const std::string& value) {
  if (name == "endpoint") {
    REEL_ASSIGN_OR_RETURN(cfg.endpoint, NormalizeEndpoint(value));
  } else if (name == "region") {
    if (value.empty()) return Status::InvalidArgument("s3 URI: empty region");
    cfg.region = value;
  } else if (name == "path_style") {
    REEL_ASSIGN_OR_RETURN(cfg.path_style, ParseBool(name, value));
  } else if (name == "create_bucket") {
    REEL_ASSIGN_OR_RETURN(cfg.create_bucket, ParseBool(name, value));
  } else if (name == "signed_chunks") {
    REEL_ASSIGN_OR_RETURN(cfg.signed_chunks, ParseBool(name, value));
  } else if (name == "max_connections") {
    REEL_ASSIGN_OR_RETURN(int64_t v, ParsePositive(name, value, 1024));
    cfg.max_connections = static_cast<int>(v);
  } else if (name == "multipart_parallelism") {
    REEL_ASSIGN_OR_RETURN(int64_t v, ParsePositive(name, value, 256));
    cfg.multipart_parallelism = static_cast<int>(v);
  } else if (name == "retry_deadline_ms") {
    REEL_ASSIGN_OR_RETURN(cfg.retry_deadline_ms, ParsePositive(name, value, 3'600'000));
  } else if (name == "connect_timeout_ms") {
    REEL_ASSIGN_OR_RETURN(cfg.connect_timeout_ms, ParsePositive(name, value, 600'000));
  } else if (name == "stall_timeout_ms") {
    REEL_ASSIGN_OR_RETURN(cfg.stall_timeout_ms, ParsePositive(name, value, 600'000));
  } else if (name == "multipart_threshold" || name == "part_size") {
    auto size = ParseSize(value);
    if (!size.ok()) return Status::InvalidArgument("s3 URI: option " + name + ": " + size.status().message());
    (name == "part_size" ? cfg.part_size : cfg.multipart_threshold) = *size;
  } else {
    return Status::InvalidArgument(
        "s3 URI: unknown option '" + name +
        "' (known: endpoint, region, path_style, max_connections, multipart_threshold, part_size, "
        "multipart_parallelism, retry_deadline_ms, connect_timeout_ms, stall_timeout_ms, "
        "create_bucket, signed_chunks)");
  }
  return Status::Ok();
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

IniSections ParseIni(std::string_view text) {
  IniSections out;
  std::string section;
  bool in_section = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    bool indented = !raw.empty() && (raw[0] == ' ' || raw[0] == '\t');
    std::string_view line = Trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = std::string(Trim(line.substr(1, line.size() - 2)));
      in_section = true;
      out[section];
      continue;
    }
    size_t eq = line.find('=');
    if (!in_section || indented || eq == std::string_view::npos) continue;
    std::string key = Lower(Trim(line.substr(0, eq)));
    out[section][key] = std::string(Trim(line.substr(eq + 1)));
  }
  return out;
}

Result<S3Config> ParseS3Uri(const std::string& uri, const EnvLookup& env) {
  constexpr std::string_view kScheme = "s3://";
  if (!std::string_view(uri).starts_with(kScheme)) {
    return Status::InvalidArgument("not an s3:// URI");
  }
  S3Config cfg;
  cfg.uri = uri;
  std::string_view rest = std::string_view(uri).substr(kScheme.size());
  size_t q = rest.find('?');
  std::string_view query = q == std::string_view::npos ? std::string_view() : rest.substr(q + 1);
  std::string_view path = rest.substr(0, q);
  size_t slash = path.find('/');
  cfg.bucket = std::string(path.substr(0, slash));
  REEL_RETURN_IF_ERROR(ValidateBucket(cfg.bucket));
  if (slash != std::string_view::npos) {
    std::string_view prefix = path.substr(slash + 1);
    while (prefix.ends_with('/')) prefix.remove_suffix(1);
    cfg.prefix = std::string(prefix);
    if (cfg.prefix.size() > 512) {  // keys below it need room in S3's 1024 bytes
      return Status::InvalidArgument("s3 URI: prefix longer than 512 bytes");
    }
    if (!cfg.prefix.empty()) {
      Status s = ValidateObjectKey(cfg.prefix);
      if (!s.ok()) return Status::InvalidArgument("s3 URI: bad prefix: " + s.message());
    }
  }

  // Environment first, so URI options override it.
  if (auto v = NonEmpty(env, "AWS_CA_BUNDLE")) cfg.ca_bundle = *v;
  std::optional<std::string> region = NonEmpty(env, "AWS_REGION");
  if (!region) region = NonEmpty(env, "AWS_DEFAULT_REGION");
  if (!region) {
    auto profile = ConfigFileProfile(env, nullptr);
    if (profile && profile->contains("region") && !(*profile)["region"].empty()) {
      region = (*profile)["region"];
    }
  }
  if (region) cfg.region = *region;
  if (auto v = NonEmpty(env, "AWS_ENDPOINT_URL")) {
    auto endpoint = NormalizeEndpoint(*v);
    if (!endpoint.ok()) return endpoint.status().WithContext("AWS_ENDPOINT_URL");
    cfg.endpoint = *endpoint;
  }

  std::optional<bool> path_style;
  for (const QueryItem& item : SplitQuery(query)) {
    REEL_ASSIGN_OR_RETURN(std::string name, DecodeOption(item.name, "an option name"));
    std::string value;
    if (item.value) {
      REEL_ASSIGN_OR_RETURN(value, DecodeOption(*item.value, "option " + name));
    }
    REEL_RETURN_IF_ERROR(ApplyOption(cfg, name, value));
    if (name == "path_style") path_style = cfg.path_style;
  }

  if (cfg.endpoint.empty()) cfg.endpoint = "https://s3." + cfg.region + ".amazonaws.com";
  cfg.path_style = path_style.value_or(IsIpOrLocalhost(EndpointHost(cfg.endpoint)));
  if (cfg.part_size < kMinPartSize || cfg.part_size > kMaxPartSize) {
    return Status::InvalidArgument("s3 URI: part_size must be from 5MiB to 5GiB");
  }
  if (cfg.multipart_threshold < cfg.part_size) {
    return Status::InvalidArgument("s3 URI: multipart_threshold must be at least part_size");
  }
  return cfg;
}

Result<S3Credentials> LoadS3Credentials(const EnvLookup& env) {
  auto id = NonEmpty(env, "AWS_ACCESS_KEY_ID");
  auto secret = NonEmpty(env, "AWS_SECRET_ACCESS_KEY");
  if (id && secret) {
    return S3Credentials{*id, *secret, NonEmpty(env, "AWS_SESSION_TOKEN").value_or(""),
                         "environment"};
  }
  const std::string profile = Profile(env);
  auto from_section = [&](const std::map<std::string, std::string>& section,
                          const std::string& where) -> std::optional<S3Credentials> {
    auto get = [&](const char* key) {
      auto it = section.find(key);
      return it == section.end() ? std::string() : it->second;
    };
    S3Credentials c{get("aws_access_key_id"), get("aws_secret_access_key"),
                    get("aws_session_token"), where + " [" + profile + "]"};
    if (c.access_key_id.empty() || c.secret_access_key.empty()) return std::nullopt;
    return c;
  };
  std::string cred_path =
      NonEmpty(env, "AWS_SHARED_CREDENTIALS_FILE").value_or(HomePath(env, "/.aws/credentials"));
  if (auto text = ReadSmallFile(cred_path)) {
    IniSections ini = ParseIni(*text);
    auto it = ini.find(profile);
    if (it != ini.end()) {
      if (auto c = from_section(it->second, cred_path)) return *c;
    }
  }
  std::string config_path;
  if (auto section = ConfigFileProfile(env, &config_path)) {
    if (auto c = from_section(*section, config_path)) return *c;
  }
  return Status::NotFound("no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
                          "profile '" + profile + "' in " + cred_path + " or " + config_path);
}

}  // namespace reel::s3
