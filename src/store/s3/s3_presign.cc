#include "store/s3/s3_presign.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "chunking/sha256.h"
#include "common/hex.h"
#include "store/s3/s3_client.h"
#include "store/s3/s3_sigv4.h"

namespace reel::s3 {

namespace {

// "20130524T000000Z"
std::string AmzDate(int64_t unix_ns) {
  const time_t secs = static_cast<time_t>(unix_ns / 1'000'000'000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string Sha256Hex(std::string_view s) {
  return Sha256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()))
      .Hex();
}

}  // namespace

namespace {

std::vector<uint8_t> Md5(std::span<const uint8_t> body) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(body.data(), body.size(), md, &n, EVP_md5(), nullptr);
  return std::vector<uint8_t>(md, md + n);
}

}  // namespace

std::string ContentMd5(std::span<const uint8_t> body) {
  const std::vector<uint8_t> md = Md5(body);
  unsigned char b64[64];
  const int len = EVP_EncodeBlock(b64, md.data(), static_cast<int>(md.size()));
  return std::string(reinterpret_cast<const char*>(b64), static_cast<size_t>(len));
}

std::string Md5Hex(std::span<const uint8_t> body) { return ToHex(Md5(body)); }

Result<PresignedRequest> PresignObjectRequest(
    const S3Config& config, const S3Credentials& credentials, std::string_view method,
    const std::string& key, std::vector<std::pair<std::string, std::string>> signed_headers,
    int64_t now_unix_ns, std::chrono::seconds valid_for) {
  if (method != "GET" && method != "HEAD" && method != "PUT") {
    return Status::InvalidArgument("only GET, HEAD and PUT requests are presigned");
  }
  if (valid_for.count() < 1 || valid_for > kMaxPresignValidity) {
    return Status::InvalidArgument("a presigned request is valid for 1 s to 7 days");
  }
  for (const auto& [name, value] : signed_headers) {
    if (name.empty() || name == "host" ||
        std::any_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
      return Status::InvalidArgument("signed header names are lower-case, other than host");
    }
  }
  const std::string object_url = ObjectUrl(config, key, {});
  const size_t host_start = object_url.find("://") + 3;
  const size_t path_start = object_url.find('/', host_start);
  const std::string host = object_url.substr(host_start, path_start - host_start);
  const std::string path = object_url.substr(path_start);

  const std::string amz_date = AmzDate(now_unix_ns);
  const std::string day = amz_date.substr(0, 8);
  const std::string scope = day + "/" + config.region + "/s3/aws4_request";
  signed_headers.emplace_back("host", host);
  std::sort(signed_headers.begin(), signed_headers.end());
  std::string canonical_headers;
  std::string header_names;
  for (const auto& [name, value] : signed_headers) {
    canonical_headers += name + ":" + value + "\n";
    header_names += (header_names.empty() ? "" : ";") + name;
  }
  std::vector<std::pair<std::string, std::string>> query = {
      {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
      {"X-Amz-Credential", credentials.access_key_id + "/" + scope},
      {"X-Amz-Date", amz_date},
      {"X-Amz-Expires", std::to_string(valid_for.count())},
      {"X-Amz-SignedHeaders", header_names},
  };
  if (!credentials.session_token.empty()) {
    query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  const std::string canonical_query = CanonicalQuery(query);
  // A signed x-amz-content-sha256 is the payload's hash in the canonical request, as in header
  // authentication: the store then checks the body against it.
  std::string payload_hash = "UNSIGNED-PAYLOAD";
  for (const auto& [name, value] : signed_headers) {
    if (name == "x-amz-content-sha256") payload_hash = value;
  }
  const std::string canonical_request = std::string(method) + "\n" + path + "\n" + canonical_query +
                                        "\n" + canonical_headers + "\n" + header_names + "\n" +
                                        payload_hash;
  const std::string to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + Sha256Hex(canonical_request);
  const std::string signature =
      HmacSha256(SigV4SigningKey(credentials.secret_access_key, day, config.region, "s3"), to_sign);

  PresignedRequest out;
  out.method = std::string(method);
  out.url = object_url + "?" + canonical_query + "&X-Amz-Signature=" +
            ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(signature.data()),
                                           signature.size()));
  for (auto& [name, value] : signed_headers) {
    if (name != "host") out.headers.emplace_back(name, value);
  }
  out.expires_unix_ns = now_unix_ns + valid_for.count() * 1'000'000'000;
  return out;
}

}  // namespace reel::s3
