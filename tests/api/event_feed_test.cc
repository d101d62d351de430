// Reading the change feed over HTTP (catalog_rpc/event_feed.h): the query parameters, and the
// reads that wait, how many may, and how a stopping server answers them.
#include "catalog_rpc/event_feed.h"

#include <future>
#include <latch>

#include <gtest/gtest.h>

namespace reel {
namespace {

TEST(EventReadTest, ParametersAreNumbersInRangeWithDefaults) {
  auto none = ParseEventRead({});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->query.after, 0u);
  EXPECT_EQ(none->query.limit, kDefaultEventsPerRead);
  EXPECT_EQ(none->wait.count(), 0);
  auto all = ParseEventRead({{"after", "18446744073709551615"}, {"limit", "1000"}, {"wait", "25"}});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->query.after, UINT64_MAX);
  EXPECT_EQ(all->query.limit, 1000u);
  EXPECT_EQ(all->wait, std::chrono::seconds(25));
  for (auto bad : std::vector<std::pair<std::string, std::string>>{
           {"after", "-1"}, {"after", ""}, {"after", "18446744073709551616"}, {"after", "1x"},
           {"limit", "0"}, {"limit", "1001"}, {"wait", "26"}, {"wait", " 1"}}) {
    auto r = ParseEventRead({bad});
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << bad.first << "=" << bad.second;
  }
}

// A feed with nothing new that counts how often it is read and lets the test know once a
// waiting read has looked twice (so it is waiting).
struct EmptyFeed {
  std::atomic<int> reads{0};
  std::latch waiting{1};
  Result<EventPage> operator()(const EventQuery&) {
    if (++reads == 2) waiting.count_down();
    EventPage page;
    page.newest = 7;
    return page;
  }
};

TEST(EventWaitersTest, AtMostTheLimitWaitAndStopAnswersThemAtOnce) {
  EventWaiters waiters(1);
  EmptyFeed feed;
  EventRead read;
  read.wait = std::chrono::seconds(25);
  auto first = std::async(std::launch::async, [&] {
    return waiters.Read(std::ref(feed), read, std::chrono::milliseconds(1));
  });
  feed.waiting.wait();
  EmptyFeed other;
  EXPECT_EQ(waiters.Read(std::ref(other), read).status().code(), Code::kBusy)
      << "a second waiting read over the limit";
  EventRead now;
  EXPECT_TRUE(waiters.Read(std::ref(other), now).ok()) << "a read that does not wait still goes";
  waiters.Stop();
  auto page = first.get();
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_TRUE(page->events.empty());
  EXPECT_EQ(page->newest, 7u);
  // Once stopped, a waiting read answers after one look.
  const int before = feed.reads;
  EXPECT_TRUE(waiters.Read(std::ref(feed), read).ok());
  EXPECT_EQ(feed.reads, before + 1);
}

TEST(EventWaitersTest, AWaitingReadAnswersWithTheFirstEventsItSees) {
  EventWaiters waiters(4);
  std::atomic<int> reads{0};
  auto feed = [&](const EventQuery& q) -> Result<EventPage> {
    EventPage page;
    if (++reads == 3) {  // the third look finds one
      ChangeEvent e;
      e.seq = q.after + 1;
      page.events.push_back(e);
    }
    page.newest = q.after + (reads >= 3 ? 1 : 0);
    return page;
  };
  EventRead read;
  read.query.after = 41;
  read.wait = std::chrono::seconds(25);
  auto page = waiters.Read(feed, read, std::chrono::milliseconds(1));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->events.size(), 1u);
  EXPECT_EQ(page->events[0].seq, 42u);
  EXPECT_EQ(reads, 3);
}

}  // namespace
// A change committed through the server wakes a waiting read at once: with a poll of a minute,
// only Notify() can have made it look again.
TEST(EventWaitersTest, NotifyMakesAWaitingReadLookAgainNow) {
  EventWaiters waiters(4);
  std::atomic<bool> changed{false};
  std::atomic<bool> counted{false};
  std::latch looked{1};
  auto feed = [&](const EventQuery& q) -> Result<EventPage> {
    EventPage page;
    if (changed) {
      ChangeEvent e;
      e.seq = q.after + 1;
      page.events.push_back(e);
    } else if (!counted.exchange(true)) {
      looked.count_down();  // it has looked once: it waits now, or is about to
    }
    return page;
  };
  EventRead read;
  read.wait = std::chrono::seconds(25);
  auto waiting = std::async(std::launch::async, [&] {
    return waiters.Read(feed, read, std::chrono::minutes(1));
  });
  looked.wait();
  changed = true;
  // The reader may not be waiting yet: notify until it answers (each Notify is a new change).
  while (waiting.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
    waiters.Notify();
  }
  auto page = waiting.get();
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->events.size(), 1u);
}

}  // namespace reel
