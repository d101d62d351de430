// Locks across mounts, through the team server on a real PostgreSQL: conflicts between holders on
// different instances, who may take what, a lock session that lapses (its locks freed, the
// commits it fences kept as rejected versions) and one that ends, the events they make, and the
// requests refused. The server's clock is the test's: a lease runs out by moving it, not by
// waiting.
#include "remote/remote_catalog.h"
#include "remote/team_locks.h"
#include "team_server_fixture.h"

namespace reel::testing {
namespace {

constexpr TimeNs kSecond = 1'000'000'000;

FileLock Lock(LockFlavor flavor, LockType type, uint64_t owner, uint64_t first = 0,
              uint64_t last = kLockToEnd) {
  FileLock l;
  l.flavor = flavor;
  l.type = type;
  l.owner = flavor == LockFlavor::kOpen ? 0 : owner;
  l.first = first;
  l.last = last;
  return l;
}

class LocksTest : public TeamServerTest {
 protected:
  void SetUp() override {
    TeamServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    TeamClient alice = ClientFor(alice_);
    ASSERT_OK(alice.CreateWorkspace("film").status());
    ASSERT_OK(alice.Grant("film", "bob", "writer"));
    ASSERT_OK(alice.Grant("film", "carol", "reader"));
    for (const auto& [token, name] : {std::pair{alice_, kAlice}, {bob_, kBob}, {carol_, kCarol}}) {
      InstanceView self;
      self.name = name;
      self.workspace = "film";
      self.host = std::string("host-of-") + name;
      ASSERT_OK(ClientFor(token).ReportInstance(self));
    }
    RemoteCatalog catalog(Mount(alice_, kAlice), "film");
    ASSERT_OK_AND_ASSIGN(Attributes f, catalog.CreateNode(kRootInode, "shot.exr",
                                                          NewNode{FileType::kRegular, 0644, 0, 0,
                                                                  {}},
                                                          now_));
    file_ = f.ino;
  }

  TeamClientOptions Mount(const std::string& token, const std::string& instance) {
    TeamClientOptions o = OptionsFor(token);
    o.instance = instance;
    return o;
  }

  // The kinds of the workspace's events, in order, from `after`.
  std::vector<std::string> EventKinds(uint64_t after = 0) {
    RemoteCatalog catalog(Mount(alice_, kAlice), "film");
    EventQuery q;
    q.after = after;
    auto page = catalog.ReadEvents(q);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> kinds;
    if (page.ok()) {
      for (const ChangeEvent& e : page->events) {
        if (e.kind == ChangeKind::kLockTaken) kinds.push_back("taken:" + e.instance);
        if (e.kind == ChangeKind::kLockReleased) kinds.push_back("released:" + e.instance);
        if (e.kind == ChangeKind::kConflict) kinds.push_back("conflict:" + e.instance);
      }
    }
    return kinds;
  }

  static constexpr const char* kAlice = "m-alice-0001";
  static constexpr const char* kBob = "m-bob-000001";
  static constexpr const char* kCarol = "m-carol-0001";
  InodeId file_ = 0;
};

TEST_F(LocksTest, AFlockOnOneMountKeepsTheOthersOutUntilItIsReleased) {
  TeamLocks alice(Mount(alice_, kAlice), "film"), bob(Mount(bob_, kBob), "film");
  const FileLock exclusive = Lock(LockFlavor::kFlock, LockType::kWrite, 11);
  ASSERT_OK_AND_ASSIGN(auto held, alice.Set(file_, exclusive));
  EXPECT_FALSE(held.has_value());
  EXPECT_TRUE(alice.Holds(file_));
  EXPECT_NE(alice.session(), 0u);
  EXPECT_EQ(alice.FenceFor(file_), alice.session()) << "a write lock fences the file's commits";

  ASSERT_OK_AND_ASSIGN(held, bob.Set(file_, Lock(LockFlavor::kFlock, LockType::kWrite, 22)));
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->user, "alice");
  EXPECT_EQ(held->instance, kAlice);
  EXPECT_EQ(held->host, "host-of-m-alice-0001");
  EXPECT_EQ(held->lock.flavor, LockFlavor::kFlock);
  EXPECT_EQ(held->lock.pid, 0u) << "another machine's pid means nothing here";
  EXPECT_FALSE(bob.Holds(file_));
  ASSERT_OK_AND_ASSIGN(held, bob.Set(file_, Lock(LockFlavor::kFlock, LockType::kRead, 22)));
  EXPECT_TRUE(held.has_value()) << "no shared lock beside an exclusive one";
  ASSERT_OK_AND_ASSIGN(held, bob.Test(file_, Lock(LockFlavor::kFlock, LockType::kWrite, 22)));
  EXPECT_TRUE(held.has_value());
  // POSIX locks are another kind: they do not meet flocks.
  ASSERT_OK_AND_ASSIGN(held, bob.Set(file_, Lock(LockFlavor::kPosix, LockType::kWrite, 22)));
  EXPECT_FALSE(held.has_value());
  // Another owner on the same mount (another process) is kept out too.
  ASSERT_OK_AND_ASSIGN(held, alice.Set(file_, Lock(LockFlavor::kFlock, LockType::kWrite, 12)));
  EXPECT_TRUE(held.has_value());

  ASSERT_OK_AND_ASSIGN(auto holders, bob.Holders(file_));
  ASSERT_EQ(holders.size(), 2u);
  ASSERT_OK(alice.Set(file_, Lock(LockFlavor::kFlock, LockType::kUnlock, 11)).status());
  EXPECT_FALSE(alice.Holds(file_));
  ASSERT_OK_AND_ASSIGN(held, bob.Set(file_, Lock(LockFlavor::kFlock, LockType::kWrite, 22)));
  EXPECT_FALSE(held.has_value());
  EXPECT_EQ(EventKinds(), (std::vector<std::string>{std::string("taken:") + kAlice,
                                                    std::string("taken:") + kBob,
                                                    std::string("released:") + kAlice}));
}

TEST_F(LocksTest, ByteRangesConflictOnlyWhereTheyOverlap) {
  TeamLocks alice(Mount(alice_, kAlice), "film"), bob(Mount(bob_, kBob), "film"),
      carol(Mount(carol_, kCarol), "film");
  const auto W = LockType::kWrite, R = LockType::kRead, U = LockType::kUnlock;
  const auto P = LockFlavor::kPosix;
  ASSERT_OK_AND_ASSIGN(auto held, alice.Set(file_, Lock(P, W, 1, 0, 99)));
  EXPECT_FALSE(held.has_value());
  ASSERT_OK_AND_ASSIGN(held, bob.Set(file_, Lock(P, W, 2, 100, 199)));
  EXPECT_FALSE(held.has_value());
  ASSERT_OK_AND_ASSIGN(held, bob.Set(file_, Lock(P, W, 2, 50, 60)));
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->lock.first, 0u);
  EXPECT_EQ(held->lock.last, 99u);
  // Read locks share; a reader of the workspace may take them, not write locks.
  ASSERT_OK_AND_ASSIGN(held, alice.Set(file_, Lock(P, R, 1, 1000, 1999)));
  EXPECT_FALSE(held.has_value());
  ASSERT_OK_AND_ASSIGN(held, carol.Set(file_, Lock(P, R, 3, 1500, 2500)));
  EXPECT_FALSE(held.has_value());
  EXPECT_CODE(carol.Set(file_, Lock(P, W, 3, 5000, 5000)), Code::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(held, bob.Set(file_, Lock(P, W, 2, 1999, 1999)));
  EXPECT_TRUE(held.has_value());
  // Unlocking the middle of a range frees just that.
  ASSERT_OK(alice.Set(file_, Lock(P, U, 1, 40, 59)).status());
  ASSERT_OK_AND_ASSIGN(held, bob.Set(file_, Lock(P, W, 2, 45, 50)));
  EXPECT_FALSE(held.has_value());
  ASSERT_OK_AND_ASSIGN(auto holders, bob.Holders(file_));
  std::vector<std::string> alices;
  for (const LockHolderInfo& h : holders) {
    if (h.user == "alice") {
      alices.push_back(std::string(LockTypeName(h.lock.type)) + " " +
                       std::to_string(h.lock.first) + "-" + std::to_string(h.lock.last));
    }
  }
  EXPECT_EQ(alices, (std::vector<std::string>{"write 0-39", "write 60-99", "read 1000-1999"}));
}

TEST_F(LocksTest, ALapsedSessionLosesItsLocksAndItsCommitsAreKeptAsRejected) {
  TeamLocks alice(Mount(alice_, kAlice), "film"), bob(Mount(bob_, kBob), "film");
  RemoteCatalog alices_catalog(Mount(alice_, kAlice), "film");
  ASSERT_OK(alice.Set(file_, Lock(LockFlavor::kFlock, LockType::kWrite, 1)).status());
  const uint64_t fence = alice.FenceFor(file_);
  ASSERT_NE(fence, 0u);
  NewVersion v;
  v.fence = fence;
  ASSERT_OK_AND_ASSIGN(VersionInfo first, alices_catalog.CommitVersion(file_, v, now_));
  EXPECT_EQ(first.kind, VersionKind::kAutosave) << "a commit under a live lock counts";

  // Alice's mount is not heard for longer than the lease (30 s): bob takes the lock.
  now_ += 31 * kSecond;
  const uint64_t seen = EventKinds().size();
  ASSERT_OK_AND_ASSIGN(auto held, bob.Set(file_, Lock(LockFlavor::kFlock, LockType::kWrite, 2)));
  EXPECT_FALSE(held.has_value()) << "a lapsed session's lock no longer counts";
  // Alice wakes: her renewal fails, and what she wrote under the lock never becomes current.
  httplib::Headers h = As(alice_, "r-renew-after-lapse");
  h.emplace("Reel-Instance", kAlice);
  auto renew = Raw("POST", "/v1/lock-sessions/" + std::to_string(fence) + "/renew", "{}", h);
  ASSERT_TRUE(renew);
  EXPECT_EQ(renew->status, 409);
  v.base = first.id;
  ASSERT_OK_AND_ASSIGN(VersionInfo stale, alices_catalog.CommitVersion(file_, v, now_));
  EXPECT_EQ(stale.kind, VersionKind::kRejected);
  EXPECT_EQ(stale.head, first.number);
  ASSERT_OK_AND_ASSIGN(Attributes attr, alices_catalog.GetAttributes(file_));
  EXPECT_EQ(attr.version, first.number);
  std::vector<std::string> kinds = EventKinds();
  kinds.erase(kinds.begin(), kinds.begin() + static_cast<long>(seen));
  EXPECT_EQ(kinds, (std::vector<std::string>{std::string("released:") + kBob,
                                             std::string("taken:") + kBob,
                                             std::string("conflict:") + kAlice}))
      << "the lapse is recorded by whoever finds it";
  // Alice's next lock starts a new session and meets bob's lock.
  ASSERT_OK_AND_ASSIGN(held, alice.Set(file_, Lock(LockFlavor::kFlock, LockType::kWrite, 1)));
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->user, "bob");
  EXPECT_EQ(alice.lapsed(), 1u);
  EXPECT_NE(alice.session(), fence);
}

TEST_F(LocksTest, EndingASessionReleasesItsLocksAtOnce) {
  TeamLocks bob(Mount(bob_, kBob), "film");
  {
    TeamLocks alice(Mount(alice_, kAlice), "film");
    ASSERT_OK(alice.Set(file_, Lock(LockFlavor::kOpen, LockType::kWrite, 0)).status());
    ASSERT_OK_AND_ASSIGN(auto held, bob.Set(file_, Lock(LockFlavor::kOpen, LockType::kWrite, 0)));
    ASSERT_TRUE(held.has_value());
    EXPECT_EQ(held->lock.flavor, LockFlavor::kOpen);
  }  // alice's mount goes: Stop() ends its session
  ASSERT_OK_AND_ASSIGN(auto held, bob.Set(file_, Lock(LockFlavor::kOpen, LockType::kWrite, 0)));
  EXPECT_FALSE(held.has_value());
}

TEST_F(LocksTest, BadLockRequestsAreRefusedAndChangeNothing) {
  RemoteCatalog catalog(Mount(alice_, kAlice), "film");
  ASSERT_OK_AND_ASSIGN(Attributes dir, catalog.CreateNode(kRootInode, "dir",
                                                          NewNode{FileType::kDirectory, 0755, 0,
                                                                  0, {}},
                                                          now_));
  const std::string f = std::to_string(file_);
  auto body = [&](const std::string& rest) {
    return "{\"ino\":" + f + ",\"flavor\":\"posix\",\"type\":\"write\"" + rest + "}";
  };
  struct Case {
    std::string target, body, instance;
    int status;
  };
  const std::vector<Case> cases = {
      {"/v1/workspaces/film/locks", body(""), "", 400},  // no instance
      {"/v1/workspaces/film/locks", body(""), kBob, 403},  // another user's
      {"/v1/workspaces/film/locks", body(""), "m-nobody-0001", 403},  // never reported
      {"/v1/workspaces/film/locks", body(",\"first\":10,\"last\":9"), kAlice, 400},
      {"/v1/workspaces/film/locks", body(",\"first\":-1"), kAlice, 400},
      {"/v1/workspaces/film/locks", body(",\"last\":9223372036854775808"), kAlice, 400},
      {"/v1/workspaces/film/locks", body(",\"colour\":1"), kAlice, 400},
      {"/v1/workspaces/film/locks", body(",\"test\":\"yes\""), kAlice, 400},
      {"/v1/workspaces/film/locks",
       "{\"ino\":" + f + ",\"flavor\":\"flock\",\"type\":\"write\",\"last\":5}", kAlice, 400},
      {"/v1/workspaces/film/locks",
       "{\"ino\":" + f + ",\"flavor\":\"open\",\"type\":\"write\",\"owner\":3}", kAlice, 400},
      {"/v1/workspaces/film/locks",
       "{\"ino\":" + f + ",\"flavor\":\"mandatory\",\"type\":\"write\"}", kAlice, 400},
      {"/v1/workspaces/film/locks",
       "{\"ino\":" + std::to_string(dir.ino) + ",\"flavor\":\"posix\",\"type\":\"write\"}",
       kAlice, 400},
      {"/v1/workspaces/film/locks", "{\"ino\":999999,\"flavor\":\"posix\",\"type\":\"write\"}",
       kAlice, 404},
      {"/v1/workspaces/alice/locks", body(""), kAlice, 404},  // not a file of alice's home
      {"/v1/workspaces/film/locks", body(",\"session\":12345"), kAlice, 409},  // not hers
  };
  for (const Case& c : cases) {
    httplib::Headers h = As(alice_, "r-lock-bad-" + std::to_string(&c - cases.data()) + "x");
    if (!c.instance.empty()) h.emplace("Reel-Instance", c.instance);
    auto res = Raw("POST", c.target, c.body, h);
    ASSERT_TRUE(res) << c.body;
    EXPECT_EQ(res->status, c.status) << c.target << " " << c.body << " " << res->body;
  }
  TeamLocks bob(Mount(bob_, kBob), "film");
  ASSERT_OK_AND_ASSIGN(auto holders, bob.Holders(file_));
  EXPECT_TRUE(holders.empty());
  EXPECT_TRUE(EventKinds().empty());
  auto list = Raw("GET", "/v1/workspaces/film/locks?ino=abc", "", As(alice_));
  ASSERT_TRUE(list);
  EXPECT_EQ(list->status, 400);
}

}  // namespace
}  // namespace reel::testing
