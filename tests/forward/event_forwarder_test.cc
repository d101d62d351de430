// The forwarder on a real PostgreSQL: the whole feed delivered in order with no gap, resumed
// from the cursor in the database after a restart, retried after a failed delivery, forwarded by
// one server at a time and handed over at the cursor, fenced against a server that lost its
// lease while delivering, and events trimmed before delivery counted as missed.
#include "forward/event_forwarder.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>

#include "catalog/catalog.h"
#include "catalog/catalog_test_util.h"
#include "team/team_db_fixture.h"
#include "testing/wait.h"

namespace reel::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr TimeNs kT0 = 1'800'000'000'000'000'000;
constexpr TimeNs kSecond = 1'000'000'000;

// What a memory sink received, shared by the sinks a forwarder opens (and the test).
struct Received {
  std::mutex mu;  // guards everything below
  std::vector<uint64_t> seqs;  // every delivered event, repeats included
  std::vector<std::string> ids;
  int fail_next = 0;          // deliveries to refuse before storing anything
  int lose_ack_next = 0;      // deliveries to store and then report failed (a lost ack)
  std::function<void()> during;  // run inside the next delivery (then cleared)
  int opens = 0;                 // sinks opened (connections made)

  std::vector<uint64_t> Unique() {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<uint64_t> out;
    std::set<uint64_t> seen;
    for (uint64_t s : seqs) {
      if (seen.insert(s).second) out.push_back(s);
    }
    return out;
  }
  size_t Count() {
    std::lock_guard<std::mutex> lock(mu);
    return seqs.size();
  }
};

class MemorySink final : public EventSink {
 public:
  explicit MemorySink(std::shared_ptr<Received> r) : r_(std::move(r)) {}
  Status Deliver(std::span<const OutgoingEvent> events) override {
    std::function<void()> during;
    {
      std::lock_guard<std::mutex> lock(r_->mu);
      during = std::exchange(r_->during, nullptr);
      if (r_->fail_next > 0) {
        --r_->fail_next;
        return Status::Unavailable("refused");
      }
    }
    if (during) during();
    std::lock_guard<std::mutex> lock(r_->mu);
    for (const OutgoingEvent& e : events) {
      r_->seqs.push_back(e.seq);
      r_->ids.push_back(e.id);
    }
    if (r_->lose_ack_next > 0) {
      --r_->lose_ack_next;
      return Status::Unavailable("the acknowledgement was lost");
    }
    return Status::Ok();
  }
  std::string Describe() const override { return "memory"; }

 private:
  std::shared_ptr<Received> r_;
};

class EventForwarderTest : public TeamDatabaseTest {
 protected:
  void SetUp() override {
    TeamDatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    NewNode dir;
    dir.type = FileType::kDirectory;
    dir.mode = 0755;
    ASSERT_OK_AND_ASSIGN(Attributes ws, team_->catalog().CreateNode(kRootInode, "shots", dir, kT0));
    shots_ = ws.ino;
  }
  // `n` files made in workspace "shots": n events.
  void Changes(int n) {
    for (int i = 0; i < n; ++i) {
      NewNode f;
      f.mode = 0644;
      ASSERT_OK(team_->catalog()
                    .CreateNode(shots_, "f" + std::to_string(made_++), f, now_.load())
                    .status());
    }
  }
  uint64_t Newest() {
    auto page = team_->catalog().ReadEvents({.after = 0, .limit = 1});
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->newest : 0;
  }
  std::unique_ptr<EventForwarder> Forwarder(const std::string& holder,
                                            std::shared_ptr<Received> r, size_t batch = 10) {
    ForwarderOptions o;
    o.holder = holder;
    o.lease_ttl = seconds(30);
    o.batch = batch;
    o.idle_wait = milliseconds(5000);
    o.clock = [this] { return now_.load(); };
    auto f = EventForwarder::Create(
        team_.get(), "pipeline",
        [r]() -> Result<std::unique_ptr<EventSink>> {
          std::lock_guard<std::mutex> lock(r->mu);
          ++r->opens;
          return std::unique_ptr<EventSink>(std::make_unique<MemorySink>(r));
        },
        o);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? std::move(f).value() : nullptr;
  }
  // Steps until a step delivers nothing; the reports of the steps that delivered.
  std::vector<ForwardReport> Drain(EventForwarder& f) {
    std::vector<ForwardReport> out;
    for (int i = 0; i < 1000; ++i) {
      auto step = f.RunOnce();
      EXPECT_TRUE(step.ok()) << step.status().ToString();
      if (!step.ok() || step->delivered == 0) break;
      out.push_back(*step);
    }
    return out;
  }
  static std::vector<uint64_t> Range(uint64_t first, uint64_t last) {
    std::vector<uint64_t> out;
    for (uint64_t s = first; s <= last; ++s) out.push_back(s);
    return out;
  }

  InodeId shots_ = 0;
  int made_ = 0;
  std::atomic<TimeNs> now_{kT0 + kSecond};
};

TEST_F(EventForwarderTest, DeliversTheWholeFeedInOrderAndResumesFromItsCursorAfterARestart) {
  Changes(34);
  auto r = std::make_shared<Received>();
  auto a = Forwarder("server-a", r);
  ASSERT_NE(a, nullptr);
  std::vector<ForwardReport> steps = Drain(*a);
  const uint64_t newest = Newest();
  ASSERT_EQ(newest, 35u) << "the workspace's directory and 34 files";
  EXPECT_EQ(steps.size(), 4u) << "batches of 10";
  EXPECT_EQ(steps.back().cursor, newest);
  EXPECT_EQ(r->seqs, Range(1, newest)) << "every event once, in feed order";
  EXPECT_EQ(r->ids.front(), team_->catalog().GetDriveId().value() + ":1");
  ASSERT_OK_AND_ASSIGN(uint64_t stored, team_->ForwardCursor("pipeline"));
  EXPECT_EQ(stored, newest);

  // A restart (a crash would leave the lease to run out; Stop releases it): a new forwarder of
  // the same name delivers only what came after the stored cursor.
  a.reset();
  Changes(5);
  auto again = Forwarder("server-a2", r);
  ASSERT_NE(again, nullptr);
  Drain(*again);
  EXPECT_EQ(r->seqs, Range(1, newest + 5)) << "nothing delivered twice, nothing skipped";
}

TEST_F(EventForwarderTest, AFailedDeliveryMovesNoCursorAndIsDeliveredAgain) {
  Changes(24);  // events 1..25
  auto r = std::make_shared<Received>();
  auto f = Forwarder("server-a", r);
  ASSERT_NE(f, nullptr);
  ASSERT_OK(f->RunOnce().status());  // 1..10
  r->fail_next = 1;
  auto refused = f->RunOnce();
  EXPECT_EQ(refused.status().code(), Code::kUnavailable);
  ASSERT_OK_AND_ASSIGN(uint64_t stored, team_->ForwardCursor("pipeline"));
  EXPECT_EQ(stored, 10u) << "the cursor stays before the batch that failed";
  r->lose_ack_next = 1;  // 11..20 arrive but are reported failed
  EXPECT_FALSE(f->RunOnce().ok());
  Drain(*f);
  EXPECT_EQ(r->Unique(), Range(1, 25)) << "after dedup by id: every event, in order";
  EXPECT_EQ(r->Count(), 35u) << "the batch whose ack was lost came twice";
}

TEST_F(EventForwarderTest, OneServerForwardsAtATimeAndTheNextTakesOverAtTheCursor) {
  Changes(14);  // 1..15
  auto ra = std::make_shared<Received>();
  auto rb = std::make_shared<Received>();
  auto a = Forwarder("server-a", ra);
  auto b = Forwarder("server-b", rb);
  ASSERT_OK_AND_ASSIGN(ForwardReport by_a, a->RunOnce());
  EXPECT_TRUE(by_a.held);
  EXPECT_EQ(by_a.delivered, 10u);
  ASSERT_OK_AND_ASSIGN(ForwardReport by_b, b->RunOnce());
  EXPECT_FALSE(by_b.held) << "a's lease runs";
  EXPECT_EQ(rb->Count(), 0u);

  // a dies (stops renewing): once its lease has run out, b takes over at a's cursor.
  now_ += 31 * kSecond;
  Drain(*b);
  EXPECT_EQ(rb->seqs, Range(11, 15));
  ASSERT_OK_AND_ASSIGN(by_a, a->RunOnce());
  EXPECT_FALSE(by_a.held) << "b holds it now";
}

TEST_F(EventForwarderTest, AServerThatLostItsLeaseWhileDeliveringCannotMoveTheCursor) {
  Changes(14);  // 1..15
  auto ra = std::make_shared<Received>();
  auto rb = std::make_shared<Received>();
  auto a = Forwarder("server-a", ra);
  auto b = Forwarder("server-b", rb, /*batch=*/100);
  ASSERT_OK(a->RunOnce().status());  // a: 1..10, cursor 10
  // While a delivers 11..15, it stalls past its lease and b takes over and delivers them too.
  ra->during = [&] {
    now_ += 31 * kSecond;
    Changes(3);  // 16..18
    Drain(*b);
  };
  auto stale = a->RunOnce();
  EXPECT_EQ(stale.status().code(), Code::kConflict) << stale.status().ToString();
  ASSERT_OK_AND_ASSIGN(uint64_t stored, team_->ForwardCursor("pipeline"));
  EXPECT_EQ(stored, 18u) << "b's cursor, not moved back by a";
  EXPECT_EQ(rb->seqs, Range(11, 18));
  EXPECT_EQ(ra->seqs, Range(1, 15)) << "a's stale delivery is a repeat consumers drop by id";
}

TEST_F(EventForwarderTest, AServerWhoseDestinationKeepsFailingReconnectsThenLeavesTheLease) {
  Changes(4);  // 1..5
  auto ra = std::make_shared<Received>();
  auto rb = std::make_shared<Received>();
  ra->fail_next = 1000;  // a's destination is out of its reach
  auto a = Forwarder("server-a", ra);
  auto b = Forwarder("server-b", rb);
  for (int i = 0; i < kFailuresBeforeRelease; ++i) {
    EXPECT_EQ(a->RunOnce().status().code(), Code::kUnavailable);
    if (i + 1 == kFailuresBeforeRelease) break;  // the last failure releases the lease
    ASSERT_OK_AND_ASSIGN(ForwardReport by_b, b->RunOnce());
    EXPECT_FALSE(by_b.held) << "a holds the lease while it retries (" << i << ")";
  }
  EXPECT_EQ(ra->opens, kFailuresBeforeRelease) << "a connection made afresh after each failure";
  EXPECT_FALSE(a->holding());
  // a released the lease and stands by; b, which reaches its destination, takes over at once.
  ASSERT_OK_AND_ASSIGN(ForwardReport standby, a->RunOnce());
  EXPECT_FALSE(standby.held);
  Drain(*b);
  EXPECT_EQ(rb->seqs, Range(1, 5));
  EXPECT_EQ(ra->Count(), 0u);
}

TEST_F(EventForwarderTest, EventsTrimmedBeforeTheyWereDeliveredAreCountedAsMissed) {
  Changes(9);  // 1..10 at kT0 + 1 s
  now_ += 3600 * kSecond;
  ASSERT_OK_AND_ASSIGN(uint64_t trimmed, team_->catalog().TrimEvents(kT0 + 2 * kSecond));
  EXPECT_EQ(trimmed, 9u) << "the newest is always kept";
  auto r = std::make_shared<Received>();
  auto f = Forwarder("server-a", r);
  ASSERT_OK_AND_ASSIGN(ForwardReport step, f->RunOnce());
  EXPECT_EQ(step.missed, 9u);
  EXPECT_EQ(r->seqs, Range(10, 10));
}

TEST_F(EventForwarderTest, AStartedForwarderDeliversANewChangeAtOnceWhenNotified) {
  auto r = std::make_shared<Received>();
  ForwarderOptions o;
  o.holder = "server-a";
  o.idle_wait = std::chrono::hours(1);  // only a notification ends a step's wait in time
  o.poll = std::chrono::hours(1);
  o.lease_ttl = std::chrono::hours(3);
  auto f = EventForwarder::Create(
      team_.get(), "pipeline",
      [r]() -> Result<std::unique_ptr<EventSink>> {
        return std::unique_ptr<EventSink>(std::make_unique<MemorySink>(r));
      },
      o);
  ASSERT_OK(f.status());
  (*f)->Start();
  ASSERT_TRUE(WaitUntil([&] { return r->Count() == 1; }, seconds(10))) << "the workspace's event";
  Changes(1);
  (*f)->Notify();
  EXPECT_TRUE(WaitUntil([&] { return r->Count() == 2; }, seconds(10)));
  const auto before = std::chrono::steady_clock::now();
  (*f)->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, seconds(5)) << "a waiting step ends at once";
}

TEST_F(EventForwarderTest, BadNamesAndBatchesAreRefused) {
  auto opener = []() -> Result<std::unique_ptr<EventSink>> {
    return Status::Internal("never opened");
  };
  EXPECT_EQ(EventForwarder::Create(team_.get(), "no/slash", opener, {}).status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(EventForwarder::Create(team_.get(), std::string(kMaxForwarderName + 1, 'a'), opener, {})
                .status()
                .code(),
            Code::kInvalidArgument)
      << "its lease's name would be too long";
  EXPECT_OK(EventForwarder::Create(team_.get(), std::string(kMaxForwarderName, 'a'), opener, {})
                .status());
  ForwarderOptions o;
  o.batch = 0;
  EXPECT_EQ(EventForwarder::Create(team_.get(), "ok", opener, o).status().code(),
            Code::kInvalidArgument);
  o.batch = kMaxEventsPerRead + 1;
  EXPECT_EQ(EventForwarder::Create(team_.get(), "ok", opener, o).status().code(),
            Code::kInvalidArgument);
}

}  // namespace
}  // namespace reel::testing
