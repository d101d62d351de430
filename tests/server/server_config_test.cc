// server.toml, listen addresses and server URLs: what is accepted, what is refused and why.
#include "server/server_config.h"

#include <sys/stat.h>

#include <unistd.h>

#include <functional>
#include <vector>

#include <gtest/gtest.h>

#include "catalog/catalog_test_util.h"
#include "common/fs_util.h"
#include "remote/server_url.h"
#include "http/listen_address.h"
#include "testing/temp_dir.h"

namespace reel::testing {
namespace {

TEST(ListenAddressTest, HostPortAndBracketedIpv6) {
  ASSERT_OK_AND_ASSIGN(ListenAddress a, ParseListenAddress("127.0.0.1:7480"));
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 7480);
  ASSERT_OK_AND_ASSIGN(a, ParseListenAddress("[::1]:0"));
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(a.port, 0);
  ASSERT_OK_AND_ASSIGN(a, ParseListenAddress("reel-1.studio:443"));
  EXPECT_EQ(a.host, "reel-1.studio");
  for (const char* bad : {"", "7480", ":7480", "host:", "host:65536", "host:-1", "host:80x",
                          "::1:80", "[::1]", "[zz]:80", "a b:80", "host:80/path"}) {
    EXPECT_CODE(ParseListenAddress(bad), Code::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.8.9.1"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("10.1.2.3"));
  EXPECT_FALSE(IsLoopbackHost("reel.example"));
}

TEST(ServerUrlTest, NormalizedOrRefused) {
  ASSERT_OK_AND_ASSIGN(std::string url, NormalizeServerUrl("HTTPS://Reel.Example:7480/"));
  EXPECT_EQ(url, "https://reel.example:7480");
  ASSERT_OK_AND_ASSIGN(url, NormalizeServerUrl("http://127.0.0.1:1"));
  EXPECT_EQ(url, "http://127.0.0.1:1");
  for (const char* bad : {"", "reel.example", "ftp://x", "https://", "https://a/b",
                          "https://user:pw@host", "https://h?x=1", "http://h#f"}) {
    EXPECT_CODE(NormalizeServerUrl(bad), Code::kInvalidArgument) << bad;
  }
}

ServerConfig Valid(const std::string& dir) {
  ServerConfig c;
  c.dir = dir;
  c.catalog_uri = "postgresql://reel@127.0.0.1:5432/reel";
  c.cloud_uri = "s3://bucket/team?endpoint=http://127.0.0.1:8000";
  return c;
}

TEST(ServerConfigTest, WrittenOncePrivateAndReadBack) {
  TempDir tmp;
  const std::string dir = tmp / "srv";
  ServerConfig c = Valid(dir);
  c.edge_uri = "rados://edge?conf=/etc/ceph/ceph.conf";
  c.tls_cert = "tls/cert.pem";
  c.tls_key = "/etc/reel/key.pem";
  c.maintenance_interval_seconds = 600;
  c.trash_retention_days = 7;
  c.gc_grace_seconds = 7200;
  c.threads = 32;
  ASSERT_OK(WriteServerConfig(c));
  struct stat st;
  ASSERT_EQ(::stat(ServerConfigPath(dir).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "it may hold the database password";
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_OK_AND_ASSIGN(ServerConfig back, LoadServerConfig(dir));
  EXPECT_EQ(back.dir, dir);
  EXPECT_EQ(back.catalog_uri, c.catalog_uri);
  EXPECT_EQ(back.cloud_uri, c.cloud_uri);
  EXPECT_EQ(back.edge_uri, c.edge_uri);
  EXPECT_EQ(back.listen, kDefaultServerListen);
  EXPECT_EQ(back.tls_cert, dir + "/tls/cert.pem") << "relative to the server's directory";
  EXPECT_EQ(back.tls_key, "/etc/reel/key.pem");
  EXPECT_EQ(back.maintenance_interval_seconds, 600);
  EXPECT_EQ(back.trash_retention_days, 7);
  EXPECT_EQ(back.gc_grace_seconds, 7200);
  EXPECT_EQ(back.threads, 32);
  EXPECT_CODE(WriteServerConfig(c), Code::kAlreadyExists);
}

TEST(ServerConfigTest, BadConfigurationsAreRefusedWithTheFieldNamed) {
  TempDir tmp;
  const std::vector<std::pair<std::function<void(ServerConfig&)>, const char*>> cases = {
      {[](ServerConfig& c) { c.catalog_uri = "sqlite:///tmp/catalog.db"; }, "postgresql://"},
      {[](ServerConfig& c) { c.cloud_uri = "memory://"; }, "cloud"},
      {[](ServerConfig& c) { c.edge_uri = "http://edge"; }, "edge"},
      {[](ServerConfig& c) { c.listen = "everywhere"; }, "listen address"},
      {[](ServerConfig& c) { c.threads = 4; }, "threads"},
      {[](ServerConfig& c) { c.threads = 5000; }, "threads"},
      {[](ServerConfig& c) { c.tls_cert = "cert.pem"; }, "key"},
      {[](ServerConfig& c) { c.maintenance_interval_seconds = 5; }, "interval_seconds"},
      {[](ServerConfig& c) { c.trash_retention_days = -1; }, "trash_retention_days"},
      {[](ServerConfig& c) { c.gc_grace_seconds = 60; }, "gc_grace_seconds"},
      {[](ServerConfig& c) { c.metrics_listen = "anywhere"; }, "[metrics] listen"},
      {[](ServerConfig& c) { c.forwards = {{"a/b", "nats://h:1", ""}}; }, "[[forward]]"},
      {[](ServerConfig& c) { c.forwards = {{"a", "nats://h", ""}}; }, "HOST:PORT"},
      {[](ServerConfig& c) { c.forwards = {{"a", "nats://h:1", ""}, {"a", "kafka://h:1/t", ""}}; },
       "used twice"},
      {[](ServerConfig& c) { c.forwards = {{"hook", "https://h/x", ""}}; }, "secret_file"},
      {[](ServerConfig& c) { c.forwards = {{"q", "nats://h:1", "/s"}}; }, "only a webhook"},
  };
  for (const auto& [spoil, field] : cases) {
    ServerConfig c = Valid(tmp / "x");
    spoil(c);
    Status s = ValidateServerConfig(c);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << field;
    EXPECT_NE(s.message().find(field), std::string::npos) << s.message();
    EXPECT_CODE(WriteServerConfig(c), Code::kInvalidArgument) << field;
  }
  EXPECT_NE(::access((tmp / "x").c_str(), F_OK), 0) << "nothing written";

  EXPECT_CODE(LoadServerConfig(tmp / "none"), Code::kNotFound);
  const std::string dir = tmp / "hand";
  ASSERT_OK(MakeDirs(dir, 0700));
  auto load_text = [&](const std::string& text) {
    EXPECT_OK(WriteFileAtomic(ServerConfigPath(dir), text, 0600));
    return LoadServerConfig(dir);
  };
  const std::string good = "format = 1\n[catalog]\nuri = \"postgresql://h/db\"\n"
                           "[stores]\ncloud = \"file:///srv/cloud\"\n";
  ASSERT_OK_AND_ASSIGN(ServerConfig defaults, load_text(good));
  EXPECT_EQ(defaults.maintenance_interval_seconds, 3600);
  EXPECT_EQ(defaults.trash_retention_days, 30);
  EXPECT_EQ(defaults.gc_grace_seconds, 3600);
  EXPECT_EQ(defaults.threads, kDefaultServerThreads);
  ASSERT_OK_AND_ASSIGN(ServerConfig threads, load_text("threads = 1024\n" + good));
  EXPECT_EQ(threads.threads, 1024);
  EXPECT_CODE(load_text("threads = 7\n" + good), Code::kInvalidArgument);
  EXPECT_CODE(load_text("threads = \"many\"\n" + good), Code::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(ServerConfig none, load_text(good + "[maintenance]\ninterval_seconds = 0\n"));
  EXPECT_EQ(none.maintenance_interval_seconds, 0);
  EXPECT_CODE(load_text(good + "[maintenance]\ninterval_seconds = 59\n"), Code::kInvalidArgument);
  EXPECT_CODE(load_text(good + "[maintenance]\ntrash_retention_days = 4000\n"),
              Code::kInvalidArgument);
  EXPECT_CODE(load_text(good + "[maintenance]\nevery = 1\n"), Code::kInvalidArgument);
  EXPECT_CODE(load_text(good + "[maintenance]\ngc_grace_seconds = 599\n"), Code::kInvalidArgument)
      << "an instance's find of a chunk must outlast its commit";
  EXPECT_CODE(load_text(good + "colour = \"blue\"\n"), Code::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(
      ServerConfig extras,
      load_text(good + "[metrics]\nlisten = \"127.0.0.1:9464\"\n"
                       "[[forward]]\nname = \"bus\"\nuri = \"nats://127.0.0.1:4222?stream=R\"\n"
                       "[[forward]]\nname = \"hook\"\nuri = \"https://h/x\"\n"
                       "secret_file = \"hook.secret\"\n"));
  EXPECT_EQ(extras.metrics_listen, "127.0.0.1:9464");
  ASSERT_EQ(extras.forwards.size(), 2u);
  EXPECT_EQ(extras.forwards[0].name, "bus");
  EXPECT_EQ(extras.forwards[1].secret_file, dir + "/hook.secret") << "relative to the directory";
  EXPECT_CODE(load_text(good + "[metrics]\nport = 1\n"), Code::kInvalidArgument);
  EXPECT_CODE(load_text(good + "forward = 1\n"), Code::kInvalidArgument);
  EXPECT_CODE(load_text(good + "[[forward]]\nname = \"x\"\n"), Code::kInvalidArgument)
      << "uri is required";
  EXPECT_CODE(load_text("format = 2\n" + good.substr(11)), Code::kNotSupported);
  EXPECT_CODE(load_text("format = 1\n[catalog\n"), Code::kInvalidArgument);
  EXPECT_CODE(load_text("format = 1\n[stores]\ncloud = \"file:///c\"\n"), Code::kInvalidArgument);
}

}  // namespace
}  // namespace reel::testing
