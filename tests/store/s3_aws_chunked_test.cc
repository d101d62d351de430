// aws-chunked bodies against AWS's published example (S3 API reference, "Signature Calculations
// for the Authorization Header: Transferring Payload in Multiple Chunks"): 66,560 bytes of 'a'
// in a 64 KiB chunk and a 1 KiB chunk, seed signature 4f232c43..., chunk signatures as printed
// there. No server: the live gateway test is in s3_store_test.cc.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "chunking/sha256.h"
#include "store/s3/s3_aws_chunked.h"

namespace reel::s3 {
namespace {

constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kSeed =
    "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
constexpr std::string_view kSig1 =
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
constexpr std::string_view kSig2 =
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
constexpr std::string_view kSigFinal =
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";

ChunkSigner ExampleSigner() {
  return ChunkSigner(kSecret, "us-east-1", "s3", "20130524T000000Z", std::string(kSeed));
}

struct Example {
  std::vector<uint8_t> data = std::vector<uint8_t>(65536 + 1024, 'a');
  std::vector<HashedPart> parts;
  Example() {
    parts.push_back({65536, Sha256(std::span(data).first(65536))});
    parts.push_back({1024, Sha256(std::span(data).subspan(65536))});
  }
  std::string Expected() const {
    return "10000;chunk-signature=" + std::string(kSig1) + "\r\n" + std::string(65536, 'a') +
           "\r\n400;chunk-signature=" + std::string(kSig2) + "\r\n" + std::string(1024, 'a') +
           "\r\n0;chunk-signature=" + std::string(kSigFinal) + "\r\n\r\n";
  }
};

TEST(AwsChunkedTest, SignaturesMatchAwsPublishedExample) {
  Example ex;
  ChunkSigner signer = ExampleSigner();
  EXPECT_EQ(signer.Next(ex.parts[0].sha256), kSig1);
  EXPECT_EQ(signer.Next(ex.parts[1].sha256), kSig2);
  EXPECT_EQ(signer.Final(), kSigFinal);
}

std::string ReadAll(AwsChunkedBody& body, size_t step) {
  std::string out;
  std::vector<char> buf(step);
  for (;;) {
    size_t n = body.Read(buf);
    if (n == 0) return out;
    out.append(buf.data(), n);
  }
}

TEST(AwsChunkedTest, BodyIsTheDocumentedEncodingReadInAnyPieces) {
  Example ex;
  const std::string expected = ex.Expected();
  EXPECT_EQ(AwsChunkedLength(ex.parts), expected.size());
  for (size_t step : {size_t{1}, size_t{7}, size_t{100}, size_t{16384}, size_t{1} << 20}) {
    AwsChunkedBody body(ex.data, ex.parts);
    body.Start(ExampleSigner());
    EXPECT_EQ(ReadAll(body, step), expected) << "read " << step << " bytes at a time";
  }
}

TEST(AwsChunkedTest, RestartingSendsTheSameBodyAgain) {
  Example ex;
  AwsChunkedBody body(ex.data, ex.parts);
  EXPECT_FALSE(body.started());
  body.Start(ExampleSigner());
  std::vector<char> some(40000);  // part-way through the first chunk
  ASSERT_EQ(body.Read(some), some.size());
  body.Reset();
  EXPECT_FALSE(body.started()) << "a rewind waits for the signature of the resent header";
  body.Start(ExampleSigner());
  EXPECT_EQ(ReadAll(body, 4096), ex.Expected());
}

}  // namespace
}  // namespace reel::s3
