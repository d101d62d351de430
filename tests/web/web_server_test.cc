// The web front end over a real engine (sqlite::memory: + memory://), called over HTTP as a
// browser calls it: sign-in links, sessions, the origin and host checks, and the /v1/ routes.
#include "common/fs_util.h"
#include "web/web_server.h"

#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/error_mapping.h"
#include "service/drive_service.h"
#include "testing/memory_engine.h"
#include "web/web_sessions.h"

namespace reel {
namespace {

using nlohmann::json;

class WebServerTest : public testing::MemoryEngineTest {
 protected:
  void SetUp() override {
    MemoryEngineTest::SetUp();
    if (HasFatalFailure()) return;
    service_ = std::make_unique<DriveService>(engine_.get());
    WebServerOptions o;
    o.workspace = "studio";
    o.user = "alice";
    auto started = WebServer::Start(service_.get(), o);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    web_ = std::move(started).value();
    client_ = std::make_unique<httplib::Client>(web_->origin());
  }

  void TearDown() override {
    web_.reset();
    MemoryEngineTest::TearDown();
  }

  // Signs in with a fresh link; returns the Cookie header value.
  std::string SignIn() {
    const std::string link = web_->NewSignInLink();
    auto res = client_->Get(link.substr(web_->origin().size()));
    EXPECT_TRUE(res);
    if (!res) return "";
    EXPECT_EQ(res->status, 303);
    std::string cookie = res->get_header_value("Set-Cookie");
    return cookie.substr(0, cookie.find(';'));
  }

  httplib::Result Get(const std::string& target, const std::string& cookie,
                      httplib::Headers more = {}) {
    more.emplace("Cookie", cookie);
    return client_->Get(target, more);
  }

  httplib::Result Post(const std::string& target, const std::string& cookie, const json& body,
                       const std::string& origin) {
    httplib::Headers h{{"Cookie", cookie}};
    if (!origin.empty()) h.emplace("Origin", origin);
    return client_->Post(target, h, body.dump(), "application/json");
  }

  std::unique_ptr<DriveService> service_;
  std::unique_ptr<WebServer> web_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(WebServerTest, NothingButTheAppAndHealthWithoutSigningIn) {
  for (const char* target : {"/v1/me", "/v1/workspaces", "/v1/workspaces/studio/files?path=",
                             "/v1/workspaces/studio/content?path=a"}) {
    auto res = client_->Get(target);
    ASSERT_TRUE(res) << target;
    EXPECT_EQ(res->status, 401) << target;
    EXPECT_EQ(json::parse(res->body)["error"]["code"], "unauthenticated") << target;
  }
  auto bogus = client_->Get("/v1/me", {{"Cookie", "reel_session=" + std::string(64, 'a')}});
  ASSERT_TRUE(bogus);
  EXPECT_EQ(bogus->status, 401);
  auto health = client_->Get("/v1/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"),
            std::string::npos);
  EXPECT_EQ(page->get_header_value("X-Frame-Options"), "DENY");
}

TEST_F(WebServerTest, ASignInLinkWorksOnceAndSetsAStrictHttpOnlyCookie) {
  const std::string link = web_->NewSignInLink();
  ASSERT_TRUE(link.starts_with(web_->origin() + "/sign-in?code="));
  const std::string target = link.substr(web_->origin().size());
  auto first = client_->Get(target);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 303);
  EXPECT_EQ(first->get_header_value("Location"), "/");
  const std::string cookie = first->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("; HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("; SameSite=Strict"), std::string::npos) << cookie;
  auto me = Get("/v1/me", cookie.substr(0, cookie.find(';')));
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);
  EXPECT_EQ(json::parse(me->body)["user"], "alice");

  auto again = client_->Get(target);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 401);
  EXPECT_TRUE(again->get_header_value("Set-Cookie").empty());
  auto made_up = client_->Get("/sign-in?code=" + std::string(64, '0'));
  ASSERT_TRUE(made_up);
  EXPECT_EQ(made_up->status, 401);

  // Signing out ends the session.
  const std::string session = cookie.substr(0, cookie.find(';'));
  auto out = Post("/v1/sign-out", session, json::object(), web_->origin());
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 200);
  auto after = Get("/v1/me", session);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401);
}

TEST_F(WebServerTest, BrowsesPagesOfAFolderAndStatsAFile) {
  auto dir = engine_->MakeDir(kRootInode, "shots", 0755, ::geteuid(), ::getegid());
  ASSERT_TRUE(dir.ok());
  for (const char* name : {"a.exr", "b.exr", "c.exr"}) WriteFile(dir->ino, name, name);
  const std::string cookie = SignIn();

  auto ws = Get("/v1/workspaces", cookie);
  ASSERT_TRUE(ws);
  EXPECT_EQ(json::parse(ws->body)["workspaces"][0]["name"], "studio");

  std::vector<std::string> names;
  std::string after = "0";
  for (int page = 0; page < 3 && !after.empty(); ++page) {
    auto res = Get("/v1/workspaces/studio/files?path=shots&limit=2&after=" + after, cookie);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    json j = json::parse(res->body);
    EXPECT_EQ(j["path"], "shots");
    for (const json& e : j["entries"]) {
      names.push_back(e["name"]);
      EXPECT_EQ(e["type"], "file");
      EXPECT_EQ(e["size"], 5);
      EXPECT_EQ(e["uid"], ::geteuid());
    }
    after = j["next"].is_null() ? "" : std::to_string(j["next"].get<uint64_t>());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"a.exr", "b.exr", "c.exr"}));

  // A browser accepts Brotli and gzip; it gets gzip (httplib's Brotli is 100 times slower).
  auto zipped = Get("/v1/workspaces/studio/files?path=shots", cookie,
                    {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(zipped);
  EXPECT_EQ(zipped->status, 200);
  EXPECT_EQ(zipped->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(json::parse(zipped->body)["entries"].size(), 3u);

  auto root = Get("/v1/workspaces/studio/files?path=", cookie);
  ASSERT_TRUE(root);
  json r = json::parse(root->body);
  ASSERT_EQ(r["entries"].size(), 1u);  // not .reel
  EXPECT_EQ(r["entries"][0]["name"], "shots");
  EXPECT_EQ(r["entries"][0]["type"], "directory");

  auto stat = Get("/v1/workspaces/studio/stat?path=shots/b.exr", cookie);
  ASSERT_TRUE(stat);
  ASSERT_EQ(stat->status, 200) << stat->body;
  json s = json::parse(stat->body);
  EXPECT_EQ(s["name"], "b.exr");
  EXPECT_EQ(s["path"], "shots/b.exr");

  auto of_file = Get("/v1/workspaces/studio/files?path=shots/a.exr", cookie);
  ASSERT_TRUE(of_file);
  EXPECT_EQ(of_file->status, ToHttpStatus(Code::kNotDirectory));
}

TEST_F(WebServerTest, ContentOfAnyVersionWithRangesAndARestoreFromTheAppsOrigin) {
  WriteFile(kRootInode, "take.mov", "version one bytes");
  ASSERT_TRUE(service_->Sync().ok());
  WriteFile(kRootInode, "take.mov", "second");
  ASSERT_TRUE(service_->Sync().ok());
  const std::string cookie = SignIn();

  auto current = Get("/v1/workspaces/studio/content?path=take.mov", cookie);
  ASSERT_TRUE(current);
  EXPECT_EQ(current->status, 200);
  EXPECT_EQ(current->body, "second");
  EXPECT_EQ(current->get_header_value("Content-Type"), "video/quicktime");
  // The sandbox policy in place of the app's, not beside it.
  EXPECT_EQ(current->get_header_value_count("Content-Security-Policy"), 1u);
  EXPECT_EQ(current->get_header_value("Content-Security-Policy"), "default-src 'none'; sandbox");
  auto v1 = Get("/v1/workspaces/studio/content?path=take.mov&version=1", cookie);
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->body, "version one bytes");
  auto range = Get("/v1/workspaces/studio/content?path=take.mov&version=1", cookie,
                   {{"Range", "bytes=8-10"}});
  ASSERT_TRUE(range);
  EXPECT_EQ(range->status, 206);
  EXPECT_EQ(range->body, "one");
  EXPECT_EQ(range->get_header_value("Content-Range"), "bytes 8-10/17");
  // Ranges past the end are cut to the file (a preview asks for 64 KiB of a small file).
  auto past_end = Get("/v1/workspaces/studio/content?path=take.mov&version=1", cookie,
                      {{"Range", "bytes=0-65535"}});
  ASSERT_TRUE(past_end);
  EXPECT_EQ(past_end->status, 206);
  EXPECT_EQ(past_end->body, "version one bytes");
  EXPECT_EQ(past_end->get_header_value("Content-Range"), "bytes 0-16/17");
  auto suffix = Get("/v1/workspaces/studio/content?path=take.mov&version=1", cookie,
                    {{"Range", "bytes=-5"}});
  ASSERT_TRUE(suffix);
  EXPECT_EQ(suffix->status, 206);
  EXPECT_EQ(suffix->body, "bytes");
  auto beyond = Get("/v1/workspaces/studio/content?path=take.mov&version=1", cookie,
                    {{"Range", "bytes=17-"}});
  ASSERT_TRUE(beyond);
  EXPECT_EQ(beyond->status, 416);
  EXPECT_EQ(beyond->get_header_value("Content-Range"), "bytes */17");
  auto download = Get("/v1/workspaces/studio/content?path=take.mov&version=2&download=1", cookie);
  ASSERT_TRUE(download);
  EXPECT_EQ(download->get_header_value("Content-Disposition"),
            "attachment; filename*=UTF-8''take.mov");
  auto missing = Get("/v1/workspaces/studio/content?path=take.mov&version=7", cookie);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(json::parse(missing->body)["error"]["message"],
            "take.mov has no version 7; it has versions 1-2: pick one of those");

  auto versions = Get("/v1/workspaces/studio/versions?path=take.mov", cookie);
  ASSERT_TRUE(versions);
  EXPECT_EQ(json::parse(versions->body)["versions"].size(), 2u);

  // A change without the app's Origin changes nothing.
  auto foreign = Post("/v1/workspaces/studio/restore", cookie, {{"path", "take.mov"}, {"version", 1}},
                      "http://evil.example");
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->status, 403);
  auto none = Post("/v1/workspaces/studio/restore", cookie, {{"path", "take.mov"}, {"version", 1}},
                   "");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 403);
  EXPECT_EQ(service_->Versions("take.mov")->size(), 2u);

  auto restored = Post("/v1/workspaces/studio/restore", cookie,
                       {{"path", "take.mov"}, {"version", 1}}, web_->origin());
  ASSERT_TRUE(restored);
  ASSERT_EQ(restored->status, 200) << restored->body;
  EXPECT_EQ(json::parse(restored->body)["number"], 3);
  EXPECT_EQ(Get("/v1/workspaces/studio/content?path=take.mov", cookie)->body, "version one bytes");

  auto saved = Post("/v1/workspaces/studio/save", cookie,
                    {{"path", "take.mov"}, {"message", "client review"}}, web_->origin());
  ASSERT_TRUE(saved);
  ASSERT_EQ(saved->status, 200) << saved->body;
  EXPECT_EQ(json::parse(saved->body)["kind"], "checkpoint");
  EXPECT_EQ(service_->Versions("take.mov")->back().message, "client review");
}

TEST_F(WebServerTest, ADpxFrameIsShownAsAPngThumbnail) {
  const std::string dpx = ::testing::TempDir() + "/reel-web-frame.dpx";
  const std::string make =
      "ffmpeg -v error -y -f lavfi -i testsrc2=size=640x360 -frames:v 1 " + dpx;
  ASSERT_EQ(std::system(make.c_str()), 0) << "ffmpeg is required (scripts/install-deps.sh --test)";
  auto frame = ReadWholeFile(dpx);
  std::remove(dpx.c_str());
  ASSERT_TRUE(frame.ok());
  WriteFile(kRootInode, "plate.dpx", *frame);
  ASSERT_TRUE(service_->Sync().ok());
  auto thumb = Get("/v1/workspaces/studio/thumbnail?path=plate.dpx&version=1", SignIn());
  ASSERT_TRUE(thumb);
  ASSERT_EQ(thumb->status, 200) << thumb->body;
  EXPECT_EQ(thumb->get_header_value("Content-Type"), "image/png");
  EXPECT_EQ(thumb->body.compare(0, 8, "\x89PNG\r\n\x1a\n"), 0);
  EXPECT_EQ(thumb->get_header_value("Cache-Control"), "private, max-age=31536000, immutable");
}

TEST_F(WebServerTest, PagesAndScriptsInTheDriveAreSentAsTextAndSandboxed) {
  WriteFile(kRootInode, "x.html", "<script>alert(1)</script>");
  const std::string cookie = SignIn();
  auto res = Get("/v1/workspaces/studio/content?path=x.html", cookie);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
  bool sandboxed = false;
  for (size_t i = 0; i < res->get_header_value_count("Content-Security-Policy"); ++i) {
    sandboxed = sandboxed ||
                res->get_header_value("Content-Security-Policy", i) == "default-src 'none'; sandbox";
  }
  EXPECT_TRUE(sandboxed);
}

TEST_F(WebServerTest, BadRequestsAreRefusedAndNameWhatIsWrong) {
  WriteFile(kRootInode, "a.txt", "a");
  const std::string cookie = SignIn();
  struct Case {
    std::string target;
    int status;
  };
  for (const Case& c : std::vector<Case>{
           {"/v1/workspaces/studio/files?path=../etc", 400},
           {"/v1/workspaces/studio/files?path=.reel", 400},
           {"/v1/workspaces/studio/files?path=&limit=0", 400},
           {"/v1/workspaces/studio/files?path=&limit=5001", 400},
           {"/v1/workspaces/studio/files?path=&after=-1", 400},
           {"/v1/workspaces/studio/files", 400},
           {"/v1/workspaces/studio/files?path=&color=red", 400},
           {"/v1/workspaces/studio/content?path=a.txt&version=x", 400},
           {"/v1/workspaces/studio/content?path=a.txt&version=0", 400},
           {"/v1/workspaces/studio/content?path=", 400},
           {"/v1/workspaces/studio/versions?path=nope.txt", 404},
           {"/v1/workspaces/other/files?path=", 404},
           {"/v1/nothing", 404},
       }) {
    auto res = Get(c.target, cookie);
    ASSERT_TRUE(res) << c.target;
    EXPECT_EQ(res->status, c.status) << c.target << ": " << res->body;
    EXPECT_TRUE(json::parse(res->body)["error"].contains("message")) << c.target;
  }
  // A drive without tiers has no tier controls, whatever is asked.
  auto placement = Get("/v1/workspaces/studio/placement?path=a.txt", cookie);
  ASSERT_TRUE(placement);
  EXPECT_EQ(placement->status, ToHttpStatus(Code::kNotSupported));
  auto bad_action = Post("/v1/workspaces/studio/place", cookie,
                         {{"path", "a.txt"}, {"action", "teleport"}}, web_->origin());
  ASSERT_TRUE(bad_action);
  EXPECT_EQ(bad_action->status, ToHttpStatus(Code::kNotSupported));
  auto badges = Post("/v1/workspaces/studio/placement", cookie, {{"paths", {"a.txt"}}},
                     web_->origin());
  ASSERT_TRUE(badges);
  EXPECT_EQ(badges->status, ToHttpStatus(Code::kNotSupported));
  // Another Host (a DNS-rebinding page) is refused even with a session.
  auto rebound = Get("/v1/me", cookie, {{"Host", "evil.example"}});
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 403);
  // A change must send JSON.
  auto text = client_->Post("/v1/workspaces/studio/save",
                            {{"Cookie", cookie}, {"Origin", web_->origin()}},
                            R"({"path":"a.txt"})", "text/plain");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->status, 400);
  auto unknown = Post("/v1/workspaces/studio/save", cookie, {{"path", "a.txt"}, {"when", 1}},
                      web_->origin());
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_EQ(service_->Versions("a.txt")->size(), 1u);
}

TEST_F(WebServerTest, UploadsInPiecesResumeFromWhatArrivedAndKeepAnExistingFilesHistory) {
  WriteFile(kRootInode, "plate.dpx", "old plate");
  ASSERT_TRUE(service_->Sync().ok());
  const std::string cookie = SignIn();
  const std::string origin = web_->origin();
  auto begun = Post("/v1/workspaces/studio/uploads", cookie,
                    {{"path", "plate.dpx"}, {"size", 11}}, origin);
  ASSERT_TRUE(begun);
  ASSERT_EQ(begun->status, 200) << begun->body;
  const std::string id = json::parse(begun->body)["id"];
  const std::string at = "/v1/workspaces/studio/uploads/" + id;
  httplib::Headers h{{"Cookie", cookie}, {"Origin", origin}};
  auto first = client_->Put(at + "?offset=0", h, "new ", "application/octet-stream");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(json::parse(first->body)["received"], 4);
  // A piece sent again (the answer was lost) or ahead is refused with what arrived.
  auto again = client_->Put(at + "?offset=0", h, "new ", "application/octet-stream");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);
  EXPECT_NE(json::parse(again->body)["error"]["message"].get<std::string>().find("has 4 bytes"),
            std::string::npos);
  auto as_json = client_->Put(at + "?offset=4", h, "plate", "application/json");
  ASSERT_TRUE(as_json);
  EXPECT_EQ(as_json->status, 400);
  auto resume = Get(at, cookie);
  ASSERT_TRUE(resume);
  EXPECT_EQ(json::parse(resume->body)["received"], 4);
  auto early = Post(at + "/finish", cookie, json::object(), origin);
  ASSERT_TRUE(early);
  EXPECT_EQ(early->status, 409);
  auto rest = client_->Put(at + "?offset=4", h, "plate!!", "application/octet-stream");
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->status, 200) << rest->body;
  auto too_much = client_->Put(at + "?offset=11", h, "x", "application/octet-stream");
  ASSERT_TRUE(too_much);
  EXPECT_EQ(too_much->status, 400);
  auto done = Post(at + "/finish", cookie, json::object(), origin);
  ASSERT_TRUE(done);
  ASSERT_EQ(done->status, 200) << done->body;
  EXPECT_EQ(json::parse(done->body)["size"], 11);
  EXPECT_EQ(Get("/v1/workspaces/studio/content?path=plate.dpx", cookie)->body, "new plate!!");
  auto versions = service_->Versions("plate.dpx");
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);  // the old plate's version first
  EXPECT_EQ((*versions)[0].size, 9u);
  EXPECT_EQ(Get(at, cookie)->status, 404);  // finished
  auto listing = json::parse(Get("/v1/workspaces/studio/files?path=", cookie)->body);
  EXPECT_EQ(listing["entries"].size(), 1u);  // no part file left

  // An upload abandoned leaves nothing behind.
  auto other = Post("/v1/workspaces/studio/uploads", cookie, {{"path", "b.bin"}, {"size", 3}},
                    origin);
  ASSERT_TRUE(other);
  const std::string other_at =
      "/v1/workspaces/studio/uploads/" + json::parse(other->body)["id"].get<std::string>();
  ASSERT_EQ(client_->Put(other_at + "?offset=0", h, "ab", "application/octet-stream")->status, 200);
  auto dropped = client_->Delete(other_at, h);
  ASSERT_TRUE(dropped);
  EXPECT_EQ(dropped->status, 200);
  listing = json::parse(Get("/v1/workspaces/studio/files?path=", cookie)->body);
  EXPECT_EQ(listing["entries"].size(), 1u);
  EXPECT_EQ(Post("/v1/workspaces/studio/uploads", cookie, {{"path", "../x"}, {"size", 1}}, origin)
                ->status,
            400);
  // Errors name the file asked for, not the part file.
  auto nodir = Post("/v1/workspaces/studio/uploads", cookie, {{"path", "nodir/x.txt"}, {"size", 1}},
                    origin);
  ASSERT_TRUE(nodir);
  EXPECT_EQ(nodir->status, 404);
  const std::string said = json::parse(nodir->body)["error"]["message"];
  EXPECT_TRUE(said.starts_with("nodir/x.txt: ")) << said;
  EXPECT_EQ(said.find(".part"), std::string::npos) << said;
  // An empty file: no bytes to send, and no version (number 0) once made.
  auto empty = Post("/v1/workspaces/studio/uploads", cookie, {{"path", "empty.txt"}, {"size", 0}},
                    origin);
  ASSERT_TRUE(empty);
  ASSERT_EQ(empty->status, 200) << empty->body;
  auto made = Post("/v1/workspaces/studio/uploads/" +
                       json::parse(empty->body)["id"].get<std::string>() + "/finish",
                   cookie, json::object(), origin);
  ASSERT_TRUE(made);
  ASSERT_EQ(made->status, 200) << made->body;
  EXPECT_EQ(json::parse(made->body)["number"], 0);
  EXPECT_EQ(service_->Stat("empty.txt")->size, 0u);
}

TEST_F(WebServerTest, FoldersMovesDeletesIntoTheTrashAndBackWithTheFeedTellingEachChange) {
  const std::string cookie = SignIn();
  const std::string origin = web_->origin();
  auto feed = json::parse(Get("/v1/workspaces/studio/events?after=0", cookie)->body);
  const uint64_t start = feed["newest"];
  auto made = Post("/v1/workspaces/studio/folders", cookie, {{"path", "shots"}}, origin);
  ASSERT_TRUE(made);
  ASSERT_EQ(made->status, 200) << made->body;
  EXPECT_EQ(json::parse(made->body)["type"], "directory");
  EXPECT_EQ(Post("/v1/workspaces/studio/folders", cookie, {{"path", "shots"}}, origin)->status, 409);
  auto dir = engine_->Lookup(kRootInode, "shots");
  ASSERT_TRUE(dir.ok());
  WriteFile(dir->ino, "a.exr", "a");
  auto moved = Post("/v1/workspaces/studio/move", cookie,
                    {{"from", "shots/a.exr"}, {"to", "shots/b.exr"}}, origin);
  ASSERT_TRUE(moved);
  ASSERT_EQ(moved->status, 200) << moved->body;
  EXPECT_EQ(json::parse(moved->body)["name"], "b.exr");
  auto gone = Post("/v1/workspaces/studio/delete", cookie, {{"path", "shots"}}, origin);
  ASSERT_TRUE(gone);
  ASSERT_EQ(gone->status, 200) << gone->body;
  EXPECT_EQ(json::parse(gone->body), (json{{"trashed", 1}, {"removed", 1}}));
  auto trash = json::parse(Get("/v1/workspaces/studio/trash", cookie)->body);
  ASSERT_EQ(trash["entries"].size(), 1u);
  EXPECT_EQ(trash["entries"][0]["original_path"], "shots/b.exr");
  auto back = Post("/v1/workspaces/studio/trash/restore", cookie,
                   {{"id", trash["entries"][0]["id"]}}, origin);
  ASSERT_TRUE(back);
  ASSERT_EQ(back->status, 200) << back->body;
  EXPECT_EQ(json::parse(back->body)["path"], "shots/b.exr");
  EXPECT_EQ(Get("/v1/workspaces/studio/content?path=shots/b.exr", cookie)->body, "a");

  auto page = Get("/v1/workspaces/studio/events?after=" + std::to_string(start), cookie);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200) << page->body;
  const json events = json::parse(page->body)["events"];
  std::vector<std::string> kinds;
  for (const json& e : events) kinds.push_back(e["kind"]);
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "renamed"), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "trashed"), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "restored"), kinds.end());
  EXPECT_EQ(Get("/v1/workspaces/studio/events?after=0&wait=99", cookie)->status, 400);
}

TEST(WebServerStartTest, RefusesToListenBeyondLoopback) {
  WebServerOptions o;
  o.listen = "0.0.0.0:0";
  auto started = WebServer::Start(nullptr, o);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), Code::kInvalidArgument);
  EXPECT_NE(started.status().message().find("loopback"), std::string::npos);
}

TEST(WebSessionsTest, CodesExpireAndSessionsEndWhenIdle) {
  int64_t now = 1'000'000'000;
  WebSessionLimits limits;
  limits.code_ttl_ns = 100;
  limits.session_idle_ns = 1000;
  WebSessions sessions([&now] { return now; }, limits);
  const std::string late = sessions.NewSignInCode();
  now += 101;
  EXPECT_EQ(sessions.Redeem(late).status().code(), Code::kUnauthenticated);
  const std::string code = sessions.NewSignInCode();
  EXPECT_EQ(code.size(), 64u);
  auto session = sessions.Redeem(code);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(sessions.Redeem(code).status().code(), Code::kUnauthenticated);  // spent
  now += 900;
  EXPECT_TRUE(sessions.Check(*session).ok());  // used: idle time starts again
  now += 900;
  EXPECT_TRUE(sessions.Check(*session).ok());
  now += 1001;
  EXPECT_EQ(sessions.Check(*session).code(), Code::kUnauthenticated);
  EXPECT_EQ(sessions.Check("short").code(), Code::kUnauthenticated);
}

}  // namespace
}  // namespace reel
