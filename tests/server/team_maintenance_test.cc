// The team's once-only work among servers of one database (a real PostgreSQL): the lease goes to
// one server at a time, changes hands with a higher fencing token when it runs out or is
// released, and its holder purges the trash past the retention and nothing younger.
#include "server/team_maintenance.h"

#include <gtest/gtest.h>

#include <chrono>

#include "catalog/catalog.h"
#include "team_server_fixture.h"
#include "testing/wait.h"

namespace reel::testing {
namespace {

using std::chrono::seconds;

class TeamMaintenanceTest : public TeamServerTest {
 protected:
  // A server's maintenance, run by hand on the test clock: a lease of a minute, an hour's trash
  // retention.
  std::unique_ptr<TeamMaintenance> ServerNamed(const std::string& holder) {
    TeamMaintenanceOptions o;
    o.interval = seconds(0);
    o.lease_ttl = seconds(60);
    o.trash_retention = seconds(3600);
    o.holder = holder;
    o.clock = [this] { return now_.load(); };
    return TeamMaintenance::Start(team_.get(), o);
  }
  // A file made in the team's root and deleted at `when`.
  void Trashed(const std::string& name, TimeNs when) {
    NewNode n;
    n.mode = 0644;
    ASSERT_OK(team_->catalog().CreateNode(kRootInode, name, n, when).status());
    ASSERT_OK(team_->catalog().Unlink(kRootInode, name, when).status());
  }
  size_t TrashSize() {
    auto trash = team_->catalog().ListTrash();
    EXPECT_TRUE(trash.ok()) << trash.status().ToString();
    return trash.ok() ? trash->size() : 0;
  }
  static constexpr TimeNs kMinute = 60'000'000'000;
};

TEST_F(TeamMaintenanceTest, OneServerAtATimePurgesTheTrashPastItsRetention) {
  Trashed("old.exr", kT0);
  Trashed("recent.exr", kT0 + 2 * kHour);
  now_ = kT0 + 2 * kHour + kMinute;
  auto a = ServerNamed("server-a");
  auto b = ServerNamed("server-b");

  ASSERT_OK_AND_ASSIGN(MaintenanceReport by_a, a->RunOnce());
  EXPECT_TRUE(by_a.ran);
  EXPECT_EQ(by_a.token, 1u);
  EXPECT_EQ(by_a.trash_purged, 1u) << "only the entry older than the retention";
  EXPECT_EQ(TrashSize(), 1u);

  // b finds the lease held and does nothing, even with old trash waiting.
  Trashed("older.exr", kT0 - kHour);
  ASSERT_OK_AND_ASSIGN(MaintenanceReport by_b, b->RunOnce());
  EXPECT_FALSE(by_b.ran);
  EXPECT_EQ(by_b.trash_purged, 0u);
  EXPECT_EQ(TrashSize(), 2u);

  // a renews its lease and keeps its token.
  ASSERT_OK_AND_ASSIGN(by_a, a->RunOnce());
  EXPECT_TRUE(by_a.ran);
  EXPECT_EQ(by_a.token, 1u);
  EXPECT_EQ(by_a.trash_purged, 1u);
  EXPECT_EQ(TrashSize(), 1u);
  EXPECT_EQ(team_->catalog().ListTrash()->front().original_path, "recent.exr");
}

TEST_F(TeamMaintenanceTest, TheLeaseChangesHandsWithAHigherTokenWhenItRunsOutOrIsReleased) {
  auto a = ServerNamed("server-a");
  auto b = ServerNamed("server-b");
  ASSERT_OK_AND_ASSIGN(MaintenanceReport r, a->RunOnce());
  ASSERT_TRUE(r.ran);
  EXPECT_EQ(r.token, 1u);

  now_ += kMinute - 1;  // a's lease still runs
  ASSERT_OK_AND_ASSIGN(r, b->RunOnce());
  EXPECT_FALSE(r.ran);
  now_ += 2;  // a stopped renewing (a dead server): b takes over
  ASSERT_OK_AND_ASSIGN(r, b->RunOnce());
  EXPECT_TRUE(r.ran);
  EXPECT_EQ(r.token, 2u);
  ASSERT_OK_AND_ASSIGN(r, a->RunOnce());
  EXPECT_FALSE(r.ran) << "a woke up: b holds it now";

  b.reset();  // a server that stops releases the lease at once
  ASSERT_OK_AND_ASSIGN(r, a->RunOnce());
  EXPECT_TRUE(r.ran);
  EXPECT_EQ(r.token, 3u);
}

TEST_F(TeamMaintenanceTest, AStartedServerRunsItOnItsOwnEveryInterval) {
  Trashed("old.exr", kT0);
  now_ = kT0 + 2 * kHour;
  TeamMaintenanceOptions o;
  o.interval = seconds(1);
  o.trash_retention = seconds(3600);
  o.clock = [this] { return now_.load(); };
  auto running = TeamMaintenance::Start(team_.get(), o);
  EXPECT_FALSE(running->holder().empty()) << "a holder name of its own";
  EXPECT_TRUE(WaitUntil([&] { return TrashSize() == 0; }, std::chrono::seconds(20)))
      << "the trash past its retention was not purged";
  running.reset();  // stops and releases: another server takes the lease at once
  ASSERT_OK_AND_ASSIGN(MaintenanceReport r, ServerNamed("server-b")->RunOnce());
  EXPECT_TRUE(r.ran);
  EXPECT_GE(r.token, 2u);
}

TEST_F(TeamMaintenanceTest, BadLeaseNamesHoldersAndTimesAreRefused) {
  EXPECT_CODE(team_->TakeLease("", "server-a", kMinute, kT0), Code::kInvalidArgument);
  EXPECT_CODE(team_->TakeLease("gc", "server a", kMinute, kT0), Code::kInvalidArgument);
  EXPECT_CODE(team_->TakeLease("gc", std::string(129, 'x'), kMinute, kT0),
              Code::kInvalidArgument);
  EXPECT_CODE(team_->TakeLease("gc", "server-a", 0, kT0), Code::kInvalidArgument);
  EXPECT_CODE(team_->ReleaseLease("gc\n", "server-a"), Code::kInvalidArgument);
  // Nothing was taken by the refused calls.
  ASSERT_OK_AND_ASSIGN(std::optional<uint64_t> token,
                       team_->TakeLease("gc", "server-b", kMinute, kT0));
  EXPECT_EQ(token, std::optional<uint64_t>(1));
}

}  // namespace
}  // namespace reel::testing
