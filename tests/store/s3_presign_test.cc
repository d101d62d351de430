// Presigned S3 requests: the URL AWS publishes for its example (S3 API reference, "Authenticating
// Requests: Using Query Parameters", GET examplebucket/test.txt), and on the real gateway of
// REEL_TEST_S3_URI: a presigned GET, HEAD and PUT made without credentials work; a PUT whose
// body is not the one whose MD5 was signed, a changed MD5, a changed signature and an expired
// URL are all refused and leave the object as it was.
#include "store/s3/s3_presign.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "testing/status_assert.h"
#include "chunking/sha256.h"
#include "common/clock.h"
#include "common/hex.h"
#include "store/s3/s3_client.h"
#include "store/s3_test_env.h"

namespace reel::s3 {
namespace {

TEST(S3PresignTest, MatchesAwsPublishedExample) {
  S3Config config;
  config.bucket = "examplebucket";
  config.endpoint = "https://s3.amazonaws.com";
  config.region = "us-east-1";
  S3Credentials creds;
  creds.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  creds.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  const int64_t t = 1369353600LL * 1'000'000'000;  // 2013-05-24T00:00:00Z
  auto signed_get =
      PresignObjectRequest(config, creds, "GET", "test.txt", {}, t, std::chrono::seconds(86400));
  ASSERT_TRUE(signed_get.ok()) << signed_get.status().ToString();
  EXPECT_EQ(signed_get->url,
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  EXPECT_TRUE(signed_get->headers.empty());
  EXPECT_EQ(signed_get->expires_unix_ns, t + 86400LL * 1'000'000'000);

  EXPECT_CODE(
      PresignObjectRequest(config, creds, "DELETE", "test.txt", {}, t, std::chrono::seconds(60)),
      Code::kInvalidArgument);
  EXPECT_CODE(PresignObjectRequest(config, creds, "GET", "test.txt", {}, t,
                                   std::chrono::seconds(8 * 24 * 3600)),
              Code::kInvalidArgument);
  EXPECT_CODE(PresignObjectRequest(config, creds, "PUT", "test.txt", {{"Content-MD5", "x"}}, t,
                                   std::chrono::seconds(60)),
              Code::kInvalidArgument);
  EXPECT_EQ(ContentMd5(std::span<const uint8_t>()), "1B2M2Y8AsgTpgAmY7PhCfg==");
}

class S3PresignGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string uri;
    REEL_ASSIGN_TEST_S3_URI_OR_SKIP(uri);
    auto config = ParseS3Uri(uri, ProcessEnv());
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    config_ = *config;
    auto creds = LoadS3Credentials(ProcessEnv());
    ASSERT_TRUE(creds.ok()) << creds.status().ToString();
    creds_ = *creds;
    signer_ = std::make_unique<S3Client>(config_, creds_);
    S3Config unsigned_config = config_;
    unsigned_config.sign_requests = false;
    unsigned_config.retry_deadline_ms = 0;
    anonymous_ = std::make_unique<S3Client>(unsigned_config, S3Credentials{});
    if (config_.create_bucket) {
      auto made = signer_->Execute(S3Request{.method = "PUT", .key = ""});
      ASSERT_TRUE(made.ok()) << made.status().ToString();
    }
  }

  std::string Key(const std::string& name) const {
    return config_.prefix.empty() ? name : config_.prefix + "/" + name;
  }

  // Sends a presigned request with no credentials; the HTTP status.
  long Send(const PresignedRequest& p, std::span<const uint8_t> body = {},
            std::vector<std::pair<std::string, std::string>> headers = {},
            std::string* answer = nullptr) {
    if (headers.empty()) headers = p.headers;
    S3Request req{.method = p.method, .url = p.url, .body = body};
    for (const auto& [name, value] : headers) req.headers.push_back(name + ": " + value);
    auto res = anonymous_->Execute(req);
    if (!res.ok()) {
      ADD_FAILURE() << res.status().ToString();
      return 0;
    }
    if (answer != nullptr) answer->assign(res->body.begin(), res->body.end());
    return res->status;
  }

  Result<PresignedRequest> Presign(const std::string& method, const std::string& key,
                                   std::vector<std::pair<std::string, std::string>> headers = {},
                                   int64_t now = 0, int seconds = 900) {
    return PresignObjectRequest(config_, creds_, method, Key(key), std::move(headers),
                                now != 0 ? now : WallClockNs(), std::chrono::seconds(seconds));
  }

  S3Config config_;
  S3Credentials creds_;
  std::unique_ptr<S3Client> signer_;
  std::unique_ptr<S3Client> anonymous_;
};

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST_F(S3PresignGatewayTest, APresignedPutGetAndHeadNeedNoCredentials) {
  const std::string body = "the bytes of a chunk";
  ASSERT_OK_AND_ASSIGN(PresignedRequest put,
                       Presign("PUT", "chunks/a", {{"content-md5", ContentMd5(Bytes(body))}}));
  EXPECT_EQ(Send(put, Bytes(body)), 200);
  ASSERT_OK_AND_ASSIGN(PresignedRequest get, Presign("GET", "chunks/a"));
  std::string got;
  EXPECT_EQ(Send(get, {}, {}, &got), 200);
  EXPECT_EQ(got, body);
  ASSERT_OK_AND_ASSIGN(PresignedRequest head, Presign("HEAD", "chunks/a"));
  EXPECT_EQ(Send(head), 200);
  ASSERT_OK_AND_ASSIGN(PresignedRequest missing, Presign("GET", "chunks/none"));
  EXPECT_EQ(Send(missing), 404);
  // A URL for one object or method is good for nothing else.
  PresignedRequest other = get;
  other.url.replace(other.url.find("chunks/a"), 8, "chunks/b");
  EXPECT_EQ(Send(other), 403);
  PresignedRequest as_put = get;
  as_put.method = "PUT";
  EXPECT_EQ(Send(as_put, Bytes("overwritten")), 403);
  EXPECT_EQ(Send(get, {}, {}, &got), 200);
  EXPECT_EQ(got, body);
}

TEST_F(S3PresignGatewayTest, TamperedAndExpiredRequestsAreRefusedAndChangeNothing) {
  const std::string body = "what the server signed";
  const std::string md5 = ContentMd5(Bytes(body));
  ASSERT_OK_AND_ASSIGN(PresignedRequest put, Presign("PUT", "chunks/t", {{"content-md5", md5}}));
  // Another body with the signed MD5: the store checks the body against it.
  EXPECT_EQ(Send(put, Bytes("something else entirely")), 400);
  // Another body with its own MD5: the signature no longer matches.
  const std::string evil = "something else entirely";
  EXPECT_EQ(Send(put, Bytes(evil), {{"content-md5", ContentMd5(Bytes(evil))}}), 403);
  // No MD5 at all.
  EXPECT_EQ(Send(put, Bytes(body), {{"x-none", "1"}}), 403);
  // A changed signature.
  PresignedRequest forged = put;
  char& last = forged.url.back();
  last = last == '0' ? '1' : '0';
  EXPECT_EQ(Send(forged, Bytes(body)), 403);
  // Signed 20 minutes ago for 15: expired.
  const int64_t twenty_min_ago = WallClockNs() - 20LL * 60 * 1'000'000'000;
  ASSERT_OK_AND_ASSIGN(PresignedRequest old,
                       Presign("PUT", "chunks/t", {{"content-md5", md5}}, twenty_min_ago, 900));
  EXPECT_EQ(Send(old, Bytes(body)), 403);
  ASSERT_OK_AND_ASSIGN(PresignedRequest get, Presign("GET", "chunks/t"));
  EXPECT_EQ(Send(get), 404) << "nothing was stored";
  EXPECT_EQ(Send(put, Bytes(body)), 200) << "the genuine request still works";
  std::string got;
  EXPECT_EQ(Send(get, {}, {}, &got), 200);
  EXPECT_EQ(got, body);
}

TEST_F(S3PresignGatewayTest, APutPresignedWithThePayloadsSha256TakesOnlyThatBody) {
  const std::string body = "a chunk named by its SHA-256";
  const std::string sha = ToHex(Sha256(std::vector<uint8_t>(body.begin(), body.end())).bytes);
  ASSERT_OK_AND_ASSIGN(PresignedRequest put,
                       Presign("PUT", "chunks/s", {{"x-amz-content-sha256", sha}}));
  EXPECT_EQ(Send(put, Bytes("another body, same length!!!")), 400) << "the store hashes the body";
  const std::string evil = "another body";
  const std::string evil_sha = ToHex(Sha256(std::vector<uint8_t>(evil.begin(), evil.end())).bytes);
  EXPECT_EQ(Send(put, Bytes(evil), {{"x-amz-content-sha256", evil_sha}}), 403);
  EXPECT_EQ(Send(put, Bytes(body), {{"x-none", "1"}}), 403);
  ASSERT_OK_AND_ASSIGN(PresignedRequest get, Presign("GET", "chunks/s"));
  EXPECT_EQ(Send(get), 404) << "nothing was stored";
  EXPECT_EQ(Send(put, Bytes(body)), 200);
  std::string got;
  EXPECT_EQ(Send(get, {}, {}, &got), 200);
  EXPECT_EQ(got, body);
}

// A streamed upload signed by whoever holds the key, sent by a client that holds none and hashes
// nothing: the store checks each part against the hash its chunk signature covers.
TEST_F(S3PresignGatewayTest, AStreamedPutSignedElsewhereTakesOnlyPartsOfTheSignedHashes) {
  const std::string a = "first member of a pack", b = "and the second one";
  const std::string body = a + b;
  const std::vector<HashedPart> parts = {
      {a.size(), Sha256(std::vector<uint8_t>(a.begin(), a.end()))},
      {b.size(), Sha256(std::vector<uint8_t>(b.begin(), b.end()))}};
  auto send = [&](const StreamingPut& put, const std::string& what) {
    S3Request req{.method = "PUT", .url = put.url, .body = Bytes(what), .signed_parts = parts,
                  .chunk_signatures = put.chunk_signatures};
    for (const auto& [name, value] : put.headers) req.headers.push_back(name + ": " + value);
    auto res = anonymous_->Execute(req);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    return res.ok() ? res->status : 0L;
  };
  ASSERT_OK_AND_ASSIGN(StreamingPut put, SignStreamingPut(config_, creds_, Key("packs/p"), parts,
                                                          {{"if-none-match", "*"}}, WallClockNs()));
  EXPECT_EQ(put.chunk_signatures.size(), 3u) << "one per part and the final one";
  std::string evil = body;
  evil[3] = 'X';
  EXPECT_EQ(send(put, evil), 403) << "a part that is not its signed hash";
  ASSERT_OK_AND_ASSIGN(PresignedRequest get, Presign("GET", "packs/p"));
  EXPECT_EQ(Send(get), 404) << "nothing was stored";
  EXPECT_EQ(send(put, body), 200);
  std::string got;
  EXPECT_EQ(Send(get, {}, {}, &got), 200);
  EXPECT_EQ(got, body);
  EXPECT_EQ(send(put, body), 412) << "signed to create only";
  EXPECT_CODE(SignStreamingPut(config_, creds_, Key("packs/q"), {}, {}, WallClockNs()),
              Code::kInvalidArgument);
}

}  // namespace
}  // namespace reel::s3
