// TeamDirectory on a real PostgreSQL server: users and their home workspaces, tokens, groups,
// project workspaces and grants. A fresh database per test (REEL_TEST_PG_URI).
#include "team/team_directory.h"

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "catalog/catalog_test_util.h"
#include "team/team_db_fixture.h"

namespace reel::testing {
namespace {

constexpr TimeNs kT0 = 1'800'000'000'000'000'000;
constexpr TimeNs kDay = 86'400'000'000'000;

class TeamDirectoryTest : public TeamDatabaseTest {
 protected:

  User Add(const std::string& name) {
    auto u = team_->AddUser(name, kT0);
    EXPECT_TRUE(u.ok()) << u.status().ToString();
    return u.ok() ? *u : User{};
  }

};

TEST_F(TeamDirectoryTest, AUserGetsAHomeWorkspaceTheyAdminister) {
  User alice = Add("alice");
  EXPECT_NE(alice.id, 0u);
  EXPECT_CODE(team_->AddUser("alice", kT0), Code::kAlreadyExists);
  for (const char* bad : {"", "Alice", "-x", ".hidden", "a/b", "a b", "é"}) {
    EXPECT_CODE(team_->AddUser(bad, kT0), Code::kInvalidArgument) << bad;
  }
  EXPECT_CODE(team_->AddUser(std::string(65, 'a'), kT0), Code::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(User found, team_->FindUser("alice"));
  EXPECT_EQ(found.id, alice.id);
  EXPECT_CODE(team_->FindUser("bob"), Code::kNotFound);

  ASSERT_OK_AND_ASSIGN(auto spaces, team_->ListWorkspaces(alice));
  ASSERT_EQ(spaces.size(), 1u);
  EXPECT_EQ(spaces[0].workspace.name, "alice");
  EXPECT_TRUE(spaces[0].workspace.home);
  EXPECT_EQ(spaces[0].workspace.share, "on-close");
  EXPECT_EQ(spaces[0].role, Role::kAdmin);

  // The home workspace is a directory under the namespace's root, seen by the catalog.
  auto catalog = OpenCatalog(uri_, 0, 0);
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  ASSERT_OK_AND_ASSIGN(Attributes dir, (*catalog)->Lookup(kRootInode, "alice"));
  EXPECT_EQ(dir.type, FileType::kDirectory);
  EXPECT_EQ(dir.ino, spaces[0].workspace.root);
}

TEST_F(TeamDirectoryTest, TokensAuthenticateUntilRevokedOrExpired) {
  User alice = Add("alice");
  Add("bob");
  ASSERT_OK_AND_ASSIGN(IssuedToken forever, team_->CreateToken("alice", kT0, 0));
  ASSERT_OK_AND_ASSIGN(IssuedToken month, team_->CreateToken("alice", kT0, kT0 + 30 * kDay));
  EXPECT_EQ(forever.secret.size(), 5u + 64u);
  EXPECT_TRUE(forever.secret.starts_with("reel_"));
  EXPECT_NE(forever.secret, month.secret);
  EXPECT_CODE(team_->CreateToken("carol", kT0, 0), Code::kNotFound);
  EXPECT_CODE(team_->CreateToken("alice", kT0, kT0), Code::kInvalidArgument);

  ASSERT_OK_AND_ASSIGN(User who, team_->Authenticate(forever.secret, kT0 + 1));
  EXPECT_EQ(who.id, alice.id);
  EXPECT_EQ(who.name, "alice");
  ASSERT_OK_AND_ASSIGN(who, team_->Authenticate(month.secret, kT0 + 29 * kDay));
  EXPECT_EQ(who.id, alice.id);
  EXPECT_CODE(team_->Authenticate(month.secret, kT0 + 30 * kDay), Code::kUnauthenticated)
      << "expired";

  // Malformed and unknown secrets are refused alike.
  std::string unknown = forever.secret;
  unknown.back() = unknown.back() == '0' ? '1' : '0';
  for (const std::string& bad : {std::string(), std::string("reel_"), unknown,
                                 forever.secret.substr(1), forever.secret + "0",
                                 "xxxx_" + forever.secret.substr(5)}) {
    auto r = team_->Authenticate(bad, kT0);
    EXPECT_CODE(r, Code::kUnauthenticated) << bad;
    EXPECT_EQ(r.status().message(), "invalid, expired or revoked token");
  }

  // Only the owner's token id can be revoked; the next call with it fails.
  EXPECT_CODE(team_->RevokeToken("bob", forever.id, kT0), Code::kNotFound);
  ASSERT_OK(team_->RevokeToken("alice", forever.id, 0));  // whatever the caller's clock says
  EXPECT_CODE(team_->Authenticate(forever.secret, kT0 + 3), Code::kUnauthenticated);
  EXPECT_CODE(team_->RevokeToken("alice", forever.id, kT0 + 4), Code::kNotFound);
}

TEST_F(TeamDirectoryTest, GrantsToUsersAndGroupsGiveTheHighestRole) {
  User alice = Add("alice");
  User bob = Add("bob");
  User carol = Add("carol");
  ASSERT_OK_AND_ASSIGN(Workspace show, team_->CreateWorkspace("show1", {alice, "", kT0}));
  EXPECT_FALSE(show.home);
  EXPECT_EQ(show.share, "on-publish");
  EXPECT_CODE(team_->CreateWorkspace("show1", {bob, "", kT0}), Code::kAlreadyExists);
  EXPECT_CODE(team_->CreateWorkspace("bob", {alice, "", kT0}), Code::kAlreadyExists) << "a home";
  EXPECT_CODE(team_->CreateWorkspace("Show 2", {alice, "", kT0}), Code::kInvalidArgument);

  ASSERT_OK_AND_ASSIGN(Role role, team_->RoleOf(alice, show.id));
  EXPECT_EQ(role, Role::kAdmin);
  ASSERT_OK_AND_ASSIGN(role, team_->RoleOf(bob, show.id));
  EXPECT_EQ(role, Role::kNone);

  ASSERT_OK(team_->AddGroup("artists", kT0));
  EXPECT_CODE(team_->AddGroup("artists", kT0), Code::kAlreadyExists);
  ASSERT_OK(team_->AddToGroup("artists", "bob"));
  ASSERT_OK(team_->AddToGroup("artists", "carol"));
  EXPECT_CODE(team_->AddToGroup("artists", "dave"), Code::kNotFound);
  EXPECT_CODE(team_->AddToGroup("editors", "bob"), Code::kNotFound);
  ASSERT_OK(team_->SetGrant("show1", "@artists", Role::kReader));
  ASSERT_OK(team_->SetGrant("show1", "bob", Role::kWriter));
  EXPECT_CODE(team_->SetGrant("show1", "dave", Role::kReader), Code::kNotFound);
  EXPECT_CODE(team_->SetGrant("show9", "bob", Role::kReader), Code::kNotFound);
  EXPECT_CODE(team_->SetGrant("show1", "@", Role::kReader), Code::kInvalidArgument);

  ASSERT_OK_AND_ASSIGN(role, team_->RoleOf(bob, show.id));
  EXPECT_EQ(role, Role::kWriter) << "his own grant is higher than the group's";
  ASSERT_OK_AND_ASSIGN(role, team_->RoleOf(carol, show.id));
  EXPECT_EQ(role, Role::kReader) << "through the group";
  ASSERT_OK_AND_ASSIGN(auto carols, team_->ListWorkspaces(carol));
  ASSERT_EQ(carols.size(), 2u);
  EXPECT_EQ(carols[0].workspace.name, "carol");
  EXPECT_EQ(carols[1].workspace.name, "show1");
  EXPECT_EQ(carols[1].role, Role::kReader);

  ASSERT_OK_AND_ASSIGN(auto grants, team_->ListGrants("show1"));
  ASSERT_EQ(grants.size(), 3u);
  EXPECT_EQ(grants[0].principal, "@artists");
  EXPECT_EQ(grants[1].principal, "alice");
  EXPECT_EQ(grants[1].role, Role::kAdmin);
  EXPECT_EQ(grants[2].principal, "bob");

  // Revoking: the group's grant goes, carol loses the workspace.
  ASSERT_OK(team_->SetGrant("show1", "@artists", Role::kNone));
  ASSERT_OK_AND_ASSIGN(role, team_->RoleOf(carol, show.id));
  EXPECT_EQ(role, Role::kNone);
  ASSERT_OK_AND_ASSIGN(carols, team_->ListWorkspaces(carol));
  EXPECT_EQ(carols.size(), 1u);
  // The last admin user cannot be taken away, even when a group is admin (it may be empty); with
  // a second admin user, it can.
  ASSERT_OK(team_->SetGrant("show1", "@artists", Role::kAdmin));
  EXPECT_CODE(team_->SetGrant("show1", "alice", Role::kWriter), Code::kInvalidArgument);
  ASSERT_OK(team_->SetGrant("show1", "@artists", Role::kNone));
  ASSERT_OK_AND_ASSIGN(role, team_->RoleOf(alice, show.id));
  EXPECT_EQ(role, Role::kAdmin) << "the refused change wrote nothing";
  ASSERT_OK(team_->SetGrant("show1", "bob", Role::kAdmin));
  ASSERT_OK(team_->SetGrant("show1", "alice", Role::kNone));
  ASSERT_OK_AND_ASSIGN(role, team_->RoleOf(alice, show.id));
  EXPECT_EQ(role, Role::kNone);
}

TEST_F(TeamDirectoryTest, AWorkspaceCannotTakeANameTheRootAlreadyHas) {
  User alice = Add("alice");
  auto catalog = OpenCatalog(uri_, 0, 0);
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  NewNode file{FileType::kRegular, 0644, 0, 0, {}};
  ASSERT_OK((*catalog)->CreateNode(kRootInode, "plates", file, kT0).status());
  EXPECT_CODE(team_->CreateWorkspace("plates", {alice, "", kT0}), Code::kAlreadyExists);
  EXPECT_CODE(team_->FindWorkspace("plates"), Code::kNotFound) << "nothing half made";
  EXPECT_CODE(team_->AddUser("plates", kT0), Code::kAlreadyExists) << "a home needs the name too";
  EXPECT_CODE(team_->FindUser("plates"), Code::kNotFound) << "the user was not kept without it";
}

TEST_F(TeamDirectoryTest, ARequestRetriedWithItsIdIsAppliedOnceAndAnIdServesOneRequest) {
  User alice = Add("alice");
  User bob = Add("bob");
  Add("carol");
  const TeamRequest create{alice, "req-0001-create", kT0};
  ASSERT_OK_AND_ASSIGN(Workspace first, team_->CreateWorkspace("show1", create));
  // The reply was lost; the retry answers the same workspace instead of AlreadyExists.
  ASSERT_OK_AND_ASSIGN(Workspace again, team_->CreateWorkspace("show1", create));
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.root, first.root);
  // The same id for another request is refused; another caller's ids are their own.
  EXPECT_CODE(team_->CreateWorkspace("show2", create), Code::kInvalidArgument);
  EXPECT_CODE(team_->FindWorkspace("show2"), Code::kNotFound);
  EXPECT_CODE(team_->CreateWorkspace("show1", {bob, "req-0001-create", kT0}),
              Code::kAlreadyExists);
  for (const char* bad : {"short", "has space1", "semi;colon", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"}) {
    EXPECT_CODE(team_->CreateWorkspace("show3", {alice, bad, kT0}), Code::kInvalidArgument) << bad;
  }
  EXPECT_CODE(team_->CreateWorkspace("show3", {alice, std::string(129, 'a'), kT0}),
              Code::kInvalidArgument);

  // A grant through a request: only an admin may (not a stranger, not a writer); a retry is a
  // no-op.
  const TeamRequest by_bob{bob, "req-0002-grant", kT0};
  EXPECT_CODE(team_->SetGrant("show1", "bob", Role::kAdmin, &by_bob), Code::kPermissionDenied);
  const TeamRequest grant{alice, "req-0003-grant", kT0};
  ASSERT_OK(team_->SetGrant("show1", "bob", Role::kWriter, &grant));
  EXPECT_CODE(team_->SetGrant("show1", "carol", Role::kAdmin, &by_bob), Code::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(auto grants, team_->ListGrants("show1"));
  EXPECT_EQ(grants.size(), 2u) << "the refused grant wrote nothing";
  // Bob is made reader by hand; alice's retried request does not make him a writer again.
  ASSERT_OK(team_->SetGrant("show1", "bob", Role::kReader));
  ASSERT_OK(team_->SetGrant("show1", "bob", Role::kWriter, &grant));
  ASSERT_OK_AND_ASSIGN(Role role, team_->RoleOf(bob, first.id));
  EXPECT_EQ(role, Role::kReader);
  // Ids are kept a day: the same id two days later is a new request.
  const TeamRequest later{alice, "req-0009-later", kT0 + 2 * kDay};
  ASSERT_OK(team_->SetGrant("show1", "carol", Role::kReader, &later));
  const TeamRequest reused{alice, "req-0003-grant", kT0 + 2 * kDay};
  ASSERT_OK(team_->SetGrant("show1", "bob", Role::kWriter, &reused));
  ASSERT_OK_AND_ASSIGN(role, team_->RoleOf(bob, first.id));
  EXPECT_EQ(role, Role::kWriter);
}

}  // namespace
}  // namespace reel::testing
