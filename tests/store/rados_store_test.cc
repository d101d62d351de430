// RadosStore beyond the shared conformance suite: URI parsing (no cluster needed), an unreachable
// cluster (no cluster needed), and, against the cluster in REEL_TEST_RADOS_URI, a missing pool,
// many threads, the size limit, namespace isolation and (REEL_TEST_RADOS_BENCH=1) throughput.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "testing/pattern.h"
#include "store/object_store.h"
#include "store/rados/rados_config.h"
#include "store/test_env_store.h"

namespace reel {
namespace {

using std::chrono::steady_clock;
using testing::Pattern;

// ---- URI parsing (pure)

TEST(RadosUriTest, Defaults) {
  auto c = ParseRadosUri("rados://mypool");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->pool, "mypool");
  EXPECT_EQ(c->prefix, "");
  EXPECT_EQ(c->conf_path, "");
  EXPECT_EQ(c->client_name, "client.admin");
  EXPECT_FALSE(c->create_pool);
  EXPECT_EQ(c->timeout, std::chrono::seconds(30));
  EXPECT_EQ(c->max_object_bytes, RadosConfig::kDefaultMaxObjectBytes);
  EXPECT_GE(c->max_object_bytes, uint64_t{64} << 20);  // a 64 MiB chunk always fits
}

TEST(RadosUriTest, AllOptions) {
  auto c = ParseRadosUri(
      "rados://reel-pool/drives/d1?conf=/tmp/ceph%20x/ceph.conf&id=reel&create_pool=true"
      "&timeout=5&max_object_size=1048576");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->pool, "reel-pool");
  EXPECT_EQ(c->prefix, "drives/d1");
  EXPECT_EQ(c->conf_path, "/tmp/ceph x/ceph.conf");
  EXPECT_EQ(c->client_name, "client.reel");
  EXPECT_TRUE(c->create_pool);
  EXPECT_EQ(c->timeout, std::chrono::seconds(5));
  EXPECT_EQ(c->max_object_bytes, 1048576u);
}

TEST(RadosUriTest, NameAndTrailingSlash) {
  auto c = ParseRadosUri("rados://p/x/?name=client.backup&create_pool=0");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->prefix, "x");
  EXPECT_EQ(c->client_name, "client.backup");
  EXPECT_FALSE(c->create_pool);
  auto d = ParseRadosUri("rados://p/");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->prefix, "");
}

TEST(RadosUriTest, RejectsMalformed) {
  for (const char* uri : {
           "rados://", "rados:///prefix", "rados://po/ol?x", "rados://pool?bogus=1",
           "rados://pool?id=a&name=client.b", "rados://pool?name=osd.0", "rados://pool?id=",
           "rados://pool?timeout=0", "rados://pool?timeout=abc", "rados://pool?timeout=5s",
           "rados://pool?create_pool=maybe", "rados://pool?conf=", "rados://pool?conf=%zz",
           "rados://pool?max_object_size=-1", "rados://pool?max_object_size=2147483648",
           "rados://pool/a//b", "rados://pool/../x",
           "rados://pool/a b", "rados://po%20ol", "rados://pool?timeout", "s3://bucket",
       }) {
    SCOPED_TRACE(uri);
    auto c = ParseRadosUri(uri);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().code(), Code::kInvalidArgument) << c.status().ToString();
  }
  std::string long_prefix = "rados://pool/" + std::string(200, 'a') + "/" + std::string(60, 'b');
  EXPECT_EQ(ParseRadosUri(long_prefix).status().code(), Code::kInvalidArgument);
}

TEST(RadosUriTest, FactoryRejectsBadOptionsBeforeConnecting) {
  auto store = OpenObjectStore("rados://pool?nope=1");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kInvalidArgument);
  EXPECT_NE(store.status().message().find("nope"), std::string::npos);
}

// ---- no cluster: an address nobody listens on

// A loopback TCP port that was free a moment ago.
int UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    return 1;  // nothing listens on tcpmux either
  }
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

TEST(RadosUnreachableTest, DeadMonitorGivesUnavailableWithinTimeout) {
  char tmpl[] = "/tmp/reel-rados-dead-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  const std::string conf = dir + "/ceph.conf";
  {
    std::ofstream out(conf);
    out << "[global]\n"
        << "mon host = v2:127.0.0.1:" << UnusedPort() << "\n"
        << "auth client required = none\n"
        << "log file = " << dir << "/client.log\n"
        << "admin socket =\n";
  }
  const auto start = steady_clock::now();
  auto store = OpenObjectStore("rados://reel-test/x?conf=" + conf + "&timeout=2");
  const auto elapsed = steady_clock::now() - start;
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kUnavailable) << store.status().ToString();
  EXPECT_NE(store.status().message().find(conf), std::string::npos) << store.status().ToString();
  EXPECT_NE(store.status().message().find("reel-test"), std::string::npos);
  EXPECT_LT(elapsed, std::chrono::seconds(15));
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

TEST(RadosUnreachableTest, MissingConfFileIsAnError) {
  auto store = OpenObjectStore("rados://reel-test?conf=/nonexistent/ceph.conf&timeout=1");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().code(), Code::kOk);
  EXPECT_NE(store.status().message().find("/nonexistent/ceph.conf"), std::string::npos)
      << store.status().ToString();
}

// ---- against a live cluster (REEL_TEST_RADOS_URI)

// REEL_TEST_RADOS_URI with the pool replaced and options changed: `drop` removes an option,
// `add` appends "k=v" items.
std::string RewriteUri(const std::string& uri, const std::string& pool,
                       const std::set<std::string>& drop, const std::string& add) {
  size_t q = uri.find('?');
  std::string query = q == std::string::npos ? "" : uri.substr(q + 1);
  std::string out = "rados://" + pool + "?";
  size_t pos = 0;
  while (pos <= query.size() && !query.empty()) {
    size_t amp = query.find('&', pos);
    std::string item = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    if (!item.empty() && !drop.contains(item.substr(0, item.find('=')))) out += item + "&";
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return out + add;
}

class RadosLiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* uri = std::getenv("REEL_TEST_RADOS_URI");
    if (uri == nullptr || *uri == '\0') {
      if (CephRequired()) FAIL() << "REEL_REQUIRE_CEPH=1 but REEL_TEST_RADOS_URI is unset";
      GTEST_SKIP() << "REEL_TEST_RADOS_URI is unset";
    }
    base_uri_ = uri;
    auto config = ParseRadosUri(base_uri_);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    pool_ = config->pool;
    prefix_ = UniqueTestPrefix();
  }
  void TearDown() override {
    for (auto& store : opened_) {  // leave nothing behind in the shared pool
      std::vector<std::string> keys;
      (void)store->List("", [&](const ObjectInfo& info) {
        keys.push_back(info.key);
        return true;
      });
      for (const auto& key : keys) (void)store->Delete(key);
    }
  }
  // A store on the test cluster's pool under prefix_ (+ `sub`), with extra options.
  ObjectStore& Open(const std::string& extra = "", const std::string& sub = "") {
    std::string uri = WithPrefix(base_uri_, prefix_ + sub);
    if (!extra.empty()) uri += (uri.find('?') == std::string::npos ? "?" : "&") + extra;
    auto store = OpenObjectStore(uri);
    EXPECT_TRUE(store.ok()) << uri << ": " << store.status().ToString();
    if (!store.ok()) throw std::runtime_error("open failed");
    opened_.push_back(std::move(store).value());
    return *opened_.back();
  }

  std::string base_uri_, pool_, prefix_;
  std::vector<std::unique_ptr<ObjectStore>> opened_;
};

TEST_F(RadosLiveTest, MissingPoolWithoutCreatePoolIsNotFound) {
  const std::string pool = "reel-missing-" + prefix_;
  auto store = OpenObjectStore(RewriteUri(base_uri_, pool, {"create_pool"}, "timeout=10"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Code::kNotFound) << store.status().ToString();
  EXPECT_NE(store.status().message().find(pool), std::string::npos);
  EXPECT_NE(store.status().message().find("create_pool=true"), std::string::npos);
}

TEST_F(RadosLiveTest, ConcurrentPutsAndGetsFromManyThreads) {
  ObjectStore& store = Open();
  constexpr int kThreads = 16;
  constexpr int kPerThread = 24;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string key = "mt/" + std::to_string(t) + "/" + std::to_string(i);
        const auto data = Pattern(16'384 + 97 * i, t * 100 + i);
        if (!store.Put(key, data).ok()) ++failures;
        auto got = store.Get(key);
        if (!got.ok() || *got != data) ++failures;
        auto head = store.Head(key);
        if (!head.ok() || head->size != data.size()) ++failures;
        auto range = store.GetRange(key, 100, 1000);
        if (!range.ok() || !std::equal(range->begin(), range->end(), data.begin() + 100) ||
            range->size() != 1000) {
          ++failures;
        }
        if (i % 3 == 0 && !store.Delete(key).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  size_t listed = 0;
  ASSERT_TRUE(store.List("mt/", [&](const ObjectInfo&) { return ++listed, true; }).ok());
  EXPECT_EQ(listed, static_cast<size_t>(kThreads * (kPerThread - kPerThread / 3)));
}

TEST_F(RadosLiveTest, ObjectOverTheLimitIsRangeError) {
  ObjectStore& small = Open("max_object_size=1048576");
  EXPECT_TRUE(small.Put("at-limit", Pattern(1 << 20, 1)).ok());
  Status s = small.Put("over-limit", Pattern((1 << 20) + 1, 2));
  EXPECT_EQ(s.code(), Code::kRange) << s.ToString();
  EXPECT_NE(s.message().find("1048576"), std::string::npos) << s.ToString();
  EXPECT_EQ(small.Head("over-limit").status().code(), Code::kNotFound);

  // The default limit: a 64 MiB chunk fits, one byte over 90 MiB is refused before sending.
  ObjectStore& store = Open("", "-default");
  std::vector<uint8_t> chunk(64u << 20, 0x5a);
  EXPECT_TRUE(store.Put("chunk-64MiB", chunk).ok());
  auto head = store.Head("chunk-64MiB");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, chunk.size());
  chunk.resize(RadosConfig::kDefaultMaxObjectBytes + 1, 0x5a);
  s = store.Put("too-big", chunk);
  EXPECT_EQ(s.code(), Code::kRange) << s.ToString();
  EXPECT_NE(s.message().find(std::to_string(RadosConfig::kDefaultMaxObjectBytes)),
            std::string::npos);
}

TEST_F(RadosLiveTest, OsdRefusalOfAnOversizedWriteIsRangeError) {
  // Lift our own limit above the OSD's osd_max_write_size (90 MiB): the OSD refuses the write.
  ObjectStore& store = Open("max_object_size=209715200");
  std::vector<uint8_t> big(100u << 20, 0x33);
  Status s = store.Put("osd-refuses", big);
  EXPECT_EQ(s.code(), Code::kRange) << s.ToString();
  EXPECT_EQ(store.Head("osd-refuses").status().code(), Code::kNotFound);
}

TEST_F(RadosLiveTest, PrefixesAreIsolatedNamespaces) {
  ObjectStore& a = Open("", "-a");
  ObjectStore& b = Open("", "-b");
  ASSERT_TRUE(a.Put("same/key", Pattern(10, 1)).ok());
  ASSERT_TRUE(b.Put("same/key", Pattern(20, 2)).ok());
  EXPECT_EQ(a.Get("same/key")->size(), 10u);
  EXPECT_EQ(b.Get("same/key")->size(), 20u);
  std::vector<std::string> keys;
  ASSERT_TRUE(a.List("", [&](const ObjectInfo& i) { return keys.push_back(i.key), true; }).ok());
  EXPECT_EQ(keys, std::vector<std::string>{"same/key"});  // relative to the store's prefix
  ASSERT_TRUE(a.Delete("same/key").ok());
  EXPECT_TRUE(b.Head("same/key").ok());
}

// Throughput, a measurement rather than a test: disabled (ctest lists it as not run), run on
// request with --gtest_also_run_disabled_tests --gtest_filter='*Throughput'.
TEST_F(RadosLiveTest, DISABLED_Throughput) {
  ObjectStore& store = Open();
  constexpr size_t kObject = 4u << 20;
  constexpr int kObjects = 64;  // 256 MiB
  const auto data = Pattern(kObject, 7);
  for (int threads : {1, 8}) {
    auto run = [&](bool put) {
      std::atomic<int> next{0}, failures{0};
      auto start = steady_clock::now();
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
          for (int i; (i = next++) < kObjects;) {
            const std::string key = "bench/" + std::to_string(threads) + "/" + std::to_string(i);
            if (put) {
              if (!store.Put(key, data).ok()) ++failures;
            } else {
              auto got = store.Get(key);
              if (!got.ok() || got->size() != kObject) ++failures;
            }
          }
        });
      }
      for (auto& th : pool) th.join();
      double secs = std::chrono::duration<double>(steady_clock::now() - start).count();
      EXPECT_EQ(failures.load(), 0);
      std::printf("rados %s 256 MiB in 4 MiB objects, %d thread(s): %.0f MB/s\n",
                  put ? "put" : "get", threads, kObjects * kObject / secs / 1e6);
    };
    run(true);
    run(false);
  }
}

}  // namespace
}  // namespace reel
