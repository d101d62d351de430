// Stored logins: private files, one login per server, the only server as the default.
#include "remote/credentials.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "catalog/catalog_test_util.h"
#include "common/fs_util.h"
#include "testing/temp_dir.h"

namespace reel::testing {
namespace {

TEST(CredentialsTest, SavedPrivatelyAndFoundByServer) {
  TempDir tmp;
  const std::string path = tmp / "cfg/reel/credentials.json";
  ASSERT_OK_AND_ASSIGN(Credentials c, Credentials::Load(path));
  EXPECT_CODE(c.Find(""), Code::kNotFound);
  c.Set("https://a.example", {"alice", "reel_secret_a", ""});
  ASSERT_OK(c.Save());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((tmp / "cfg/reel").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  ASSERT_OK_AND_ASSIGN(Credentials back, Credentials::Load(path));
  ASSERT_OK_AND_ASSIGN(auto only, back.Find(""));
  EXPECT_EQ(only.first, "https://a.example");
  EXPECT_EQ(only.second.user, "alice");
  EXPECT_EQ(only.second.token, "reel_secret_a");
  ASSERT_OK_AND_ASSIGN(auto named, back.Find("HTTPS://A.example/"));
  EXPECT_EQ(named.second.user, "alice");
  EXPECT_CODE(back.Find("https://b.example"), Code::kNotFound);
  EXPECT_CODE(back.Find("not a url"), Code::kInvalidArgument);

  back.Set("https://b.example", {"bob", "reel_secret_b", "/etc/ca.pem"});
  EXPECT_CODE(back.Find(""), Code::kInvalidArgument) << "which one?";
  ASSERT_OK_AND_ASSIGN(auto b, back.Find("https://b.example"));
  EXPECT_EQ(b.second.ca_cert, "/etc/ca.pem");
  EXPECT_TRUE(back.Remove("https://a.example"));
  EXPECT_FALSE(back.Remove("https://a.example"));
  ASSERT_OK(back.Save());
  ASSERT_OK_AND_ASSIGN(Credentials after, Credentials::Load(path));
  EXPECT_EQ(after.servers().size(), 1u);
}

TEST(CredentialsTest, AFileOthersCanReadOrThatIsNotOursIsRefused) {
  TempDir tmp;
  const std::string path = tmp / "credentials.json";
  ASSERT_OK(WriteFileAtomic(path, std::string(R"({"servers":{}})"), 0644));
  EXPECT_CODE(Credentials::Load(path), Code::kPermissionDenied);
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  EXPECT_OK(Credentials::Load(path));
  for (const char* bad : {"", "[]", "{}", R"({"servers":[]})", R"({"servers":{"u":{"user":1}}})"}) {
    ASSERT_OK(WriteFileAtomic(path, std::string(bad), 0600));
    EXPECT_CODE(Credentials::Load(path), Code::kCorruption) << bad;
  }
}

}  // namespace
}  // namespace reel::testing
