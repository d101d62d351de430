// S3 store configuration: the s3:// URI with its options, and the credentials (environment or
// the AWS shared credentials/config files). Pure parsing, no network: everything here is unit
// tested without a server.
//
//   s3://BUCKET[/PREFIX][?option=value&...]
//
// Options (URI query parameters; values may be %-encoded):
//   endpoint=URL           http(s)://host[:port] of the service; default AWS_ENDPOINT_URL, else
//                          https://s3.REGION.amazonaws.com
//   region=NAME            signing region; default AWS_REGION, AWS_DEFAULT_REGION, the profile's
//                          `region` in the AWS config file, else us-east-1
//   path_style=true|false  http://host/BUCKET/key (RGW, MinIO) instead of http://BUCKET.host/key;
//                          default false, except for an endpoint whose host is an IP address or
//                          "localhost" (no DNS name to put the bucket in)
//   max_connections=N      concurrent HTTP connections of one store (default 16)
//   multipart_threshold=S  objects larger than this go up as multipart uploads (default 64MiB)
//   part_size=S            multipart part size, 5MiB..5GiB (default 16MiB)
//   multipart_parallelism=N  parts of one object uploaded at once (default 4)
//   retry_deadline_ms=N    total time one call may spend retrying (default 20000)
//   connect_timeout_ms=N   TCP/TLS connect timeout of one attempt (default 3000)
//   stall_timeout_ms=N     an attempt that moves no byte for this long fails (default 5000)
//   create_bucket=true     Open creates the bucket when it does not exist (default false)
//   signed_chunks=true|false  packs of chunks go up aws-chunked, one signed chunk per part, so
//                          the service checks each part's hash (default true; false: one
//                          payload hash computed by the client, for services without
//                          STREAMING-AWS4-HMAC-SHA256-PAYLOAD)
// Sizes take binary units (64MiB, 5M). Credentials are never taken from the URI.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace reel::s3 {

// Reads an environment variable (injected so tests need not touch the process environment).
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
// The process environment.
[[nodiscard]] EnvLookup ProcessEnv();

struct S3Config {
  std::string bucket;
  std::string prefix;         // without leading/trailing '/'; "" = the whole bucket
  std::string endpoint;       // scheme://host[:port], no trailing '/'
  std::string region = "us-east-1";
  bool path_style = false;
  int max_connections = 16;
  uint64_t multipart_threshold = 64ull << 20;
  uint64_t part_size = 16ull << 20;
  int multipart_parallelism = 4;
  int64_t retry_deadline_ms = 20'000;
  int64_t connect_timeout_ms = 3'000;
  int64_t stall_timeout_ms = 5'000;
  bool create_bucket = false;
  bool signed_chunks = true;
  std::string ca_bundle;      // AWS_CA_BUNDLE, if set
  // false: the client sends presigned URLs (S3Request::url) and signs nothing itself; not a URI
  // option.
  bool sign_requests = true;
  std::string uri;            // the URI as given (it holds no secrets)
};

// Parses an s3:// URI. `env` supplies AWS_ENDPOINT_URL, AWS_REGION, AWS_DEFAULT_REGION,
// AWS_CA_BUNDLE and, for the region from the config file, what LoadS3Credentials reads.
// Unknown options are InvalidArgument (naming the option, never echoing values).
[[nodiscard]] Result<S3Config> ParseS3Uri(const std::string& uri, const EnvLookup& env);

struct S3Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" when none
  std::string source;         // where they came from ("environment", "/root/.aws/credentials [p]")
};

// AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) from `env`; else the profile
// AWS_PROFILE (default "default") of the shared credentials file (AWS_SHARED_CREDENTIALS_FILE,
// default ~/.aws/credentials), then of the config file (AWS_CONFIG_FILE, default ~/.aws/config,
// section "[profile NAME]" or "[default]"). NotFound when none has both keys.
[[nodiscard]] Result<S3Credentials> LoadS3Credentials(const EnvLookup& env);

// An INI file as the AWS tools write it: "[section]" lines, "key = value" lines, '#' and ';'
// comments. Section -> key -> value; keys lower-cased, values trimmed. Indented lines
// (sub-sections such as "s3 =\n  max_concurrent_requests = 10") are ignored.
using IniSections = std::map<std::string, std::map<std::string, std::string>>;
[[nodiscard]] IniSections ParseIni(std::string_view text);

}  // namespace reel::s3
