// AWS SigV4 streaming uploads ("aws-chunked"; x-amz-content-sha256:
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD). The body goes as a series of chunks, each signed with the
// previous chunk's signature (the first with the request's own signature, the seed), and the
// service checks every chunk against the SHA-256 its signature covers as it arrives. A caller that
// already knows the SHA-256 of each part of a body (a pack of content-addressed chunks) sends one
// aws-chunk per part and signs those hashes: the body is checked end to end without the client
// hashing a byte. Pure computation; HttpClient (s3_http.h) drives it from libcurl's callbacks.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/hashed_part.h"

namespace reel::s3 {

inline constexpr std::string_view kStreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
// The SHA-256 of no bytes, in hex: the payload hash of a bodiless request and of the final chunk.
inline constexpr std::string_view kEmptySha256Hex =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Signs the chunks of one request, in order.
class ChunkSigner {
 public:
  // `amz_date` is the request's X-Amz-Date ("20130524T000000Z"); `seed` its signature (hex).
  ChunkSigner(std::string_view secret_access_key, std::string_view region,
              std::string_view service, std::string_view amz_date, std::string seed);
  // Signatures made elsewhere (by a team server, which holds the key), in order, the final
  // chunk's last: the client signs nothing.
  explicit ChunkSigner(std::vector<std::string> given);
  // The signature (hex) of the next chunk, whose bytes hash to `sha256`.
  std::string Next(const ChunkId& sha256);
  // The signature of the final, empty chunk.
  std::string Final();

 private:
  // The signature of a chunk whose SHA-256 is `sha256_hex`.
  std::string Sign(std::string_view sha256_hex);

  std::string key_;            // the derived signing key (raw bytes)
  std::string prefix_;         // "AWS4-HMAC-SHA256-PAYLOAD\n<date>\n<scope>\n"
  std::string previous_;       // the last signature given (hex)
  std::vector<std::string> given_;  // made elsewhere; given_[next_] is the next one
  size_t next_ = 0;
};

// The encoded length of a body made of `parts`: each chunk's metadata line, data and CRLF, and
// the final empty chunk.
[[nodiscard]] uint64_t AwsChunkedLength(std::span<const HashedPart> parts);

// The encoded body, produced piece by piece into a transfer buffer.
class AwsChunkedBody {
 public:
  // `parts` must cover `data` exactly (PartsCover), none empty (an
  // empty chunk ends the body).
  AwsChunkedBody(std::span<const uint8_t> data, std::span<const HashedPart> parts);
  // (Re)starts from the first byte, signing with `signer` (a fresh one per request attempt).
  void Start(ChunkSigner signer);
  bool started() const { return signer_valid_; }
  // Forgets the signer: nothing is read until the next Start.
  void Reset() { signer_valid_ = false; }
  // Copies the next bytes into `out`; the count, 0 at the end.
  size_t Read(std::span<char> out);

 private:
  std::span<const uint8_t> data_;
  std::span<const HashedPart> parts_;
  ChunkSigner signer_{"", "", "", "", ""};
  bool signer_valid_ = false;
  size_t part_ = 0;            // the part being sent; parts_.size() = the final chunk
  uint64_t data_pos_ = 0;      // offset in data_ of the part being sent
  std::string pending_;        // metadata / CRLF bytes not yet copied out
  size_t pending_pos_ = 0;
  uint64_t part_sent_ = 0;     // bytes of the current part's data copied out
  enum class Phase { kMeta, kData, kEnd, kDone } phase_ = Phase::kMeta;
};

}  // namespace reel::s3
