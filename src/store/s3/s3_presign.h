// Presigned S3 requests (SigV4 query authentication): a URL that lets whoever holds it make one
// kind of request (GET, HEAD or PUT) on one object until it expires, without credentials. The
// team server hands them to instances, which never hold the bucket's keys. Headers named in
// `signed_headers` become part of the signature: the holder must send them with exactly these
// values, so a PUT presigned with content-md5 is refused by the store (BadDigest) for any body
// but the one whose MD5 was signed, and refused (SignatureDoesNotMatch) with another MD5. A
// signed x-amz-content-sha256 is also the payload hash of the canonical request (instead of
// UNSIGNED-PAYLOAD), as in header authentication: the store hashes the body and refuses another
// (XAmzContentSHA256Mismatch); a chunk named by its SHA-256 is signed without hashing it again.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "store/hashed_part.h"
#include "store/s3/s3_config.h"

namespace reel::s3 {

struct PresignedRequest {
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // to send as they are
  int64_t expires_unix_ns = 0;
};

// The Content-MD5 header value of `body`: its MD5, base64.
[[nodiscard]] std::string ContentMd5(std::span<const uint8_t> body);
// The same MD5 in hex: the ETag a store gives a single-part upload of `body`.
[[nodiscard]] std::string Md5Hex(std::span<const uint8_t> body);

// The longest validity SigV4 allows.
inline constexpr std::chrono::seconds kMaxPresignValidity{7 * 24 * 3600};

// A presigned `method` request on `key` (the full key in the bucket, prefix included), valid
// from `now_unix_ns` for `valid_for` (1 s to kMaxPresignValidity). `signed_headers` are
// (lower-case name, value) pairs. InvalidArgument for another method, a validity out of range or
// a header name that is not lower-case.
[[nodiscard]] Result<PresignedRequest> PresignObjectRequest(
    const S3Config& config, const S3Credentials& credentials, std::string_view method,
    const std::string& key, std::vector<std::pair<std::string, std::string>> signed_headers,
    int64_t now_unix_ns, std::chrono::seconds valid_for);

// A PUT of `key` whose body goes aws-chunked (s3_aws_chunked.h), one chunk per part of `parts`,
// signed at `now_unix_ns` with header authentication for a client that holds no key: the
// headers to send as they are (Authorization among them, and `extra_headers`, signed too) and
// every chunk's signature, the final empty chunk's last. The store checks each part against the
// SHA-256 its signature covers, so the client sends a body of known parts without hashing it.
// Usable while the store accepts the request's time (SigV4 allows 15 minutes of skew).
// InvalidArgument for no parts, an empty part, or an extra header name that is not lower-case.
struct StreamingPut {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> chunk_signatures;
};
[[nodiscard]] Result<StreamingPut> SignStreamingPut(
    const S3Config& config, const S3Credentials& credentials, const std::string& key,
    std::span<const HashedPart> parts,
    std::vector<std::pair<std::string, std::string>> extra_headers, int64_t now_unix_ns);

}  // namespace reel::s3
