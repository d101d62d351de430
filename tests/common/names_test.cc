#include "common/names.h"

#include <gtest/gtest.h>

namespace reel {
namespace {

TEST(NamesTest, ValidatesEntryNames) {
  EXPECT_TRUE(ValidateName("shot_010.exr").ok());
  EXPECT_TRUE(ValidateName(std::string(255, 'a')).ok());
  EXPECT_EQ(ValidateName(std::string(256, 'a')).code(), Code::kNameTooLong);
  EXPECT_FALSE(ValidateName("").ok());
  EXPECT_FALSE(ValidateName(".").ok());
  EXPECT_FALSE(ValidateName("..").ok());
  EXPECT_FALSE(ValidateName("a/b").ok());
  EXPECT_FALSE(ValidateName(std::string("a\0b", 3)).ok());
}

TEST(NamesTest, SplitsRelativePathsAndRejectsEscapes) {
  auto parts = SplitRelativePath("a//b/./c/");
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(*parts, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(SplitRelativePath("")->empty());
  EXPECT_FALSE(SplitRelativePath("a/../../etc").ok());
}

}  // namespace
}  // namespace reel
