// A workspace's namespace through the team server (POST /v1/workspaces/NAME/catalog/CALL), made
// by the real remote catalog and by a raw HTTP client: what each role may do, that nothing crosses
// from one workspace to another, that the team's once-only work stays the server's, request ids
// applied once (on either of two servers), and bad calls refused with nothing changed. The
// catalog's own behaviour through the server is the shared catalog suite's (Remote backend).
#include <gtest/gtest.h>

#include "remote/remote_catalog.h"
#include "team_server_fixture.h"

namespace reel::testing {
namespace {

class TeamCatalogTest : public TeamServerTest {
 protected:
  void SetUp() override {
    TeamServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // alice's project "show": bob writes, carol reads.
    TeamClient alice = ClientFor(alice_);
    ASSERT_OK(alice.CreateWorkspace("show").status());
    ASSERT_OK(alice.Grant("show", "bob", "writer"));
    ASSERT_OK(alice.Grant("show", "carol", "reader"));
  }

  std::unique_ptr<Catalog> As(const std::string& token, const std::string& workspace,
                              const std::string& url = "") {
    return std::make_unique<RemoteCatalog>(OptionsFor(token, url), workspace);
  }

  static NewNode File() {
    NewNode n;
    n.mode = 0644;
    n.uid = 1000;
    n.gid = 1000;
    return n;
  }
  static NewNode Dir() {
    NewNode n = File();
    n.type = FileType::kDirectory;
    n.mode = 0755;
    return n;
  }

  static std::vector<std::string> Names(Catalog& c, InodeId dir = kRootInode) {
    std::vector<std::string> out;
    auto entries = c.ReadDir(dir, 0, 1000);
    EXPECT_TRUE(entries.ok()) << entries.status().ToString();
    if (entries.ok()) {
      for (const DirEntry& e : *entries) out.push_back(e.name);
    }
    return out;
  }

  // A raw catalog call on workspace "show" as alice.
  httplib::Result RawCall(const std::string& call, const std::string& body,
                          const std::string& request_id = "r-raw-00000001",
                          const std::string& url = "") {
    httplib::Client c(url.empty() ? server_->url() : url);
    return c.Post(("/v1/workspaces/show/catalog/" + call).c_str(),
                  TeamServerTest::As(alice_, request_id), body, "application/json");
  }

  TimeNs now_ns_ = kT0 + 10;
  TimeNs Now() { return now_ns_ += 1000; }
};

TEST_F(TeamCatalogTest, EachRoleMayDoWhatItAllowsAndNoMore) {
  auto alice = As(alice_, "show");
  auto bob = As(bob_, "show");
  auto carol = As(carol_, "show");
  ASSERT_OK_AND_ASSIGN(Attributes shot, alice->CreateNode(kRootInode, "shot.exr", File(), Now()));
  ASSERT_OK(bob->CreateNode(kRootInode, "notes.txt", File(), Now()).status());
  ASSERT_OK(bob->SetXattr(shot.ino, "user.status", "wip", false, false));

  // A reader reads everything and changes nothing.
  EXPECT_EQ(Names(*carol), (std::vector<std::string>{"shot.exr", "notes.txt"}));
  ASSERT_OK_AND_ASSIGN(Attributes seen, carol->Lookup(kRootInode, "shot.exr"));
  EXPECT_EQ(seen.ino, shot.ino);
  EXPECT_EQ(*carol->GetXattr(shot.ino, "user.status"), "wip");
  EXPECT_CODE(carol->CreateNode(kRootInode, "mine", File(), Now()), Code::kPermissionDenied);
  EXPECT_CODE(carol->Unlink(kRootInode, "shot.exr", Now()), Code::kPermissionDenied);
  EXPECT_CODE(carol->Rename(kRootInode, "shot.exr", kRootInode, "x", RenameMode::kReplace, Now()),
              Code::kPermissionDenied);
  EXPECT_CODE(carol->SetXattr(shot.ino, "user.status", "done", false, false),
              Code::kPermissionDenied);
  AttrUpdate chmod;
  chmod.mode = 0600;
  EXPECT_CODE(carol->SetAttributes(shot.ino, chmod, Now()), Code::kPermissionDenied);
  EXPECT_CODE(carol->CommitVersion(shot.ino, NewVersion{}, Now()), Code::kPermissionDenied);
  EXPECT_CODE(carol->RequestPublish(shot.ino, 1), Code::kPermissionDenied);
  EXPECT_EQ(Names(*alice), (std::vector<std::string>{"shot.exr", "notes.txt"}));
  EXPECT_EQ(*alice->GetXattr(shot.ino, "user.status"), "wip");
  EXPECT_EQ(alice->GetAttributes(shot.ino)->mode, 0644u);

  // Someone without a grant gets nothing, not even a lookup; an unknown workspace is NotFound.
  ASSERT_OK(team_->AddUser("dave", kT0));
  ASSERT_OK_AND_ASSIGN(IssuedToken dave_token, team_->CreateToken("dave", kT0, 0));
  auto dave = As(dave_token.secret, "show");
  EXPECT_CODE(dave->Lookup(kRootInode, "shot.exr"), Code::kPermissionDenied);
  EXPECT_CODE(dave->CreateNode(kRootInode, "in", File(), Now()), Code::kPermissionDenied);
  httplib::Client raw(server_->url());
  auto refused = raw.Post("/v1/workspaces/show/catalog/getattr",
                          TeamServerTest::As(dave_token.secret, "r-dave-0001"), R"({"ino":1})",
                          "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_CODE(As(alice_, "no-such-show")->GetAttributes(kRootInode), Code::kNotFound);
  EXPECT_CODE(As("reel_" + std::string(64, '1'), "show")->GetAttributes(kRootInode),
              Code::kUnauthenticated);
}

TEST_F(TeamCatalogTest, NothingCrossesFromOneWorkspaceToAnother) {
  auto show = As(alice_, "show");
  auto alice_home = As(alice_, "alice");
  auto bob_home = As(bob_, "bob");
  ASSERT_OK_AND_ASSIGN(Attributes dir, show->CreateNode(kRootInode, "shots", Dir(), Now()));
  ASSERT_OK_AND_ASSIGN(Attributes f, show->CreateNode(dir.ino, "f.exr", File(), Now()));
  ASSERT_OK_AND_ASSIGN(Attributes g, alice_home->CreateNode(kRootInode, "g.txt", File(), Now()));
  ASSERT_OK_AND_ASSIGN(UnlinkResult gone, alice_home->Unlink(kRootInode, "g.txt", Now()));
  ASSERT_TRUE(gone.trash_id.has_value());

  // Each workspace is a tree of its own, rooted at inode 1, with paths from its root.
  EXPECT_EQ(*show->PathOf(f.ino), "shots/f.exr");
  EXPECT_EQ(*show->PathOf(kRootInode), "");
  EXPECT_EQ(show->GetAttributes(kRootInode)->ino, kRootInode);
  EXPECT_EQ(Names(*show), std::vector<std::string>{"shots"});
  EXPECT_TRUE(Names(*bob_home).empty()) << "no other workspace shows in bob's";
  ASSERT_OK_AND_ASSIGN(auto alice_trash, alice_home->ListTrash());
  ASSERT_EQ(alice_trash.size(), 1u);
  EXPECT_EQ(alice_trash[0].original_path, "g.txt");
  EXPECT_TRUE(show->ListTrash()->empty()) << "alice's home trash is not the show's";

  // Bob, a writer of "show", cannot reach into alice's home, nor move show's files into his.
  EXPECT_CODE(bob_home->GetAttributes(f.ino), Code::kNotFound);
  EXPECT_CODE(bob_home->GetAttributes(g.ino), Code::kNotFound) << "a trashed file of alice's";
  EXPECT_CODE(bob_home->Lookup(dir.ino, "f.exr"), Code::kNotFound);
  EXPECT_CODE(bob_home->ReadDir(dir.ino, 0, 10), Code::kNotFound);
  EXPECT_CODE(bob_home->ListVersions(f.ino), Code::kNotFound);
  EXPECT_CODE(bob_home->PathOf(f.ino), Code::kNotFound);
  EXPECT_CODE(bob_home->Link(f.ino, kRootInode, "stolen", Now()), Code::kNotFound);
  EXPECT_CODE(bob_home->Rename(dir.ino, "f.exr", kRootInode, "stolen", RenameMode::kReplace, Now()),
              Code::kNotFound);
  EXPECT_CODE(bob_home->RestoreFromTrash(*gone.trash_id, kRootInode, "mine", Now()),
              Code::kNotFound);
  auto bob_show = As(bob_, "show");
  ASSERT_OK(
      bob_show->Rename(dir.ino, "f.exr", kRootInode, "x", RenameMode::kReplace, Now()).status());
  EXPECT_CODE(bob_show->Rename(kRootInode, "x", g.ino, "x", RenameMode::kReplace, Now()),
              Code::kNotFound)
      << "a file of alice's home is not a directory of the show";
  EXPECT_TRUE(Names(*bob_home).empty());
  EXPECT_EQ(alice_home->ListTrash()->size(), 1u);
}

TEST_F(TeamCatalogTest, TheTeamsOnceOnlyWorkStaysWithTheServer) {
  auto admin = As(alice_, "show");
  EXPECT_CODE(admin->PurgeTrash(kT0, {}, Now()), Code::kPermissionDenied);
  EXPECT_CODE(admin->ListUnreferencedChunks(kT0), Code::kPermissionDenied);
  EXPECT_CODE(admin->DeleteChunkIfUnreferenced(TestChunk(1)), Code::kPermissionDenied);
  EXPECT_CODE(admin->RemoveChunkLocations(TestChunk(1)), Code::kPermissionDenied);
  EXPECT_CODE(admin->ForEachChunk([](const ChunkRecord&) { return true; }),
              Code::kPermissionDenied);
  EXPECT_CODE(admin->SetDriveId("3b1f0c9e-8d7a-4f21-9c55-0a1b2c3d4e5f"), Code::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(CatalogStats counts, admin->Stats());
  EXPECT_GE(counts.directories, 5u) << "the team's: the root and four workspaces";
  EXPECT_CODE(admin->BackupTo("/tmp/reel-backup-refused.db"), Code::kNotSupported);
  EXPECT_OK(admin->Sync());
  EXPECT_EQ(*team_->catalog().GetDriveId(), "");
}

TEST_F(TeamCatalogTest, AChangeRetriedWithItsRequestIdIsAppliedOnceOnEitherServer) {
  auto second = StartServer(team_.get());
  ASSERT_NE(second, nullptr);
  const std::string body = R"({"parent":1,"name":"once.exr","now":1800000000000000100,)"
                           R"("node":{"type":"file","mode":420,"uid":1000,"gid":1000,)"
                           R"("symlink_target":"","rdev":0}})";
  auto first = RawCall("create", body, "r-create-000001");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  // The reply was lost; the client asks the other server with the same id.
  auto again = RawCall("create", body, "r-create-000001", second->url());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200) << again->body;
  EXPECT_EQ(json::parse(again->body)["ino"], json::parse(first->body)["ino"]);
  auto show = As(alice_, "show");
  EXPECT_EQ(Names(*show), std::vector<std::string>{"once.exr"});
  // The same id for another change is refused.
  auto other = RawCall("create",
                       R"({"parent":1,"name":"other","now":1,"node":{"type":"file",)"
                       R"("mode":420,"uid":0,"gid":0,"symlink_target":"","rdev":0}})",
                       "r-create-000001");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 400) << other->body;
  // A change that failed recorded nothing: its retry runs again.
  auto missing = RawCall("unlink", R"({"parent":1,"name":"later","now":1800000000000000200})",
                         "r-unlink-000001");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404) << missing->body;
  ASSERT_OK(show->CreateNode(kRootInode, "later", File(), Now()).status());
  auto retried = RawCall("unlink", R"({"parent":1,"name":"later","now":1800000000000000200})",
                         "r-unlink-000001", second->url());
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->status, 200) << retried->body;
  EXPECT_EQ(Names(*show), std::vector<std::string>{"once.exr"});
}

TEST_F(TeamCatalogTest, BadCallsGetAClear4xxAndChangeNothing) {
  const std::string node =
      R"({"type":"file","mode":420,"uid":0,"gid":0,"symlink_target":"","rdev":0})";
  auto create = [&](const std::string& name_json, const std::string& node_json) {
    return R"({"parent":1,"name":)" + name_json + R"(,"now":1,"node":)" + node_json + "}";
  };
  struct Case {
    std::string call, body;
    int status;
  };
  const std::vector<Case> cases = {
      {"format_disk", "{}", 404},
      {"Create", create("\"a\"", node), 404},
      {"create", "not json", 400},
      {"create", "[1,2]", 400},
      {"create", create("\"a\"", node).replace(1, 0, R"("extra":1,)"), 400},
      {"create", R"({"parent":1,"name":"a","now":1})", 400},
      {"create", create("\"a\"", node).replace(10, 1, "\"one\""), 400},
      {"create", create("\"..\"", node), 400},
      {"create", create("\"a/b\"", node), 400},
      {"create", create("\"a\\u0000b\"", node), 400},
      {"create", create(R"({"hex":"zz"})", node), 400},
      {"create", create(R"({"text":"a"})", node), 400},
      {"create", create("\"" + std::string(300, 'n') + "\"", node), 400},
      {"create",
       create("\"a\"",
              R"({"type":"weird","mode":420,"uid":0,"gid":0,"symlink_target":"","rdev":0})"),
       400},
      {"create",
       create(
           "\"a\"",
           R"({"type":"file","mode":420,"uid":0,"gid":0,"symlink_target":"","rdev":0,"setuid_root":true})"),
       400},
      {"readdir", R"({"parent":1,"after":0})", 400},
      {"set_xattr",
       R"({"ino":1,"name":"user.a","value_hex":"xyz","create_only":false,"replace_only":false})",
       400},
      {"commit",
       R"({"ino":1,"now":1,"version":{"size":5,"chunks":[],"kind":"autosave","message":"","mtime_ns":0,"commit_id":0}})",
       400},
  };
  int i = 0;
  for (const Case& c : cases) {
    auto res = RawCall(c.call, c.body, "r-bad-" + std::to_string(100000 + i++));
    ASSERT_TRUE(res) << c.call << " " << c.body;
    EXPECT_EQ(res->status, c.status) << c.call << " " << c.body << " -> " << res->body;
    EXPECT_EQ(ErrorCode(res).find("not a JSON error"), std::string::npos) << res->body;
  }
  auto oversize = RawCall("create", create("\"" + std::string(9 << 20, 'n') + "\"", node));
  ASSERT_TRUE(oversize);
  EXPECT_EQ(oversize->status, 413);
  httplib::Client raw(server_->url());
  auto no_id = raw.Post("/v1/workspaces/show/catalog/create", TeamServerTest::As(alice_),
                        create("\"a\"", node), "application/json");
  ASSERT_TRUE(no_id);
  EXPECT_EQ(no_id->status, 400);
  EXPECT_TRUE(Names(*As(alice_, "show")).empty()) << "nothing was created";
}

}  // namespace
}  // namespace reel::testing
