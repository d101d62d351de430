// Projections through the team server on a real PostgreSQL: files of one workspace made files of
// another with the same chunks (no bytes copied), by path, directory or glob, current or newest
// published versions; who may; what is refused; a retry answers what the first did.
#include "remote/remote_catalog.h"
#include "team_server_fixture.h"

namespace reel::testing {
namespace {

class ProjectionsTest : public TeamServerTest {
 protected:
  void SetUp() override {
    TeamServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    TeamClient alice = ClientFor(alice_);
    ASSERT_OK(alice.CreateWorkspace("show").status());
    ASSERT_OK(alice.CreateWorkspace("shot010").status());
    ASSERT_OK(alice.Grant("show", "bob", "reader"));
    ASSERT_OK(alice.Grant("shot010", "carol", "reader"));  // the render node's user
    // The render node sees whatever is projected into the shot once its bytes are on the cloud
    // tier, as the show's are here (docs/collaboration.md).
    ASSERT_OK(alice.SetWorkspace("shot010", json{{"share", "on-close"}}).status());
    RemoteCatalog show(OptionsFor(alice_), "show");
    shots_ = MakeDir(show, kRootInode, "shots");
    const InodeId s010 = MakeDir(show, shots_, "010"), s020 = MakeDir(show, shots_, "020");
    plate_ = File(show, s010, "plate.exr", {{{TestChunk(1), 100}, {TestChunk(2), 50}}});
    comp_ = File(show, s010, "comp.nk", {{}, {{TestChunk(3), 10}}});
    ASSERT_OK(show.MarkPublished(comp_, 1, now_));  // v1 published, v2 not
    File(show, s010, "notes.txt", {});               // no version yet
    File(show, s020, "plate.exr", {{{TestChunk(4), 7}}});
    ASSERT_OK(show.AddChunkTiers({TestChunk(1), TestChunk(2), TestChunk(3), TestChunk(4)},
                                 kTierCloud));
  }

  InodeId MakeDir(Catalog& c, InodeId parent, const std::string& name) {
    auto d = c.CreateNode(parent, name, NewNode{FileType::kDirectory, 0755, 0, 0, {}}, now_);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? d->ino : 0;
  }
  // A file with a version per entry of `versions`.
  InodeId File(Catalog& c, InodeId parent, const std::string& name,
               const std::vector<std::vector<ChunkRef>>& versions) {
    auto f = c.CreateNode(parent, name, NewNode{FileType::kRegular, 0640, 0, 0, {}}, now_);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    if (!f.ok()) return 0;
    for (const auto& chunks : versions) EXPECT_OK(c.CommitVersion(f->ino, VersionOf(chunks), now_).status());
    return f->ino;
  }
  // The chunks of the current version of PATH in workspace `ws` as `token` sees it.
  Result<std::vector<ChunkRef>> ChunksAt(const std::string& token, const std::string& ws,
                                         const std::string& path) {
    RemoteCatalog c(OptionsFor(token), ws);
    InodeId at = kRootInode;
    std::string rest = path;
    Attributes a;
    while (!rest.empty()) {
      const size_t slash = rest.find('/');
      REEL_ASSIGN_OR_RETURN(a, c.Lookup(at, rest.substr(0, slash)));
      at = a.ino;
      rest = slash == std::string::npos ? "" : rest.substr(slash + 1);
    }
    REEL_ASSIGN_OR_RETURN(Version v, c.GetVersion(a.ino, a.version));
    return v.chunks;
  }
  httplib::Result Post(const std::string& token, const std::string& dest, const json& body,
                       const std::string& id) {
    return Raw("POST", "/v1/workspaces/" + dest + "/projections", body.dump(), As(token, id));
  }

  InodeId shots_ = 0, plate_ = 0, comp_ = 0;
};

TEST_F(ProjectionsTest, FilesAreProjectedWithTheirChunksAndNoBytesCopied) {
  const json body{{"from", "show"}, {"paths", {"shots/010"}}};
  auto res = Post(alice_, "shot010", body, "r-project-0001");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json out = json::parse(res->body);
  EXPECT_EQ(out["files"], 2);
  EXPECT_EQ(out["bytes"], 160);
  EXPECT_EQ(out["skipped"], json::array({"shots/010/notes.txt: no version yet"}));
  ASSERT_OK_AND_ASSIGN(auto plate, ChunksAt(carol_, "shot010", "shots/010/plate.exr"));
  EXPECT_EQ(plate, (std::vector<ChunkRef>{{TestChunk(1), 100}, {TestChunk(2), 50}}));
  ASSERT_OK_AND_ASSIGN(auto comp, ChunksAt(carol_, "shot010", "shots/010/comp.nk"));
  EXPECT_EQ(comp, (std::vector<ChunkRef>{{TestChunk(3), 10}})) << "the current version";
  // The render node's user sees the projected shot and nothing of the show.
  RemoteCatalog render(OptionsFor(carol_), "shot010");
  ASSERT_OK_AND_ASSIGN(auto top, render.ReadDir(kRootInode, 0, 100));
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].name, "shots");
  EXPECT_CODE(ChunksAt(carol_, "show", "shots/020/plate.exr"), Code::kPermissionDenied);
  EXPECT_CODE(ChunksAt(carol_, "shot010", "shots/020/plate.exr"), Code::kNotFound);

  // A retry of the request answers the same and projects nothing twice.
  auto again = Post(alice_, "shot010", body, "r-project-0001");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, res->body);
  RemoteCatalog dest(OptionsFor(alice_), "shot010");
  ASSERT_OK_AND_ASSIGN(Attributes s, dest.Lookup(kRootInode, "shots"));
  ASSERT_OK_AND_ASSIGN(Attributes d, dest.Lookup(s.ino, "010"));
  ASSERT_OK_AND_ASSIGN(Attributes p, dest.Lookup(d.ino, "plate.exr"));
  ASSERT_OK_AND_ASSIGN(auto versions, dest.ListVersions(p.ino));
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].message, "projected from show/shots/010/plate.exr v1");
  EXPECT_EQ(p.mode & 07777, 0640u);

  // A new request projects again: a new version of the same file.
  ASSERT_TRUE(Post(alice_, "shot010", body, "r-project-0002"));
  ASSERT_OK_AND_ASSIGN(versions, dest.ListVersions(p.ino));
  EXPECT_EQ(versions.size(), 2u);
}

TEST_F(ProjectionsTest, GlobsPublishedVersionsAndADirectoryOfTheDestination) {
  const json body{{"from", "show"},
                  {"paths", {"shots/*/comp.nk", "shots/*/plate.exr"}},
                  {"into", "dailies/today"},
                  {"published_only", true}};
  auto res = Post(alice_, "shot010", body, "r-project-glob1");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json out = json::parse(res->body);
  EXPECT_EQ(out["files"], 1) << "only comp.nk has a published version";
  EXPECT_EQ(out["skipped"], json::array({"shots/010/plate.exr: nothing published",
                                         "shots/020/plate.exr: nothing published"}));
  ASSERT_OK_AND_ASSIGN(auto comp,
                       ChunksAt(alice_, "shot010", "dailies/today/shots/010/comp.nk"));
  EXPECT_TRUE(comp.empty()) << "version 1, the published one, is empty";
}

TEST_F(ProjectionsTest, APublishedSourceIsPublishedInTheDestinationAndTheRestIsTheProjectors) {
  ASSERT_OK(ClientFor(alice_).SetWorkspace("shot010", json{{"share", "on-publish"}}).status());
  auto res = Post(alice_, "shot010", json{{"from", "show"}, {"paths", {"shots/010"}}},
                  "r-project-pub1");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  // comp.nk's current version (2) is not published: the projected one is alice's until she
  // publishes it; carol sees the file empty. Projected with published_only, carol sees v1.
  EXPECT_CODE(ChunksAt(carol_, "shot010", "shots/010/comp.nk"), Code::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto mine, ChunksAt(alice_, "shot010", "shots/010/comp.nk"));
  EXPECT_EQ(mine, (std::vector<ChunkRef>{{TestChunk(3), 10}}));
  res = Post(alice_, "shot010",
             json{{"from", "show"}, {"paths", {"shots/010/comp.nk"}}, {"published_only", true}},
             "r-project-pub2");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  ASSERT_OK_AND_ASSIGN(auto theirs, ChunksAt(carol_, "shot010", "shots/010/comp.nk"));
  EXPECT_TRUE(theirs.empty()) << "the published version 1 of comp.nk, which is empty";
}

TEST_F(ProjectionsTest, BadOrUnauthorisedProjectionsAreRefusedAndChangeNothing) {
  ASSERT_OK(ClientFor(alice_).CreateWorkspace("vault", /*encrypted=*/true).status());
  struct Case {
    std::string token, dest;
    json body;
    int status;
  };
  const json ok_paths = json::array({"shots"});
  const std::vector<Case> cases = {
      {bob_, "shot010", {{"from", "show"}, {"paths", ok_paths}}, 403},    // no role in shot010
      {carol_, "shot010", {{"from", "show"}, {"paths", ok_paths}}, 403},  // a reader there
      {alice_, "shot010", {{"from", "nope"}, {"paths", ok_paths}}, 404},
      {alice_, "shot010", {{"from", "show"}, {"paths", json::array()}}, 400},
      {alice_, "shot010", {{"from", "show"}, {"paths", {"../etc"}}}, 400},
      {alice_, "shot010", {{"from", "show"}, {"paths", {"/shots"}}}, 400},
      {alice_, "shot010", {{"from", "show"}, {"paths", {1}}}, 400},
      {alice_, "shot010", {{"from", "show"}, {"paths", ok_paths}, {"into", "../x"}}, 400},
      {alice_, "shot010", {{"from", "show"}, {"paths", ok_paths}, {"published_only", 1}}, 400},
      {alice_, "shot010", {{"from", "show"}, {"paths", ok_paths}, {"colour", "red"}}, 400},
      {alice_, "shot010", {{"from", ".."}, {"paths", ok_paths}}, 400},
      {alice_, "vault", {{"from", "show"}, {"paths", ok_paths}}, 400},  // encrypted
  };
  for (const Case& c : cases) {
    auto res = Post(c.token, c.dest, c.body, "r-bad-proj-" + std::to_string(&c - cases.data()) + "x");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, c.status) << c.body.dump() << " " << res->body;
  }
  RemoteCatalog dest(OptionsFor(alice_), "shot010");
  ASSERT_OK_AND_ASSIGN(auto top, dest.ReadDir(kRootInode, 0, 100));
  EXPECT_TRUE(top.empty());
  // A destination name that is not a directory: nothing is projected (all or nothing).
  File(dest, kRootInode, "shots", {});
  auto res = Post(alice_, "shot010", {{"from", "show"}, {"paths", ok_paths}}, "r-proj-notdir");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  ASSERT_OK_AND_ASSIGN(top, dest.ReadDir(kRootInode, 0, 100));
  EXPECT_EQ(top.size(), 1u);
}

}  // namespace
}  // namespace reel::testing
