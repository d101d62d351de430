#include "common/sizes.h"

#include <gtest/gtest.h>

namespace reel {
namespace {

TEST(SizesTest, ParsesBinaryUnits) {
  EXPECT_EQ(*ParseSize("4096"), 4096u);
  EXPECT_EQ(*ParseSize("256KiB"), 256u * 1024);
  EXPECT_EQ(*ParseSize("1 MiB"), 1u << 20);
  EXPECT_EQ(*ParseSize("64M"), 64u << 20);
  EXPECT_EQ(*ParseSize("2g"), 2ull << 30);
  EXPECT_FALSE(ParseSize("").ok());
  EXPECT_FALSE(ParseSize("12 parsecs").ok());
  EXPECT_FALSE(ParseSize("-1").ok());
  EXPECT_FALSE(ParseSize("99999999999999T").ok());
}

TEST(SizesTest, Formats) {
  EXPECT_EQ(FormatSize(512), "512 B");
  EXPECT_EQ(FormatSize(1536), "1.5 KiB");
  EXPECT_EQ(FormatSize(1ull << 30), "1.0 GiB");
}

}  // namespace
}  // namespace reel
