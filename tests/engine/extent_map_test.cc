#include "engine/extent_map.h"

#include <gtest/gtest.h>

namespace reel {
namespace {

using Ranges = std::vector<std::pair<uint64_t, uint64_t>>;

TEST(ExtentMapTest, MergesOverlappingAndTouchingRanges) {
  ExtentMap m;
  m.Add(10, 20);
  m.Add(30, 40);
  EXPECT_EQ(m.Ranges(), (Ranges{{10, 20}, {30, 40}}));
  m.Add(20, 30);  // touches both
  EXPECT_EQ(m.Ranges(), (Ranges{{10, 40}}));
  m.Add(5, 12);
  m.Add(38, 50);
  EXPECT_EQ(m.Ranges(), (Ranges{{5, 50}}));
  EXPECT_EQ(m.TotalBytes(), 45u);
}

TEST(ExtentMapTest, RemoveSplitsAndTruncates) {
  ExtentMap m;
  m.Add(0, 100);
  m.Remove(40, 60);
  EXPECT_EQ(m.Ranges(), (Ranges{{0, 40}, {60, 100}}));
  m.TruncateAt(70);
  EXPECT_EQ(m.Ranges(), (Ranges{{0, 40}, {60, 70}}));
  m.TruncateAt(0);
  EXPECT_TRUE(m.empty());
}

TEST(ExtentMapTest, IntersectsAndWalk) {
  ExtentMap m;
  m.Add(10, 20);
  m.Add(40, 50);
  EXPECT_FALSE(m.Intersects(0, 10));
  EXPECT_TRUE(m.Intersects(0, 11));
  EXPECT_TRUE(m.Intersects(19, 40));
  EXPECT_FALSE(m.Intersects(20, 40));
  std::vector<std::tuple<uint64_t, uint64_t, bool>> runs;
  m.Walk(15, 45, [&](uint64_t s, uint64_t e, bool in) { runs.emplace_back(s, e, in); });
  EXPECT_EQ(runs, (std::vector<std::tuple<uint64_t, uint64_t, bool>>{
                      {15, 20, true}, {20, 40, false}, {40, 45, true}}));
  runs.clear();
  m.Walk(0, 5, [&](uint64_t s, uint64_t e, bool in) { runs.emplace_back(s, e, in); });
  EXPECT_EQ(runs, (std::vector<std::tuple<uint64_t, uint64_t, bool>>{{0, 5, false}}));
}

}  // namespace
}  // namespace reel
