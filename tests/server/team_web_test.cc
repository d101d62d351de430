// The team server's side of the web app (server/routes_web.cc), on a real PostgreSQL and the
// real Ceph S3 gateway: a browser signs in with a token to a session cookie and out again; a
// change a cookie carries is refused from another origin or as a form; files, stat, versions
// and content by path as the member sees them, content by ranges, decrypted for an encrypted
// workspace; a version not uploaded yet is refused with why; no grant, no access.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "chunking/chunk_cipher.h"
#include "chunking/sha256.h"
#include "common/fs_util.h"
#include "remote/remote_catalog.h"
#include "store/chunk_keys.h"
#include "team_store_fixture.h"

namespace reel::testing {
namespace {

class TeamWebTest : public TeamServerWithStoreTest {
 protected:
  void SetUp() override {
    app_dir_ = std::filesystem::temp_directory_path() /
               ("reel-team-web-" + std::to_string(::getpid()));
    std::filesystem::create_directories(app_dir_);
    std::ofstream(app_dir_ / "index.html") << "<!doctype html><title>ReelDrive</title>";
    TeamServerWithStoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    origin_ = server_->url();
    host_ = origin_.substr(origin_.find("://") + 3);
  }
  void TearDown() override {
    TeamServerTest::TearDown();
    std::error_code ec;
    std::filesystem::remove_all(app_dir_, ec);
  }
  TeamServerOptions ServerOptions() override {
    TeamServerOptions o;
    o.stores = {{"cloud", store_uri_}};
    o.web_assets = app_dir_.string();
    return o;
  }

  // A browser's request: its Origin (the app's unless `origin`), and its cookie when signed in.
  httplib::Result Browser(const std::string& method, const std::string& target,
                          const std::string& cookie, const std::string& body = "",
                          const std::string& origin = "", const std::string& type =
                                                              "application/json") {
    httplib::Client c(origin_);
    httplib::Headers h{{"Origin", origin.empty() ? origin_ : origin},
                       {"Reel-Request-Id", "browser-" + std::to_string(++requests_)}};
    if (!cookie.empty()) h.emplace("Cookie", std::string("reel_session=") + cookie);
    if (method == "GET") return c.Get(target.c_str(), h);
    return c.Post(target.c_str(), h, body, type.c_str());
  }

  // Signs in with `token`; the session cookie's value ("" when refused).
  std::string SignIn(const std::string& token) {
    auto res = Browser("POST", "/v1/sign-in", "", json{{"token", token}}.dump());
    if (!res || res->status != 200) return "";
    const std::string set = res->get_header_value("Set-Cookie");
    const std::string prefix = "reel_session=";
    if (set.rfind(prefix, 0) != 0) return "";
    return set.substr(prefix.size(), set.find(';') - prefix.size());
  }

  // A file `path` (its folders made) in `workspace` of `token`'s user, holding `content` in one
  // chunk; the chunk is put on the cloud store when `uploaded`: loose, or sealed with `cipher`
  // inside a pack (after other bytes), as a mount's uploads of an encrypted workspace are.
  void WriteFile(const std::string& token, const std::string& workspace, const std::string& path,
                 const std::string& content, bool uploaded = true,
                 std::shared_ptr<const ChunkCipher> cipher = nullptr) {
    RemoteCatalog catalog(OptionsFor(token), workspace);
    std::vector<uint8_t> bytes(content.begin(), content.end());
    const ChunkId id = cipher ? cipher->names().Of(bytes) : Sha256(bytes);
    InodeId parent = kRootInode;
    std::string rest = path;
    for (size_t slash; (slash = rest.find('/')) != std::string::npos;) {
      auto dir = catalog.Lookup(parent, rest.substr(0, slash));
      if (!dir.ok()) {
        dir = catalog.CreateNode(parent, rest.substr(0, slash),
                                 NewNode{FileType::kDirectory, 0755, 0, 0, {}}, now_);
      }
      ASSERT_TRUE(dir.ok()) << dir.status().ToString();
      parent = dir->ino;
      rest = rest.substr(slash + 1);
    }
    auto file = catalog.CreateNode(parent, rest, NewNode{FileType::kRegular, 0644, 0, 0, {}},
                                   now_);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    NewVersion v;
    v.size = bytes.size();
    v.chunks = {ChunkRef{id, static_cast<uint32_t>(bytes.size())}};
    auto made = catalog.CommitVersion(file->ino, v, now_);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    if (!uploaded) return;
    if (!cipher) {
      ASSERT_OK(direct_->Put(ChunkKey(id), bytes));
      ASSERT_OK(catalog.AddChunkTiers({id}, kTierCloud));
      return;
    }
    std::vector<uint8_t> pack = bytes;
    pack.insert(pack.begin(), 100, 0xee);  // another member's bytes first
    ASSERT_OK(cipher->SealTail(id, bytes.size(), &pack));
    const std::string key = "packs/7a/7a" + std::string(30, '0');
    ASSERT_OK(direct_->Put(key, pack));
    ASSERT_OK(catalog.RecordPackUpload(kTierCloud, key,
                                       {PackMember{id, 100, static_cast<uint32_t>(pack.size() - 100)}}));
  }

  std::filesystem::path app_dir_;
  std::string origin_, host_;
  int requests_ = 0;
};

TEST_F(TeamWebTest, ABrowserSignsInWithATokenToASessionOfItsOwnAndOutAgain) {
  auto bad = Browser("POST", "/v1/sign-in", "", json{{"token", "reel_not-a-token"}}.dump());
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  EXPECT_FALSE(bad->has_header("Set-Cookie"));
  // Not from the app's own page: refused, whatever the token.
  auto elsewhere = Browser("POST", "/v1/sign-in", "", json{{"token", alice_}}.dump(),
                           "http://evil.example");
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->status, 403);

  auto res = Browser("POST", "/v1/sign-in", "", json{{"token", alice_}}.dump());
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["user"], "alice");
  const std::string set = res->get_header_value("Set-Cookie");
  EXPECT_NE(set.find("HttpOnly"), std::string::npos) << set;
  EXPECT_NE(set.find("SameSite=Strict"), std::string::npos) << set;
  const std::string cookie = SignIn(alice_);
  ASSERT_FALSE(cookie.empty());
  EXPECT_NE(cookie, alice_);  // a token of its own, not the one typed in

  auto me = Browser("GET", "/v1/me", cookie);
  ASSERT_TRUE(me);
  ASSERT_EQ(me->status, 200) << me->body;
  EXPECT_EQ(json::parse(me->body)["user"], "alice");
  EXPECT_EQ(Browser("GET", "/v1/me", "")->status, 401);

  // Another site's form cannot sign the browser out, nor clear its cookie.
  auto forged = Browser("POST", "/v1/sign-out", cookie, "{}", "http://evil.example");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403);
  EXPECT_FALSE(forged->has_header("Set-Cookie"));
  EXPECT_EQ(Browser("GET", "/v1/me", cookie)->status, 200);

  auto out = Browser("POST", "/v1/sign-out", cookie, "{}");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 200);
  EXPECT_NE(out->get_header_value("Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(Browser("GET", "/v1/me", cookie)->status, 401);
  // The token typed in still works: signing out ended the browser's session only.
  EXPECT_EQ(Raw("GET", "/v1/me", "", As(alice_))->status, 200);
}

TEST_F(TeamWebTest, ABrowsersChangeIsRefusedFromAnotherOriginOrAsAForm) {
  const std::string cookie = SignIn(alice_);
  ASSERT_FALSE(cookie.empty());
  const std::string body = json{{"name", "show"}}.dump();
  auto cross = Browser("POST", "/v1/workspaces", cookie, body, "http://evil.example");
  ASSERT_TRUE(cross);
  EXPECT_EQ(cross->status, 403) << cross->body;
  auto form = Browser("POST", "/v1/workspaces", cookie, "name=show", "",
                      "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 400) << form->body;
  EXPECT_EQ(NamesOf(alice_), std::vector<std::string>{"alice:admin"});  // nothing was made
  auto own = Browser("POST", "/v1/workspaces", cookie, body);
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 200) << own->body;
  EXPECT_EQ(NamesOf(alice_), (std::vector<std::string>{"alice:admin", "show:admin"}));
}

TEST_F(TeamWebTest, FilesStatVersionsAndContentByPathWithRanges) {
  WriteFile(alice_, "alice", "shots/take1.txt", "hello from the web");
  const std::string cookie = SignIn(alice_);
  auto files = Browser("GET", "/v1/workspaces/alice/files?path=shots", cookie);
  ASSERT_TRUE(files);
  ASSERT_EQ(files->status, 200) << files->body;
  json listing = json::parse(files->body);
  ASSERT_EQ(listing["entries"].size(), 1u);
  EXPECT_EQ(listing["entries"][0]["name"], "take1.txt");
  EXPECT_EQ(listing["entries"][0]["size"], 18);
  EXPECT_EQ(listing["entries"][0]["version"], 1);
  EXPECT_EQ(listing["entries"][0]["user"], "alice");  // who made the version shown

  auto stat = Browser("GET", "/v1/workspaces/alice/stat?path=shots/take1.txt", cookie);
  ASSERT_TRUE(stat);
  ASSERT_EQ(stat->status, 200) << stat->body;
  EXPECT_EQ(json::parse(stat->body)["path"], "shots/take1.txt");
  EXPECT_EQ(json::parse(stat->body)["user"], "alice");
  auto versions = Browser("GET", "/v1/workspaces/alice/versions?path=shots/take1.txt", cookie);
  ASSERT_TRUE(versions);
  ASSERT_EQ(versions->status, 200) << versions->body;
  json vs = json::parse(versions->body)["versions"];
  ASSERT_EQ(vs.size(), 1u);
  EXPECT_EQ(vs[0]["author"], "alice");

  auto content = Browser("GET", "/v1/workspaces/alice/content?path=shots/take1.txt", cookie);
  ASSERT_TRUE(content);
  ASSERT_EQ(content->status, 200) << content->body;
  EXPECT_EQ(content->body, "hello from the web");
  EXPECT_EQ(content->get_header_value("Content-Security-Policy"), "default-src 'none'; sandbox");
  httplib::Client c(origin_);
  auto part = c.Get("/v1/workspaces/alice/content?path=shots/take1.txt&version=1",
                    {{"Cookie", "reel_session=" + cookie}, {"Range", "bytes=11-99"}});
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, "the web");
  auto past = c.Get("/v1/workspaces/alice/content?path=shots/take1.txt",
                    {{"Cookie", "reel_session=" + cookie}, {"Range", "bytes=50-"}});
  ASSERT_TRUE(past);
  EXPECT_EQ(past->status, 416);

  auto missing = Browser("GET", "/v1/workspaces/alice/stat?path=shots/nope", cookie);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto escape = Browser("GET", "/v1/workspaces/alice/files?path=..", cookie);
  ASSERT_TRUE(escape);
  EXPECT_EQ(escape->status, 400);
}

// A browser's change: POST with the app's Origin, the session cookie and request id `id`.
TEST_F(TeamWebTest, FoldersMovesDeletesTheTrashRestoresAndCheckpointsByPath) {
  WriteFile(alice_, "alice", "shots/take1.txt", "first take");
  const std::string cookie = SignIn(alice_);
  auto post = [&](const std::string& route, const json& body, const std::string& id) {
    httplib::Client c(origin_);
    return c.Post(("/v1/workspaces/alice/" + route).c_str(),
                  {{"Origin", origin_}, {"Cookie", "reel_session=" + cookie},
                   {"Reel-Request-Id", id}},
                  body.dump(), "application/json");
  };
  auto names = [&](const std::string& path) {
    auto res = Browser("GET", "/v1/workspaces/alice/files?path=" + path, cookie);
    std::vector<std::string> out;
    if (res && res->status == 200) {
      const json listing = json::parse(res->body);
      for (const json& e : listing["entries"]) out.push_back(e["name"]);
    }
    return out;
  };

  auto made = post("folders", {{"path", "shots/new"}}, "web-folder-0001");
  ASSERT_TRUE(made);
  ASSERT_EQ(made->status, 200) << made->body;
  EXPECT_EQ(json::parse(made->body)["path"], "shots/new");
  // A retry with the same id answers the same and makes nothing more; a new id finds it taken.
  auto again = post("folders", {{"path", "shots/new"}}, "web-folder-0001");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(again->body, made->body);
  EXPECT_EQ(post("folders", {{"path", "shots/new"}}, "web-folder-0002")->status, 409);
  EXPECT_EQ(post("folders", {{"path", "nope/new"}}, "web-folder-0003")->status, 404);
  EXPECT_EQ(post("folders", {{"path", "../x"}}, "web-folder-0004")->status, 400);
  EXPECT_EQ(names("shots"), (std::vector<std::string>{"take1.txt", "new"}));  // made in order

  // A move never replaces.
  auto moved = post("move", {{"from", "shots/take1.txt"}, {"to", "shots/new/take1.txt"}},
                    "web-move-0001");
  ASSERT_TRUE(moved);
  ASSERT_EQ(moved->status, 200) << moved->body;
  EXPECT_EQ(json::parse(moved->body)["path"], "shots/new/take1.txt");
  WriteFile(alice_, "alice", "shots/other.txt", "other");
  EXPECT_EQ(post("move", {{"from", "shots/other.txt"}, {"to", "shots/new/take1.txt"}},
                 "web-move-0002")->status, 409);

  // Restore and checkpoint: new versions of the content asked for, the caller's.
  auto restored = post("restore", {{"path", "shots/new/take1.txt"}, {"version", 1}},
                       "web-restore-0001");
  ASSERT_TRUE(restored);
  ASSERT_EQ(restored->status, 200) << restored->body;
  json v = json::parse(restored->body);
  EXPECT_EQ(v["number"], 2);
  EXPECT_EQ(v["kind"], "restore");
  EXPECT_EQ(v["author"], "alice");
  EXPECT_EQ(post("restore", {{"path", "shots/new/take1.txt"}, {"version", 9}},
                 "web-restore-0002")->status, 404);
  auto saved = post("save", {{"path", "shots/new/take1.txt"}, {"message", "for review"}},
                    "web-save-0001");
  ASSERT_TRUE(saved);
  ASSERT_EQ(saved->status, 200) << saved->body;
  EXPECT_EQ(json::parse(saved->body)["kind"], "checkpoint");
  EXPECT_EQ(json::parse(saved->body)["message"], "for review");
  auto content = Browser("GET", "/v1/workspaces/alice/content?path=shots/new/take1.txt&version=3",
                         cookie);
  ASSERT_TRUE(content);
  EXPECT_EQ(content->body, "first take");

  // A folder deleted with everything in it: its files into the trash, then one back.
  auto deleted = post("delete", {{"path", "shots"}}, "web-delete-0001");
  ASSERT_TRUE(deleted);
  ASSERT_EQ(deleted->status, 200) << deleted->body;
  EXPECT_EQ(json::parse(deleted->body), json::parse(R"({"trashed":2,"removed":2})"));
  EXPECT_EQ(names(""), std::vector<std::string>{});
  auto trash = Browser("GET", "/v1/workspaces/alice/trash", cookie);
  ASSERT_TRUE(trash);
  uint64_t id = 0;
  const json entries = json::parse(trash->body);
  for (const json& e : entries["entries"]) {
    if (e["original_path"] == "shots/new/take1.txt") id = e["id"];
  }
  ASSERT_NE(id, 0u) << trash->body;
  auto back = post("trash/restore", {{"id", id}}, "web-trash-0001");
  ASSERT_TRUE(back);
  ASSERT_EQ(back->status, 200) << back->body;
  EXPECT_EQ(json::parse(back->body)["path"], "shots/new/take1.txt");
  EXPECT_EQ(names("shots/new"), std::vector<std::string>{"take1.txt"});
  auto versions = Browser("GET", "/v1/workspaces/alice/versions?path=shots/new/take1.txt", cookie);
  EXPECT_EQ(json::parse(versions->body)["versions"].size(), 3u);  // its history came back too

  // A reader changes nothing.
  ASSERT_OK(ClientFor(alice_).Grant("alice", "bob", "reader"));
  const std::string bob = SignIn(bob_);
  httplib::Client c(origin_);
  auto refused = c.Post("/v1/workspaces/alice/folders",
                        {{"Origin", origin_}, {"Cookie", "reel_session=" + bob},
                         {"Reel-Request-Id", "web-folder-bob1"}},
                        R"({"path":"bobs"})", "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403) << refused->body;
  EXPECT_EQ(names("").size(), 1u);
  // Whatever the change names: a trash entry that is not there is still a 403 to a reader.
  auto nothing = c.Post("/v1/workspaces/alice/trash/restore",
                        {{"Origin", origin_}, {"Cookie", "reel_session=" + bob},
                         {"Reel-Request-Id", "web-trash-bob1"}},
                        R"({"id":999})", "application/json");
  ASSERT_TRUE(nothing);
  EXPECT_EQ(nothing->status, 403) << nothing->body;
}

TEST_F(TeamWebTest, StorageCountsTheWorkspacesFilesVersionsAndChunksPerTier) {
  WriteFile(alice_, "alice", "a/one.txt", "one on the cloud");
  WriteFile(alice_, "alice", "a/two.txt", "one on the cloud");  // the same chunk
  WriteFile(alice_, "alice", "local.txt", "only here", /*uploaded=*/false);
  ASSERT_OK(ClientFor(bob_).CreateWorkspace("other").status());
  WriteFile(bob_, "other", "b.txt", "not alice's");
  auto res = Browser("GET", "/v1/workspaces/alice/storage", SignIn(alice_));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json s = json::parse(res->body);
  EXPECT_EQ(s["files"], 3);
  EXPECT_EQ(s["bytes"], 16 + 16 + 9);
  EXPECT_EQ(s["versions"], 3);
  EXPECT_EQ(s["chunks"], 2);
  EXPECT_EQ(s["chunk_bytes"], 16 + 9);
  EXPECT_EQ(s["tiers"]["cloud"]["chunks"], 1);
  EXPECT_EQ(s["tiers"]["cloud"]["bytes"], 16);
  EXPECT_FALSE(s["tiers"].contains("edge"));  // the server has no edge tier
  EXPECT_EQ(Browser("GET", "/v1/workspaces/other/storage", SignIn(alice_))->status, 403);
}

TEST_F(TeamWebTest, AnEncryptedWorkspacesContentIsOpenedWithItsKey) {
  ASSERT_OK(ClientFor(alice_).CreateWorkspace("vault", /*encrypted=*/true).status());
  auto w = team_->FindWorkspace("vault");
  ASSERT_TRUE(w.ok());
  auto key = team_->WorkspaceKey(w->id);
  ASSERT_TRUE(key.ok());
  auto cipher = ChunkCipher::FromWorkspaceKey(*key);
  ASSERT_TRUE(cipher.ok());
  WriteFile(alice_, "vault", "secret.txt", "sealed on the store", true, *cipher);
  auto content = Browser("GET", "/v1/workspaces/vault/content?path=secret.txt", SignIn(alice_));
  ASSERT_TRUE(content);
  ASSERT_EQ(content->status, 200) << content->body;
  EXPECT_EQ(content->body, "sealed on the store");
}

// Width and height of a PNG (its IHDR), or {0, 0} for anything else.
std::pair<uint32_t, uint32_t> PngSize(const std::string& png) {
  if (png.size() < 24 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return {0, 0};
  auto be32 = [&](size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(png[at + i]);
    return v;
  };
  return {be32(16), be32(20)};
}

TEST_F(TeamWebTest, AnExrFrameIsShownAsAPngThumbnailMadeByFfmpeg) {
  const std::string exr = app_dir_.string() + "/frame.exr";
  const std::string make = "ffmpeg -v error -y -f lavfi -i testsrc2=size=1024x576 -frames:v 1 " +
                           exr;
  ASSERT_EQ(std::system(make.c_str()), 0) << "ffmpeg is required (scripts/install-deps.sh --test)";
  auto frame = ReadWholeFile(exr);
  ASSERT_TRUE(frame.ok());
  WriteFile(alice_, "alice", "plates/frame.exr", *frame);
  WriteFile(alice_, "alice", "plates/not-a-frame.exr", "no pixels here");
  const std::string cookie = SignIn(alice_);
  auto thumb = Browser("GET", "/v1/workspaces/alice/thumbnail?path=plates/frame.exr&version=1",
                       cookie);
  ASSERT_TRUE(thumb);
  ASSERT_EQ(thumb->status, 200) << thumb->body;
  EXPECT_EQ(thumb->get_header_value("Content-Type"), "image/png");
  EXPECT_EQ(PngSize(thumb->body), (std::pair<uint32_t, uint32_t>{512, 288}));  // a side <= 512
  auto bad = Browser("GET", "/v1/workspaces/alice/thumbnail?path=plates/not-a-frame.exr", cookie);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("ffmpeg cannot make a thumbnail of not-a-frame.exr"), std::string::npos)
      << bad->body;
  auto stranger = Browser("GET", "/v1/workspaces/alice/thumbnail?path=plates/frame.exr",
                          SignIn(bob_));
  ASSERT_TRUE(stranger);
  EXPECT_EQ(stranger->status, 403);
}

TEST_F(TeamWebTest, AVersionNotUploadedYetIsRefusedSayingWhy) {
  WriteFile(alice_, "alice", "local.txt", "only on the machine that wrote it", false);
  auto content = Browser("GET", "/v1/workspaces/alice/content?path=local.txt", SignIn(alice_));
  ASSERT_TRUE(content);
  EXPECT_EQ(content->status, 409) << content->body;
  EXPECT_NE(content->body.find("not on the edge or cloud tier yet"), std::string::npos)
      << content->body;
}

TEST_F(TeamWebTest, NoGrantNoAccess) {
  WriteFile(alice_, "alice", "mine.txt", "alice's");
  const std::string bob = SignIn(bob_);
  for (const char* target : {"/v1/workspaces/alice", "/v1/workspaces/alice/files?path=",
                             "/v1/workspaces/alice/stat?path=mine.txt",
                             "/v1/workspaces/alice/versions?path=mine.txt",
                             "/v1/workspaces/alice/content?path=mine.txt"}) {
    auto res = Browser("GET", target, bob);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 403) << target << ": " << res->body;
    EXPECT_EQ(res->body.find("alice's"), std::string::npos);
  }
  auto users = Browser("GET", "/v1/users", bob);
  ASSERT_TRUE(users);
  ASSERT_EQ(users->status, 200);
  EXPECT_EQ(json::parse(users->body)["users"].size(), 3u);
}

TEST_F(TeamWebTest, TheAppIsServedUnderItsPolicy) {
  auto page = Browser("GET", "/", "");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("ReelDrive"), std::string::npos);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"),
            std::string::npos);
  auto health = Browser("GET", "/v1/health", "");
  ASSERT_TRUE(health);
  EXPECT_EQ(json::parse(health->body)["server"], "team");
}

}  // namespace
}  // namespace reel::testing
