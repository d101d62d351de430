// The pieces of AWS Signature Version 4 that ReelDrive computes itself (libcurl signs ordinary
// requests): HMAC-SHA256 and the signing key of a day, region and service. Used by the
// aws-chunked upload signer (s3_aws_chunked.h) and by presigned URLs (s3_presign.h).
#pragma once

#include <string>
#include <string_view>

namespace reel::s3 {

// HMAC-SHA256 of `message` under `key`: 32 raw bytes.
[[nodiscard]] std::string HmacSha256(std::string_view key, std::string_view message);
// The SigV4 signing key: HMAC chain of "AWS4" + secret, the day (YYYYMMDD), region, service and
// "aws4_request".
[[nodiscard]] std::string SigV4SigningKey(std::string_view secret_access_key, std::string_view day,
                                          std::string_view region, std::string_view service);

}  // namespace reel::s3
