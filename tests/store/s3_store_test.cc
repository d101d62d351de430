// S3Store against a real gateway (REEL_TEST_S3_URI; see s3_test_env.h): multipart uploads,
// many threads, error mapping. The dead-endpoint test needs no gateway.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "chunking/sha256.h"
#include "store/chunk_keys.h"

#include "store/s3/s3_client.h"
#include "store/s3/s3_config.h"
#include "store/s3/s3_store.h"
#include "store/s3_test_env.h"
#include "testing/pattern.h"

namespace reel {
namespace {

using Clock = std::chrono::steady_clock;
using reel::testing::OpenTestS3Store;
using reel::testing::Pattern;
using reel::testing::UniqueTestS3Uri;

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Opens a gateway store with `options`, or skips (fails when REEL_REQUIRE_CEPH=1).
#define OPEN_S3_OR_SKIP(var, options)                                              \
  auto var##_result = OpenTestS3Store(options);                                    \
  if (var##_result.status().code() == Code::kNotSupported) {                       \
    GTEST_SKIP() << var##_result.status().ToString();                              \
  }                                                                                \
  ASSERT_TRUE(var##_result.ok()) << var##_result.status().ToString();              \
  std::unique_ptr<ObjectStore> var = std::move(var##_result).value()

// The test gateway's configuration (on a fresh prefix) and credentials, or skips.
#define LOAD_S3_OR_SKIP(config, creds)                                            \
  auto config##_uri = UniqueTestS3Uri();                                           \
  if (config##_uri.status().code() == Code::kNotSupported) {                       \
    GTEST_SKIP() << config##_uri.status().ToString();                              \
  }                                                                                \
  ASSERT_TRUE(config##_uri.ok()) << config##_uri.status().ToString();              \
  auto config = s3::ParseS3Uri(*config##_uri, s3::ProcessEnv());                  \
  ASSERT_TRUE(config.ok()) << config.status().ToString();                          \
  auto creds = s3::LoadS3Credentials(s3::ProcessEnv());                            \
  ASSERT_TRUE(creds.ok()) << creds.status().ToString()

TEST(S3StoreTest, MultipartObjectWithRangesAcrossParts) {
  OPEN_S3_OR_SKIP(store, "multipart_threshold=5MiB&part_size=5MiB&multipart_parallelism=3");
  constexpr size_t kPart = 5u << 20;
  const auto data = Pattern(3 * kPart + 12'345, 7);  // 4 parts, the last one short
  ASSERT_TRUE(store->Put("big/multi", data).ok());
  auto got = store->Get("big/multi");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == data);
  auto head = store->Head("big/multi");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, data.size());

  struct Range { uint64_t offset, length; };
  for (Range r : {Range{kPart - 10, 20}, Range{kPart - 1, 2 * kPart + 2}, Range{0, 3 * kPart + 1},
                  Range{3 * kPart + 12'000, 1'000}, Range{2 * kPart, kPart}}) {
    SCOPED_TRACE("range " + std::to_string(r.offset) + "+" + std::to_string(r.length));
    auto part = store->GetRange("big/multi", r.offset, r.length);
    ASSERT_TRUE(part.ok()) << part.status().ToString();
    size_t want = std::min<uint64_t>(r.length, data.size() - r.offset);
    ASSERT_EQ(part->size(), want);
    EXPECT_TRUE(std::equal(part->begin(), part->end(), data.begin() + r.offset));
  }
  // A small object replaces the multipart one whole.
  ASSERT_TRUE(store->Put("big/multi", Pattern(100, 1)).ok());
  EXPECT_EQ(*store->Get("big/multi"), Pattern(100, 1));
}

TEST(S3StoreTest, AChunkWhoseBytesDoNotMatchItsKeyIsRefusedByTheGateway) {
  OPEN_S3_OR_SKIP(store, "");
  const auto data = Pattern(100'000, 3);
  const std::string key = ChunkKey(Sha256(data));
  ASSERT_TRUE(store->Put(key, data).ok()) << "the key's hash signs the payload";
  EXPECT_TRUE(*store->Get(key) == data);
  auto damaged = data;
  damaged[5] ^= 0x40;
  Status s = store->Put(ChunkKey(Sha256(Pattern(100'000, 4))), damaged);
  EXPECT_FALSE(s.ok()) << "bytes that are not the chunk the key names must not be stored";
  EXPECT_NE(s.code(), Code::kUnavailable) << s.ToString() << " (a client error, not retried)";
}

// The gateway itself checks each part of an aws-chunked PUT against the hash its chunk
// signature covers: a damaged part is refused by the server, not by a check in this process.
TEST(S3StoreTest, TheGatewayChecksEveryPartOfASignedChunkUpload) {
  LOAD_S3_OR_SKIP(config, creds);
  ASSERT_TRUE(s3::S3Store::Open(*config, *creds).ok()) << "creates the bucket";
  s3::S3Client client(*config, *creds);
  std::vector<uint8_t> body;
  std::vector<HashedPart> parts;
  for (size_t size : {size_t{3u << 20}, size_t{5}, size_t{200'000}}) {
    const auto part = Pattern(size, static_cast<uint32_t>(size));
    parts.push_back({size, Sha256(part)});
    body.insert(body.end(), part.begin(), part.end());
  }
  const std::string key = config->prefix + "/signed-chunks";
  auto put = client.Execute({.method = "PUT", .key = key, .body = body, .signed_parts = parts});
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  ASSERT_EQ(put->status, 200) << std::string(put->body.begin(), put->body.end());
  auto got = client.Execute({.method = "GET", .key = key});
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->body == body) << "stored decoded, byte for byte";

  auto damaged = body;
  damaged[(3u << 20) + 2] ^= 1;  // the 5-byte part
  put = client.Execute({.method = "PUT", .key = key + "-bad", .body = damaged, .signed_parts = parts});
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->status, 403) << "the gateway refuses a part that does not match its hash";
  got = client.Execute({.method = "HEAD", .key = key + "-bad"});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, 404) << "and stores nothing";
}

TEST(S3StoreTest, ConcurrentPutsAndGetsFromManyThreads) {
  OPEN_S3_OR_SKIP(store, "max_connections=8");
  constexpr int kThreads = 24;
  constexpr int kOps = 12;
  ASSERT_TRUE(store->Put("shared", Pattern(10'000, 99)).ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kOps; ++i) {
        std::string key = "conc/" + std::to_string(t) + "/" + std::to_string(i);
        auto data = Pattern(1000 + 37 * i + t, t * 100 + i);
        if (!store->Put(key, data).ok()) ++failures;
        auto got = store->Get(key);
        if (!got.ok() || *got != data) ++failures;
        auto shared = store->GetRange("shared", 5'000, 100);
        if (!shared.ok() || shared->size() != 100) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  size_t listed = 0;
  ASSERT_TRUE(store->List("conc/", [&](const ObjectInfo&) { return ++listed, true; }).ok());
  EXPECT_EQ(listed, static_cast<size_t>(kThreads * kOps));
}

TEST(S3StoreTest, ListFollowsContinuationTokens) {
  OPEN_S3_OR_SKIP(store, "");
  constexpr int kObjects = 1'100;  // more than one 1000-key page
  std::atomic<int> next{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i; (i = next++) < kObjects;) {
        if (!store->Put("page/" + std::to_string(i), {}).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
  std::set<std::string> keys;
  ASSERT_TRUE(store->List("page/", [&](const ObjectInfo& info) {
    EXPECT_TRUE(keys.insert(info.key).second) << info.key;
    return true;
  }).ok());
  EXPECT_EQ(keys.size(), static_cast<size_t>(kObjects));
}

TEST(S3StoreTest, WrongSecretIsPermissionDeniedWithoutRetries) {
  LOAD_S3_OR_SKIP(config, creds);
  creds->secret_access_key = "definitely-not-the-secret-0123456789";
  auto start = Clock::now();
  auto store = s3::S3Store::Open(*config, *creds);
  double secs = SecondsSince(start);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kPermissionDenied) << store.status().ToString();
  EXPECT_NE(store.status().message().find("SignatureDoesNotMatch"), std::string::npos)
      << store.status().message();
  EXPECT_EQ(store.status().message().find(creds->secret_access_key), std::string::npos);
  EXPECT_LT(secs, 2.0) << "a 403 must not be retried";
}

TEST(S3StoreTest, MissingBucketIsNotFoundNamingIt) {
  auto uri = UniqueTestS3Uri();
  if (uri.status().code() == Code::kNotSupported) GTEST_SKIP() << uri.status().ToString();
  ASSERT_TRUE(uri.ok());
  auto config = s3::ParseS3Uri(*uri, s3::ProcessEnv());
  ASSERT_TRUE(config.ok());
  config->bucket = "reel-no-such-bucket-" + std::to_string(::getpid());
  config->create_bucket = false;
  auto creds = s3::LoadS3Credentials(s3::ProcessEnv());
  ASSERT_TRUE(creds.ok());
  auto store = s3::S3Store::Open(*config, *creds);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kNotFound) << store.status().ToString();
  EXPECT_NE(store.status().message().find(config->bucket), std::string::npos);
  EXPECT_NE(store.status().message().find("create_bucket=true"), std::string::npos);
}

TEST(S3StoreTest, UriCarriesNoSecret) {
  OPEN_S3_OR_SKIP(store, "");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  std::string uri = store->Uri();
  EXPECT_TRUE(uri.starts_with("s3://")) << uri;
  if (secret != nullptr && *secret != '\0') {
    EXPECT_EQ(uri.find(secret), std::string::npos);
  }
}

TEST(S3StoreTest, KeysLongerThanS3AllowsUnderThePrefixAreInvalidArgument) {
  OPEN_S3_OR_SKIP(store, "");
  const size_t max = store->MaxKeyLength();
  ASSERT_LT(max, 1024u);  // the test store always has a prefix
  std::string too_long = std::string(200, 'a') + "/" + std::string(max - 200, 'b');
  ASSERT_EQ(too_long.size(), max + 1);
  EXPECT_EQ(store->Put(too_long, {}).code(), Code::kInvalidArgument);
  EXPECT_EQ(store->Get(too_long).status().code(), Code::kInvalidArgument);
}

// A loopback port nobody listens on: bound, then closed.
int UnusedLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(S3StoreTest, DeadEndpointIsUnavailableWithinTheDeadline) {
  auto config = s3::ParseS3Uri("s3://reel-test/p?endpoint=http://127.0.0.1:" +
                                   std::to_string(UnusedLoopbackPort()) +
                                   "&retry_deadline_ms=1500&connect_timeout_ms=500",
                               [](std::string_view) { return std::nullopt; });
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  s3::S3Credentials creds{"AKIDTEST", "secret-never-shown-42", "", "test"};
  auto start = Clock::now();
  auto store = s3::S3Store::Open(*config, creds);
  double secs = SecondsSince(start);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kUnavailable) << store.status().ToString();
  EXPECT_GE(secs, 1.4);
  EXPECT_LT(secs, 3.0);
  EXPECT_EQ(store.status().message().find("secret-never-shown-42"), std::string::npos);
}

}  // namespace
}  // namespace reel
