#include "store/rados/rados_config.h"

#include "common/percent_encode.h"

#include <charconv>

#include "store/object_store.h"

namespace reel {
namespace {

constexpr std::string_view kScheme = "rados://";


Result<std::string> DecodeOption(std::string_view in, std::string_view option) {
  if (auto out = PercentDecode(in)) return *out;
  return Status::InvalidArgument("rados:// option '" + std::string(option) + "': bad %-escape");
}

Result<uint64_t> ParseUnsigned(std::string_view value, std::string_view option, uint64_t min,
                               uint64_t max) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || v < min ||
      v > max) {
    return Status::InvalidArgument("rados:// option '" + std::string(option) + "=" +
                                   std::string(value) + "': expected a whole number from " +
                                   std::to_string(min) + " to " + std::to_string(max));
  }
  return v;
}

Result<bool> ParseBool(std::string_view value, std::string_view option) {
  if (value == "true" || value == "1" || value == "yes") return true;
  if (value == "false" || value == "0" || value == "no") return false;
  return Status::InvalidArgument("rados:// option '" + std::string(option) + "=" +
                                 std::string(value) + "': expected true or false");
}

bool IsPoolChar(char c) {
  // Ceph accepts more, but these are what a URI carries without escaping.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

Status ApplyOption(std::string_view name, std::string_view raw, RadosConfig& config,
                   bool& have_id, bool& have_name) {
  REEL_ASSIGN_OR_RETURN(std::string value, DecodeOption(raw, name));
  if (name == "conf") {
    if (value.empty()) return Status::InvalidArgument("rados:// option 'conf' is empty");
    config.conf_path = std::move(value);
  } else if (name == "id") {
    if (value.empty() || value.find('.') != std::string::npos) {
      return Status::InvalidArgument("rados:// option 'id=" + value +
                                     "': expected a client id without a type (admin, reel)");
    }
    config.client_name = "client." + value;
    have_id = true;
  } else if (name == "name") {
    if (!std::string_view(value).starts_with("client.") || value.size() == 7) {
      return Status::InvalidArgument("rados:// option 'name=" + value +
                                     "': expected client.ID");
    }
    config.client_name = std::move(value);
    have_name = true;
  } else if (name == "create_pool") {
    REEL_ASSIGN_OR_RETURN(config.create_pool, ParseBool(value, name));
  } else if (name == "timeout") {
    REEL_ASSIGN_OR_RETURN(uint64_t seconds, ParseUnsigned(value, name, 1, 3600));
    config.timeout = std::chrono::seconds(seconds);
  } else if (name == "max_object_size") {
    REEL_ASSIGN_OR_RETURN(config.max_object_bytes,
                          ParseUnsigned(value, name, 1, uint64_t{1} << 30));
  } else {
    return Status::InvalidArgument(
        "unknown rados:// option '" + std::string(name) +
        "'; supported: conf, id, name, create_pool, timeout, max_object_size");
  }
  if (have_id && have_name) {
    return Status::InvalidArgument("rados:// options 'id' and 'name' both set; give one");
  }
  return Status::Ok();
}

}  // namespace

Result<RadosConfig> ParseRadosUri(std::string_view uri) {
  if (!uri.starts_with(kScheme)) {
    return Status::InvalidArgument("not a rados:// URI");
  }
  std::string_view rest = uri.substr(kScheme.size());
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  RadosConfig config;
  size_t slash = rest.find('/');
  std::string_view pool = rest.substr(0, slash);
  std::string_view prefix = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  if (prefix.ends_with('/')) prefix.remove_suffix(1);  // rados://pool/ and rados://pool/p/
  if (pool.empty()) {
    return Status::InvalidArgument("rados:// URI needs a pool: rados://POOL[/PREFIX][?options]");
  }
  for (char c : pool) {
    if (!IsPoolChar(c)) {
      return Status::InvalidArgument("rados:// pool name '" + std::string(pool) +
                                     "' may only use [A-Za-z0-9._-]");
    }
  }
  config.pool = std::string(pool);
  if (!prefix.empty()) {
    Status valid = ValidateObjectKey(std::string(prefix));
    if (!valid.ok()) {
      return Status::InvalidArgument("rados:// prefix '" + std::string(prefix) +
                                     "' is not a valid key path: " + valid.message());
    }
    if (prefix.size() > RadosConfig::kMaxNamespaceBytes) {
      return Status::InvalidArgument("rados:// prefix is longer than " +
                                     std::to_string(RadosConfig::kMaxNamespaceBytes) + " bytes");
    }
    config.prefix = std::string(prefix);
  }
  bool have_id = false, have_name = false;
  for (const QueryItem& item : SplitQuery(query)) {
    if (!item.value) {
      return Status::InvalidArgument("rados:// option '" + std::string(item.name) +
                                     "' needs a value (NAME=VALUE)");
    }
    REEL_RETURN_IF_ERROR(ApplyOption(item.name, *item.value, config, have_id, have_name));
  }
  return config;
}

}  // namespace reel
