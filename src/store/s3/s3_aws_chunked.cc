#include "store/s3/s3_aws_chunked.h"

#include <algorithm>
#include <cstring>

#include "common/hex.h"
#include "store/s3/s3_sigv4.h"

namespace reel::s3 {
namespace {

constexpr std::string_view kSignatureField = ";chunk-signature=";
constexpr size_t kSignatureHexLength = 64;

std::string SizeHex(uint64_t size) {
  char buf[17];
  int n = std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(size));
  return std::string(buf, static_cast<size_t>(n));
}

uint64_t ChunkLength(uint64_t size) {
  return SizeHex(size).size() + kSignatureField.size() + kSignatureHexLength + 2 + size + 2;
}

}  // namespace

ChunkSigner::ChunkSigner(std::string_view secret_access_key, std::string_view region,
                         std::string_view service, std::string_view amz_date, std::string seed)
    : previous_(std::move(seed)) {
  const std::string_view day = amz_date.substr(0, std::min<size_t>(8, amz_date.size()));
  key_ = SigV4SigningKey(secret_access_key, day, region, service);
  prefix_ = "AWS4-HMAC-SHA256-PAYLOAD\n" + std::string(amz_date) + "\n" + std::string(day) + "/" +
            std::string(region) + "/" + std::string(service) + "/aws4_request\n";
}

ChunkSigner::ChunkSigner(std::vector<std::string> given) : given_(std::move(given)) {}

std::string ChunkSigner::Next(const ChunkId& sha256) { return Sign(sha256.Hex()); }

std::string ChunkSigner::Final() { return Sign(kEmptySha256Hex); }

std::string ChunkSigner::Sign(std::string_view sha256_hex) {
  if (!given_.empty()) {
    // Past the end: a signature no store accepts, so the upload fails rather than go unsigned.
    return next_ < given_.size() ? given_[next_++] : std::string(64, '0');
  }
  const std::string to_sign = prefix_ + previous_ + "\n" + std::string(kEmptySha256Hex) + "\n" +
                              std::string(sha256_hex);
  const std::string mac = HmacSha256(key_, to_sign);
  previous_ = ToHex({reinterpret_cast<const uint8_t*>(mac.data()), mac.size()});
  return previous_;
}

uint64_t AwsChunkedLength(std::span<const HashedPart> parts) {
  uint64_t total = ChunkLength(0);  // the final chunk: "0;chunk-signature=...\r\n\r\n"
  for (const HashedPart& p : parts) total += ChunkLength(p.size);
  return total;
}

AwsChunkedBody::AwsChunkedBody(std::span<const uint8_t> data, std::span<const HashedPart> parts)
    : data_(data), parts_(parts) {}

void AwsChunkedBody::Start(ChunkSigner signer) {
  signer_ = std::move(signer);
  signer_valid_ = true;
  part_ = 0;
  data_pos_ = 0;
  pending_.clear();
  pending_pos_ = 0;
  part_sent_ = 0;
  phase_ = Phase::kMeta;
}

size_t AwsChunkedBody::Read(std::span<char> out) {
  size_t written = 0;
  auto copy_pending = [&] {
    size_t n = std::min(out.size() - written, pending_.size() - pending_pos_);
    std::memcpy(out.data() + written, pending_.data() + pending_pos_, n);
    pending_pos_ += n;
    written += n;
    return pending_pos_ == pending_.size();
  };
  while (written < out.size() && phase_ != Phase::kDone) {
    switch (phase_) {
      case Phase::kMeta:
        if (pending_.empty()) {
          pending_ = part_ < parts_.size()
                         ? SizeHex(parts_[part_].size) + std::string(kSignatureField) +
                               signer_.Next(parts_[part_].sha256) + "\r\n"
                         : "0" + std::string(kSignatureField) + signer_.Final() + "\r\n\r\n";
          pending_pos_ = 0;
        }
        if (copy_pending()) {
          pending_.clear();
          phase_ = part_ < parts_.size() ? Phase::kData : Phase::kDone;
        }
        break;
      case Phase::kData: {
        const uint64_t size = parts_[part_].size;
        size_t n = static_cast<size_t>(std::min<uint64_t>(out.size() - written, size - part_sent_));
        std::memcpy(out.data() + written, data_.data() + data_pos_ + part_sent_, n);
        part_sent_ += n;
        written += n;
        if (part_sent_ == size) {
          pending_ = "\r\n";
          pending_pos_ = 0;
          phase_ = Phase::kEnd;
        }
        break;
      }
      case Phase::kEnd:
        if (copy_pending()) {
          pending_.clear();
          data_pos_ += parts_[part_].size;
          part_sent_ = 0;
          ++part_;
          phase_ = Phase::kMeta;
        }
        break;
      case Phase::kDone:
        break;
    }
  }
  return written;
}

}  // namespace reel::s3
