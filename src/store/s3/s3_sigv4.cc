#include "store/s3/s3_sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace reel::s3 {

std::string HmacSha256(std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &n);
  return std::string(reinterpret_cast<const char*>(out), n);
}

std::string SigV4SigningKey(std::string_view secret_access_key, std::string_view day,
                            std::string_view region, std::string_view service) {
  std::string k = HmacSha256("AWS4" + std::string(secret_access_key), day);
  k = HmacSha256(k, region);
  k = HmacSha256(k, service);
  return HmacSha256(k, "aws4_request");
}

}  // namespace reel::s3
