#include "common/ticker.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>

namespace reel {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

TEST(TickerTest, TicksAtOnceThenEveryPeriodAndStopEndsAWaitAtOnce) {
  std::mutex mu;
  std::condition_variable cv;
  int ticks = 0;
  Ticker ticker;
  ticker.Start(milliseconds(1), [&] {
    std::lock_guard<std::mutex> lock(mu);
    ++ticks;
    cv.notify_all();
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return ticks >= 3; }));
  }
  EXPECT_TRUE(ticker.Stop());
  EXPECT_TRUE(ticker.stopping());
  const int after = ticks;
  EXPECT_FALSE(ticker.Stop()) << "stopped once";
  EXPECT_EQ(ticks, after) << "no tick after Stop";

  // A period of an hour: the first tick comes at once, and Stop does not wait for the second.
  std::atomic<int> slow{0};
  Ticker hourly;
  hourly.Start(std::chrono::hours(1), [&] { slow.fetch_add(1); });
  const auto start = steady_clock::now();
  while (slow.load() == 0 && steady_clock::now() - start < std::chrono::seconds(10)) {
    std::this_thread::yield();
  }
  EXPECT_EQ(slow.load(), 1);
  EXPECT_TRUE(hourly.Stop());
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(slow.load(), 1);
}

}  // namespace
}  // namespace reel
