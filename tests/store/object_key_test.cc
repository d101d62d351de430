#include <string>

#include <gtest/gtest.h>

#include "store/object_store.h"

namespace reel {
namespace {

TEST(ObjectKeyTest, AcceptsValidKeys) {
  for (const std::string& key :
       {std::string("a"), std::string("chunks/ab/abcdef0123"), std::string("a.b-c_D/9"),
        std::string("..x"), std::string(".hidden/x.."), std::string(255, 'x'),
        std::string(255, 'x') + "/" + std::string(255, 'y')}) {
    EXPECT_TRUE(ValidateObjectKey(key).ok()) << key;
  }
  std::string longest;
  while (longest.size() + 101 <= 1024) longest += std::string(100, 'k') + "/";
  longest += std::string(1024 - longest.size(), 'z');
  ASSERT_EQ(longest.size(), 1024u);
  EXPECT_TRUE(ValidateObjectKey(longest).ok());
  EXPECT_FALSE(ValidateObjectKey(longest + "z").ok());
}

TEST(ObjectKeyTest, RejectsInvalidKeys) {
  for (const std::string& key :
       {std::string(""), std::string("/a"), std::string("a/"), std::string("a//b"),
        std::string("."), std::string(".."), std::string("a/./b"), std::string("a/../b"),
        std::string("../x"), std::string("x/.."), std::string("a b"), std::string("a\0b", 3),
        std::string("a\\b"), std::string("a\x7f"), std::string("\xff"), std::string("~"),
        std::string(256, 'x'), std::string("ok/") + std::string(256, 'x')}) {
    Status s = ValidateObjectKey(key);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << "'" << key << "'";
  }
}

TEST(ObjectKeyTest, MessageDoesNotEchoControlBytes) {
  Status s = ValidateObjectKey(std::string("a//\x01"));
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message().find('\x01'), std::string::npos);
}

TEST(ObjectKeyTest, PrefixRules) {
  for (const char* ok : {"", "a", "chunks/", "chunks/a", "chunks/ab/", "chunks/ab/cd", ".", "..",
                         "x/.", "x/.."}) {
    EXPECT_TRUE(ValidateObjectKeyPrefix(ok).ok()) << "'" << ok << "'";
  }
  for (const char* bad : {"/", "/a", "a//", "a//b", "./", "../", "a/./", "a/../b", "a b", "a/b c",
                          "x\\"}) {
    EXPECT_EQ(ValidateObjectKeyPrefix(bad).code(), Code::kInvalidArgument) << "'" << bad << "'";
  }
  EXPECT_FALSE(ValidateObjectKeyPrefix(std::string(1025, 'p')).ok());
  EXPECT_FALSE(ValidateObjectKeyPrefix("d/" + std::string(256, 'p')).ok());
}

}  // namespace
}  // namespace reel
