#include "store/s3/s3_presign.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "chunking/sha256.h"
#include "common/hex.h"
#include "store/s3/s3_aws_chunked.h"
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

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

Status CheckSignedHeaderNames(const Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (name.empty() || name == "host" ||
        std::any_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
      return Status::InvalidArgument("signed header names are lower-case, other than host");
    }
  }
  return Status::Ok();
}

// What a signature of a request on one object covers, but for its payload hash.
struct Signing {
  std::string url;     // the object's, without a query
  std::string path;    // its canonical URI
  std::string amz_date;
  std::string day;
  std::string scope;
  std::string canonical_headers;  // of the signed headers and host, sorted
  std::string header_names;       // "a;b;host;..."
};

Signing SigningOf(const S3Config& config, const std::string& key, Headers signed_headers,
                  int64_t now_unix_ns) {
  Signing s;
  s.url = ObjectUrl(config, key, {});
  const size_t host_start = s.url.find("://") + 3;
  const size_t path_start = s.url.find('/', host_start);
  s.path = s.url.substr(path_start);
  s.amz_date = AmzDate(now_unix_ns);
  s.day = s.amz_date.substr(0, 8);
  s.scope = s.day + "/" + config.region + "/s3/aws4_request";
  signed_headers.emplace_back("host", s.url.substr(host_start, path_start - host_start));
  std::sort(signed_headers.begin(), signed_headers.end());
  for (const auto& [name, value] : signed_headers) {
    s.canonical_headers += name + ":" + value + "\n";
    s.header_names += (s.header_names.empty() ? "" : ";") + name;
  }
  return s;
}

// The signature (hex) of `canonical_request`.
std::string SignatureOf(const S3Credentials& credentials, const S3Config& config,
                        const Signing& s, const std::string& canonical_request) {
  const std::string to_sign =
      "AWS4-HMAC-SHA256\n" + s.amz_date + "\n" + s.scope + "\n" + Sha256Hex(canonical_request);
  const std::string mac =
      HmacSha256(SigV4SigningKey(credentials.secret_access_key, s.day, config.region, "s3"), to_sign);
  return ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(mac.data()), mac.size()));
}

}  // namespace

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
  REEL_RETURN_IF_ERROR(CheckSignedHeaderNames(signed_headers));
  // A signed x-amz-content-sha256 is the payload's hash in the canonical request, as in header
  // authentication: the store then checks the body against it.
  std::string payload_hash = "UNSIGNED-PAYLOAD";
  for (const auto& [name, value] : signed_headers) {
    if (name == "x-amz-content-sha256") payload_hash = value;
  }
  const Signing s = SigningOf(config, key, signed_headers, now_unix_ns);
  std::vector<std::pair<std::string, std::string>> query = {
      {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
      {"X-Amz-Credential", credentials.access_key_id + "/" + s.scope},
      {"X-Amz-Date", s.amz_date},
      {"X-Amz-Expires", std::to_string(valid_for.count())},
      {"X-Amz-SignedHeaders", s.header_names},
  };
  if (!credentials.session_token.empty()) {
    query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  const std::string canonical_query = CanonicalQuery(query);
  const std::string canonical_request = std::string(method) + "\n" + s.path + "\n" +
                                        canonical_query + "\n" + s.canonical_headers + "\n" +
                                        s.header_names + "\n" + payload_hash;
  PresignedRequest out;
  out.method = std::string(method);
  out.url = s.url + "?" + canonical_query +
            "&X-Amz-Signature=" + SignatureOf(credentials, config, s, canonical_request);
  for (auto& [name, value] : signed_headers) out.headers.emplace_back(name, value);
  out.expires_unix_ns = now_unix_ns + valid_for.count() * 1'000'000'000;
  return out;
}

Result<StreamingPut> SignStreamingPut(const S3Config& config, const S3Credentials& credentials,
                                      const std::string& key, std::span<const HashedPart> parts,
                                      std::vector<std::pair<std::string, std::string>> extra_headers,
                                      int64_t now_unix_ns) {
  if (parts.empty()) return Status::InvalidArgument("a streamed upload has parts");
  uint64_t total = 0;
  for (const HashedPart& p : parts) {
    if (p.size == 0) return Status::InvalidArgument("a part of a streamed upload is not empty");
    total += p.size;
  }
  REEL_RETURN_IF_ERROR(CheckSignedHeaderNames(extra_headers));
  std::vector<std::pair<std::string, std::string>> headers = std::move(extra_headers);
  headers.emplace_back("content-encoding", "aws-chunked");
  headers.emplace_back("x-amz-content-sha256", std::string(kStreamingPayload));
  headers.emplace_back("x-amz-date", AmzDate(now_unix_ns));
  headers.emplace_back("x-amz-decoded-content-length", std::to_string(total));
  if (!credentials.session_token.empty()) {
    headers.emplace_back("x-amz-security-token", credentials.session_token);
  }
  const Signing s = SigningOf(config, key, headers, now_unix_ns);
  const std::string canonical_request = "PUT\n" + s.path + "\n\n" + s.canonical_headers + "\n" +
                                        s.header_names + "\n" + std::string(kStreamingPayload);
  const std::string seed = SignatureOf(credentials, config, s, canonical_request);
  StreamingPut out;
  out.url = s.url;
  out.headers = std::move(headers);
  out.headers.emplace_back("authorization", "AWS4-HMAC-SHA256 Credential=" +
                                                credentials.access_key_id + "/" + s.scope +
                                                ", SignedHeaders=" + s.header_names +
                                                ", Signature=" + seed);
  ChunkSigner signer(credentials.secret_access_key, config.region, "s3", s.amz_date, seed);
  for (const HashedPart& p : parts) out.chunk_signatures.push_back(signer.Next(p.sha256));
  out.chunk_signatures.push_back(signer.Final());
  return out;
}

}  // namespace reel::s3
