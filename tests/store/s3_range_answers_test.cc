// S3Store::GetRangeInto against an answer a real gateway does not give: a server that ignores the
// Range header (200 and the whole object). A small HTTP server on loopback plays the service.
#include <httplib.h>

#include <cstring>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store/s3/s3_config.h"
#include "store/s3/s3_store.h"
#include "testing/pattern.h"

namespace reel {
namespace {

TEST(S3RangeAnswersTest, GetRangeIntoCutsTheRangeOutOfAWholeObjectAnswer) {
  const std::vector<uint8_t> object = testing::Pattern(100'000, 3);
  httplib::Server server;
  server.Get(R"(/bucket(/.*)?)", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/bucket") return;  // the bucket check at open: 200
    // Ignore the range: httplib would cut the content to it after this handler, so the parsed
    // ranges are dropped (the request is the server's own object, passed as const).
    const_cast<httplib::Request&>(req).ranges.clear();
    res.set_content(std::string(reinterpret_cast<const char*>(object.data()), object.size()),
                    "application/octet-stream");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread serving([&] { server.listen_after_bind(); });
  struct Stopper {
    httplib::Server& s;
    std::thread& t;
    ~Stopper() {
      s.stop();
      t.join();
    }
  } stopper{server, serving};

  auto config = s3::ParseS3Uri("s3://bucket/p?endpoint=http://127.0.0.1:" + std::to_string(port) +
                                   "&path_style=true&retry_deadline_ms=1000",
                               [](std::string_view) { return std::nullopt; });
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  auto store = s3::S3Store::Open(*config, s3::S3Credentials{"AKIDTEST", "secret", "", "test"});
  ASSERT_TRUE(store.ok()) << store.status().ToString();

  std::vector<uint8_t> a(1'000), b(3'000);
  std::span<uint8_t> into[] = {a, b};
  auto got = (*store)->GetRangeInto("obj", 10'000, into);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, 4'000u);
  EXPECT_EQ(std::memcmp(a.data(), object.data() + 10'000, a.size()), 0);
  EXPECT_EQ(std::memcmp(b.data(), object.data() + 11'000, b.size()), 0);
  got = (*store)->GetRangeInto("obj", 99'500, into);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, 500u) << "the object ends first";
  EXPECT_EQ(std::memcmp(a.data(), object.data() + 99'500, 500), 0);
  got = (*store)->GetRangeInto("obj", 200'000, into);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, 0u);

}

}  // namespace
}  // namespace reel
