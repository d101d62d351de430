// The control API over its real unix socket, with a scripted engine.
#include "api/api_server.h"

#include <httplib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>

#include <gtest/gtest.h>

#include "api/api_client.h"
#include "common/error_mapping.h"
#include "common/fs_util.h"
#include "fake_engine.h"
#include "testing/temp_dir.h"

namespace reel {
namespace {

using nlohmann::json;
using testing::FakeEngine;
using testing::TempDir;

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ApiServerOptions o;
    o.info.drive_id = "3b1f0c9e-8d7a-4f21-9c55-0a1b2c3d4e5f";
    o.info.drive_name = "studio";
    o.info.drive_dir = "/drives/studio";
    o.info.mountpoint = "/mnt/studio";
    o.info.version = "0.1.0";
    o.on_unmount = [this] {
      unmounts_++;
      return unmount_result_;
    };
    DriveServiceParts parts;
    parts.engine = &engine_;
    parts.backup_catalog = [this]() -> Result<json> {
      backups_++;
      if (!backup_result_.ok()) return backup_result_;
      return json{{"key", "catalog-backups/20261203T115300.123Z-0a1b2c3d.db.zst"},
                  {"tiers", {"edge", "cloud"}}};
    };
    service_ = std::make_unique<DriveService>(std::move(parts));
    server_ = std::make_unique<ApiServer>(service_.get(), o);
    socket_ = tmp_ / "api.sock";
    ASSERT_TRUE(server_->Start(socket_).ok());
  }

  // A raw request, to see HTTP statuses and bodies as they are on the wire.
  std::pair<int, json> Raw(const std::string& method, const std::string& target,
                           const std::string& body = "") {
    httplib::Client c(socket_, 1);
    c.set_address_family(AF_UNIX);
    auto res = method == "GET" ? c.Get(target) : c.Post(target, body, "application/json");
    EXPECT_TRUE(res) << "no response for " << target;
    if (!res) return {0, json()};
    json j = json::parse(res->body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    return {res->status, j};
  }

  void ExpectInvalid(const std::string& method, const std::string& target,
                     const std::string& body, const std::string& text) {
    auto [status, j] = Raw(method, target, body);
    EXPECT_EQ(status, 400) << target << " " << body;
    EXPECT_EQ(j["error"]["code"], "invalid_argument") << j.dump();
    EXPECT_NE(j["error"]["message"].get<std::string>().find(text), std::string::npos) << j.dump();
  }

  TempDir tmp_;
  FakeEngine engine_;
  std::atomic<int> unmounts_{0};
  Status unmount_result_;
  std::atomic<int> backups_{0};
  Status backup_result_;
  std::unique_ptr<DriveService> service_;
  std::unique_ptr<ApiServer> server_;
  std::string socket_;
};

VersionInfo SampleVersion(uint64_t n) {
  VersionInfo v;
  v.number = n;
  v.created = 1714566600123456789;
  v.size = 1000 * n;
  v.kind = VersionKind::kCheckpoint;
  v.message = "take " + std::to_string(n);
  v.chunk_count = static_cast<uint32_t>(n);
  return v;
}

TEST_F(ApiServerTest, InfoRoundTripOverTheSocket) {
  ApiClient client(socket_);
  auto info = client.Info();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->drive_id, "3b1f0c9e-8d7a-4f21-9c55-0a1b2c3d4e5f");
  EXPECT_EQ(info->drive_name, "studio");
  EXPECT_EQ(info->drive_dir, "/drives/studio");
  EXPECT_EQ(info->mountpoint, "/mnt/studio");
  EXPECT_EQ(info->socket_path, socket_);
  EXPECT_EQ(info->pid, ::getpid());
  EXPECT_EQ(info->version, "0.1.0");

  auto [status, j] = Raw("GET", "/v1/info");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(j["drive"]["name"], "studio");
}

TEST_F(ApiServerTest, SocketIsPrivate) {
  struct stat st;
  ASSERT_EQ(::lstat(socket_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

// Every error code crosses the API as the HTTP status of ToHttpStatus and comes back as itself,
// with the path of the request named.
TEST_F(ApiServerTest, ErrorsMapToHttpStatusAndBack) {
  ApiClient client(socket_);
  for (int c = 1; c <= static_cast<int>(Code::kInternal); ++c) {
    Code code = static_cast<Code>(c);
    engine_.save = [code](InodeId, const std::string&) -> Result<VersionInfo> {
      return Status(code, "scripted failure");
    };
    auto [status, j] = Raw("POST", "/v1/save", R"({"path":"a.exr","message":"m"})");
    EXPECT_EQ(status, ToHttpStatus(code)) << CodeName(code);
    EXPECT_EQ(j["error"]["code"], std::string(CodeName(code)));
    EXPECT_EQ(j["error"]["message"], "a.exr: scripted failure");  // naming the path
    auto r = client.Save("a.exr", "m");
    EXPECT_EQ(r.status().code(), code) << CodeName(code);
    EXPECT_EQ(r.status().message(), "a.exr: scripted failure");
  }
}

TEST_F(ApiServerTest, NotFoundPathNamesThePath) {
  ApiClient client(socket_);
  auto r = client.Versions("missing/shot.exr");
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  EXPECT_NE(r.status().message().find("missing/shot.exr"), std::string::npos)
      << r.status().message();
  auto [status, j] = Raw("GET", "/v1/versions?path=missing");
  EXPECT_EQ(status, 404);
  EXPECT_EQ(j["error"]["code"], "not_found");
}

TEST_F(ApiServerTest, InputsAreValidated) {
  ExpectInvalid("POST", "/v1/save", R"({"path":"../etc/passwd"})", "..");
  ExpectInvalid("POST", "/v1/save", R"({"path":"a/../../b"})", "..");
  ExpectInvalid("POST", "/v1/save", R"({"path":".reel/versions/a"})", ".reel");
  ExpectInvalid("POST", "/v1/save", R"({"path":"/abs"})", "relative");
  ExpectInvalid("POST", "/v1/save", R"({"message":"m"})", "missing field 'path'");
  ExpectInvalid("POST", "/v1/save", R"({"path":7})", "must be a string");
  ExpectInvalid("POST", "/v1/save", R"({"path":"a","mesage":"typo"})", "unknown field 'mesage'");
  ExpectInvalid("POST", "/v1/save", R"({"path":"a","message":")" + std::string(5000, 'x') + "\"}",
                "message longer");
  ExpectInvalid("POST", "/v1/save", "{not json", "not valid JSON");
  ExpectInvalid("POST", "/v1/save", "[1,2]", "JSON object");
  ExpectInvalid("POST", "/v1/restore", R"({"path":"a","version":"3"})", "positive integer");
  ExpectInvalid("POST", "/v1/restore", R"({"path":"a","version":0})", "positive integer");
  ExpectInvalid("POST", "/v1/restore", R"({"path":"a","version":-2})", "positive integer");
  ExpectInvalid("POST", "/v1/restore", R"({"path":"a","version":1.5})", "positive integer");
  ExpectInvalid("POST", "/v1/restore", R"({"path":"a","version":true})", "positive integer");
  ExpectInvalid("POST", "/v1/restore", R"({"path":"a"})", "missing field 'version'");
  ExpectInvalid("POST", "/v1/trash/restore", R"({"id":"x"})", "positive integer");
  ExpectInvalid("POST", "/v1/trash/restore", R"({"id":3,"path":"."})", "drive root");
  ExpectInvalid("GET", "/v1/versions", "", "missing query parameter 'path'");
  ExpectInvalid("GET", "/v1/versions?path=a&path=b", "", "more than once");
  ExpectInvalid("GET", "/v1/status?path=a&verbose=1", "", "unknown query parameter");
  ExpectInvalid("GET", "/v1/status?path=x%2F..%2Fy", "", "..");
  ExpectInvalid("POST", "/v1/gc", R"({"force":true})", "unknown field");
}

TEST_F(ApiServerTest, UnknownEndpointIsJsonNotFound) {
  auto [status, j] = Raw("GET", "/v1/nope");
  EXPECT_EQ(status, 404);
  EXPECT_EQ(j["error"]["code"], "not_found");
  auto [s2, j2] = Raw("GET", "/v1/save");  // wrong method
  EXPECT_EQ(s2, 404);
  EXPECT_EQ(j2["error"]["code"], "not_found");
}

TEST_F(ApiServerTest, VersionCallsRoundTrip) {
  std::string saved_message;
  InodeId saved_ino = 0;
  engine_.save = [&](InodeId ino, const std::string& m) -> Result<VersionInfo> {
    saved_ino = ino;
    saved_message = m;
    return SampleVersion(3);
  };
  engine_.list_versions = [](InodeId) -> Result<std::vector<VersionInfo>> {
    return std::vector<VersionInfo>{SampleVersion(1), SampleVersion(2)};
  };
  uint64_t restored = 0;
  engine_.restore = [&](InodeId, uint64_t n) -> Result<VersionInfo> {
    restored = n;
    VersionInfo v = SampleVersion(4);
    v.kind = VersionKind::kRestore;
    return v;
  };
  engine_.file_status = [](InodeId) -> Result<FileStatus> {
    FileStatus s;
    s.attr.ino = 42;
    s.attr.size = 2000;
    s.attr.version = 2;
    s.chunk_count = 2;
    s.unique_chunk_bytes = 2000;
    s.staged_bytes = 10;
    s.dirty = true;
    s.current = SampleVersion(2);
    return s;
  };

  ApiClient client(socket_);
  auto v = client.Save("shots/a b+c.exr", "first pass ✓");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(saved_ino, 42u);
  EXPECT_EQ(saved_message, "first pass ✓");
  EXPECT_EQ(v->number, 3u);
  EXPECT_EQ(v->created, 1714566600123456789);
  EXPECT_EQ(v->kind, VersionKind::kCheckpoint);
  EXPECT_EQ(v->message, "take 3");
  EXPECT_EQ(v->chunk_count, 3u);

  std::string resolved;
  engine_.resolve = [&](const std::string& p) -> Result<InodeId> {
    resolved = p;
    return InodeId{42};
  };
  auto list = client.Versions("shots//a b+c.exr");  // query encoding and normalization
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_EQ(resolved, "shots/a b+c.exr");
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].size, 2000u);
  EXPECT_EQ((*list)[1].message, "take 2");

  auto r = client.Restore("shots/a.exr", 1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(restored, 1u);
  EXPECT_EQ(r->kind, VersionKind::kRestore);

  auto st = client.GetStatus("shots/a.exr");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->path, "shots/a.exr");
  EXPECT_TRUE(st->dirty);
  EXPECT_EQ(st->staged_bytes, 10u);
  ASSERT_TRUE(st->current.has_value());
  EXPECT_EQ(st->current->number, 2u);

  auto [status, j] = Raw("GET", "/v1/versions?path=a");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(j["versions"][0]["created"], "2024-05-01T12:30:00.123Z");
  EXPECT_EQ(j["versions"][0]["kind"], "checkpoint");
}

TEST_F(ApiServerTest, TrashAndMaintenanceRoundTrip) {
  engine_.list_trash = []() -> Result<std::vector<TrashEntry>> {
    TrashEntry e;
    e.id = 7;
    e.ino = 99;
    e.original_path = "shots/old.exr";
    e.deleted = 1714566600000000000;
    e.size = 123;
    return std::vector<TrashEntry>{e};
  };
  std::string restore_path = "unset";
  engine_.restore_from_trash = [&](uint64_t id, const std::string& p) -> Result<Attributes> {
    if (id != 7) return Status::NotFound("no trash entry " + std::to_string(id));
    restore_path = p;
    Attributes a;
    a.ino = 99;
    a.size = 123;
    return a;
  };
  engine_.gc = []() -> Result<GcReport> {
    GcReport g;
    g.trash_purged = 1;
    g.chunks_deleted = 2;
    g.bytes_deleted = 3;
    g.orphans_deleted = 4;
    g.orphan_bytes_deleted = 5;
    g.orphan_packs_deleted = 6;  // a drive without tiers (no placement) passes them through
    g.orphan_pack_bytes_deleted = 7;
    return g;
  };
  engine_.check = []() -> Result<FsckReport> {
    FsckReport f;
    f.chunks_checked = 10;
    f.bytes_checked = 100;
    f.corrupt = {"ab"};
    return f;
  };
  int idle = 0;
  engine_.wait_idle = [&] {
    idle++;
    return Status::Ok();
  };
  engine_.counters.versions_committed = 17;

  ApiClient client(socket_);
  auto trash = client.Trash();
  ASSERT_TRUE(trash.ok()) << trash.status().ToString();
  ASSERT_EQ(trash->size(), 1u);
  EXPECT_EQ((*trash)[0].original_path, "shots/old.exr");

  auto back = client.RestoreFromTrash(7, "");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(restore_path, "");            // the engine restores to the original path
  EXPECT_EQ(back->path, "shots/old.exr");  // and the answer says where that is
  EXPECT_EQ(back->attr.ino, 99u);
  auto moved = client.RestoreFromTrash(7, "restored/new.exr");
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(restore_path, "restored/new.exr");
  EXPECT_EQ(client.RestoreFromTrash(8, "").status().code(), Code::kNotFound);

  auto gc = client.Gc();
  ASSERT_TRUE(gc.ok());
  EXPECT_EQ(gc->orphan_bytes_deleted, 5u);
  EXPECT_EQ(gc->orphan_packs_deleted, 6u);
  EXPECT_EQ(gc->orphan_pack_bytes_deleted, 7u);
  auto fsck = client.Fsck();
  ASSERT_TRUE(fsck.ok());
  EXPECT_FALSE(fsck->ok());
  EXPECT_EQ(fsck->corrupt, std::vector<std::string>{"ab"});
  EXPECT_TRUE(client.Sync().ok());
  EXPECT_EQ(idle, 1);
  auto counters = client.Counters();
  ASSERT_TRUE(counters.ok());
  EXPECT_EQ(counters->versions_committed, 17u);
}

TEST_F(ApiServerTest, UnmountCallsTheCallbackAndReportsItsRefusal) {
  ApiClient client(socket_);
  EXPECT_TRUE(client.Unmount().ok());
  EXPECT_EQ(unmounts_.load(), 1);
  unmount_result_ = Status::Busy("/mnt/studio is busy");
  Status s = client.Unmount();
  EXPECT_EQ(s.code(), Code::kBusy);
  EXPECT_EQ(s.message(), "/mnt/studio is busy");
  EXPECT_EQ(unmounts_.load(), 2);
  // A server without the callback cannot unmount.
  FakeEngine engine;
  TempDir tmp;
  DriveService bare_service(&engine);
  ApiServer bare(&bare_service, {});
  ASSERT_TRUE(bare.Start(tmp / "api.sock").ok());
  EXPECT_EQ(ApiClient(tmp / "api.sock").Unmount().code(), Code::kNotSupported);
}

TEST_F(ApiServerTest, CatalogBackupCallsTheCallback) {
  ApiClient client(socket_);
  auto r = client.BackupCatalog();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["tiers"], json({"edge", "cloud"}));
  EXPECT_EQ(backups_.load(), 1);
  backup_result_ = Status::Unavailable("the edge tier did not answer");
  EXPECT_EQ(client.BackupCatalog().status().code(), Code::kUnavailable);
  ExpectInvalid("POST", "/v1/catalog/backup", R"({"now": true})", "now");
  // A server without the callback makes no backups.
  FakeEngine engine;
  TempDir tmp;
  DriveService bare_service(&engine);
  ApiServer bare(&bare_service, {});
  ASSERT_TRUE(bare.Start(tmp / "api.sock").ok());
  EXPECT_EQ(ApiClient(tmp / "api.sock").BackupCatalog().status().code(), Code::kNotSupported);
}

TEST_F(ApiServerTest, StopRemovesTheSocketAndClientsGetUnavailable) {
  server_->Stop();
  struct stat st;
  EXPECT_NE(::lstat(socket_.c_str(), &st), 0);
  ApiClient client(socket_);
  EXPECT_EQ(client.Info().status().code(), Code::kUnavailable);
  server_->Stop();  // idempotent
}

TEST_F(ApiServerTest, SecondServerOnALiveSocketIsRefused) {
  FakeEngine other_engine;
  DriveService other_service(&other_engine);
  ApiServer other(&other_service, {});
  EXPECT_EQ(other.Start(socket_).code(), Code::kAlreadyExists);
  // The first one still answers.
  EXPECT_TRUE(ApiClient(socket_).Info().ok());
}

TEST(ApiServerStartTest, StaleSocketIsReplaced) {
  TempDir tmp;
  std::string path = tmp / "api.sock";
  FakeEngine engine;
  {
    DriveService first_service(&engine);
  ApiServer first(&first_service, {});
    ASSERT_TRUE(first.Start(path).ok());
    // Leave the socket file behind as a crashed process would.
    ASSERT_EQ(::link(path.c_str(), (tmp / "keep.sock").c_str()), 0);
  }
  ASSERT_EQ(::rename((tmp / "keep.sock").c_str(), path.c_str()), 0);
  DriveService second_service(&engine);
  ApiServer second(&second_service, {});
  ASSERT_TRUE(second.Start(path).ok());
  EXPECT_TRUE(ApiClient(path).Info().ok());
}

TEST(ApiServerStartTest, RefusesADirectoryOthersCanReach) {
  TempDir tmp;
  ASSERT_EQ(::chmod(tmp.path().c_str(), 0755), 0);
  FakeEngine engine;
  DriveService server_service(&engine);
  ApiServer server(&server_service, {});
  EXPECT_EQ(server.Start(tmp / "api.sock").code(), Code::kPermissionDenied);
}

TEST(ApiServerStartTest, RefusesOverlongSocketPaths) {
  TempDir tmp;
  FakeEngine engine;
  DriveService server_service(&engine);
  ApiServer server(&server_service, {});
  EXPECT_EQ(server.Start(tmp.path() + "/" + std::string(120, 's')).code(), Code::kNameTooLong);
}

TEST(ApiClientTest, UnreachableServerIsUnavailable) {
  ApiClient client("/nonexistent/reel/api.sock");
  auto r = client.Info();
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_NE(r.status().message().find("/nonexistent/reel/api.sock"), std::string::npos);
}

TEST(ApiClientTest, UrlEncodeEscapesEverythingButUnreserved) {
  EXPECT_EQ(UrlEncode("a b/c+d%e~f.g-h_i"), "a%20b%2Fc%2Bd%25e~f.g-h_i");
  EXPECT_EQ(UrlEncode("\xc3\xa9"), "%C3%A9");
}

}  // namespace
}  // namespace reel
