// S3Client: S3 requests over HttpClient. Builds URLs (path-style or virtual-hosted), canonical
// query strings and the payload hash, retries what is worth retrying, and turns S3 errors into
// Status codes.
//
// Retries: timeouts, connection errors, HTTP 5xx, 429, and 400 RequestTimeout are retried with
// exponential backoff and full jitter (a random wait in [0, min(2 s, 50 ms * 2^attempt)]) until
// the config's retry_deadline_ms is spent; then the call is Unavailable. Other 4xx answers are
// final at once: 403 -> PermissionDenied (with the S3 code, e.g. SignatureDoesNotMatch),
// 404 -> NotFound (NoSuchBucket names the bucket), other 4xx -> InvalidArgument.
//
// Payload hash: PUT and POST bodies are signed with their real SHA-256 (x-amz-content-sha256),
// so the service rejects a body damaged in transit even over plain http:// (the usual case for
// an on-premise gateway). Hashing costs about 1 ms per MiB with SHA-NI, small next to the
// network. Bodiless requests send the hash of the empty string.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/s3/s3_config.h"
#include "store/s3/s3_http.h"

namespace reel::s3 {

struct S3Request {
  std::string method{};
  std::string key{};  // full key in the bucket; "" addresses the bucket itself
  // Not empty: the complete URL to use instead of one made from `key` and `query` (a presigned
  // one, for a client made with S3Config::sign_requests false).
  std::string url{};
  std::vector<std::pair<std::string, std::string>> query{};  // any order; sorted and encoded here
  std::vector<std::string> headers{};                     // "Name: value"
  std::span<const uint8_t> body{};
  // The body's SHA-256 in hex when the caller knows it (a chunk's key is its hash); empty: the
  // client hashes the body. The server checks it either way (x-amz-content-sha256).
  std::string payload_sha256{};
  // Not empty: the body goes aws-chunked, one signed chunk per part (HttpRequest::signed_parts).
  std::span<const HashedPart> signed_parts{};
  // With signed_parts, on a client that does not sign: the chunk signatures made by whoever
  // signed the request (HttpRequest::chunk_signatures).
  std::vector<std::string> chunk_signatures{};
  // A 206 answer's body goes into these pieces (HttpRequest::body_into).
  std::span<const std::span<uint8_t>> body_into{};
  // CompleteMultipartUpload may answer 200 with an <Error> body; such a reply is treated as
  // that error (retried if it is a retryable one).
  bool error_body_on_200 = false;
};

class S3Client {
 public:
  S3Client(S3Config config, const S3Credentials& credentials);

  // Sends `req`, retrying as described above. Returns every final HTTP answer (2xx or not; see
  // ErrorStatus), or Unavailable when the deadline passes without one.
  [[nodiscard]] Result<HttpResponse> Execute(const S3Request& req);
  // The Status for a non-2xx final answer. `what` names the operation and object for the message
  // ("GET chunks/ab/cd"); it must not contain secrets.
  [[nodiscard]] Status ErrorStatus(const HttpResponse& response, std::string_view what) const;

  const S3Config& config() const { return config_; }
  // The URL of `key` ("" = the bucket) with `query` (sorted, encoded).
  std::string Url(const std::string& key,
                  std::vector<std::pair<std::string, std::string>> query) const;

 private:
  const S3Config config_;
  HttpClient http_;  // thread-safe
};

// The URL of `key` ("" = the bucket) in the store of `config`, with `query` (sorted, encoded).
[[nodiscard]] std::string ObjectUrl(const S3Config& config, const std::string& key,
                                    std::vector<std::pair<std::string, std::string>> query);
// "a=1&b=&c=x%2Fy": sorted by name, encoded, value-less parameters with '='.
[[nodiscard]] std::string CanonicalQuery(std::vector<std::pair<std::string, std::string>> query);

}  // namespace reel::s3
