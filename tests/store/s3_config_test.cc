// Pure unit tests of the S3 store's parsing: URI options, environment, credential files, query
// canonicalization and the XML documents. No server needed.
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "common/percent_encode.h"
#include "store/s3/s3_client.h"
#include "store/s3/s3_config.h"
#include "store/s3/s3_xml.h"
#include "testing/temp_dir.h"

namespace reel::s3 {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// An environment with no AWS settings and a HOME without ~/.aws.
EnvLookup EmptyEnv() { return FakeEnv({{"HOME", "/nonexistent-reel-home"}}); }

TEST(S3UriTest, BucketPrefixAndDefaults) {
  auto cfg = ParseS3Uri("s3://my-bucket/some/prefix/", EmptyEnv());
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->bucket, "my-bucket");
  EXPECT_EQ(cfg->prefix, "some/prefix");
  EXPECT_EQ(cfg->region, "us-east-1");
  EXPECT_EQ(cfg->endpoint, "https://s3.us-east-1.amazonaws.com");
  EXPECT_FALSE(cfg->path_style);  // AWS: virtual-hosted
  EXPECT_EQ(cfg->max_connections, 16);
  EXPECT_EQ(cfg->multipart_threshold, 64u << 20);
  EXPECT_EQ(cfg->part_size, 16u << 20);
  EXPECT_EQ(cfg->retry_deadline_ms, 20'000);
  EXPECT_FALSE(cfg->create_bucket);

  auto bare = ParseS3Uri("s3://bucket", EmptyEnv());
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->prefix, "");
}

TEST(S3UriTest, AllOptions) {
  auto cfg = ParseS3Uri(
      "s3://b.c-d/p?endpoint=http%3A%2F%2F127.0.0.1%3A7480/&region=eu-west-3&path_style=false&"
      "max_connections=4&multipart_threshold=32MiB&part_size=8MiB&multipart_parallelism=2&"
      "retry_deadline_ms=1500&connect_timeout_ms=250&stall_timeout_ms=2000&create_bucket=true",
      EmptyEnv());
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->endpoint, "http://127.0.0.1:7480");
  EXPECT_EQ(cfg->region, "eu-west-3");
  EXPECT_FALSE(cfg->path_style);  // explicit beats the IP default
  EXPECT_EQ(cfg->max_connections, 4);
  EXPECT_EQ(cfg->multipart_threshold, 32u << 20);
  EXPECT_EQ(cfg->part_size, 8u << 20);
  EXPECT_EQ(cfg->multipart_parallelism, 2);
  EXPECT_EQ(cfg->retry_deadline_ms, 1500);
  EXPECT_EQ(cfg->connect_timeout_ms, 250);
  EXPECT_EQ(cfg->stall_timeout_ms, 2000);
  EXPECT_TRUE(cfg->create_bucket);
}

TEST(S3UriTest, PathStyleDefaultsOnForIpAndLocalhostEndpoints) {
  for (const char* ep : {"http://127.0.0.1:7480", "http://localhost:9000", "http://[::1]:9000"}) {
    auto cfg = ParseS3Uri(std::string("s3://bkt?endpoint=") + ep, EmptyEnv());
    ASSERT_TRUE(cfg.ok()) << ep << ": " << cfg.status().ToString();
    EXPECT_TRUE(cfg->path_style) << ep;
  }
  auto named = ParseS3Uri("s3://bkt?endpoint=https://storage.googleapis.com", EmptyEnv());
  ASSERT_TRUE(named.ok());
  EXPECT_FALSE(named->path_style);
}

TEST(S3UriTest, EnvironmentSuppliesEndpointAndRegionAndUriWins) {
  auto env = FakeEnv({{"AWS_ENDPOINT_URL", "http://minio.local:9000"},
                      {"AWS_DEFAULT_REGION", "eu-central-1"},
                      {"AWS_CA_BUNDLE", "/etc/ssl/ca.pem"}});
  auto cfg = ParseS3Uri("s3://bkt", env);
  ASSERT_TRUE(cfg.ok());
  EXPECT_EQ(cfg->endpoint, "http://minio.local:9000");
  EXPECT_EQ(cfg->region, "eu-central-1");
  EXPECT_EQ(cfg->ca_bundle, "/etc/ssl/ca.pem");
  auto env2 = FakeEnv({{"AWS_REGION", "ap-south-1"}, {"AWS_DEFAULT_REGION", "eu-central-1"}});
  EXPECT_EQ(ParseS3Uri("s3://bkt", env2)->region, "ap-south-1");
  EXPECT_EQ(ParseS3Uri("s3://bkt", env2)->endpoint, "https://s3.ap-south-1.amazonaws.com");
  EXPECT_EQ(ParseS3Uri("s3://bkt?region=us-west-2", env2)->region, "us-west-2");
  EXPECT_EQ(ParseS3Uri("s3://bkt?endpoint=http://10.0.0.1", env)->endpoint, "http://10.0.0.1");
}

TEST(S3UriTest, RejectsBadUris) {
  const char* bad[] = {
      "s3://",                                   // no bucket
      "s3://ab",                                 // too short
      "s3://Upper",                              // upper case
      "s3://bad_bucket",                         // '_'
      "s3://-bucket",                            // leading '-'
      "s3://bucket/a/../b",                      // bad prefix
      "s3://bucket/a b",                         // bad prefix
      "s3://bucket?unknown=1",                   // unknown option
      "s3://bucket?access_key=AKIA",             // credentials never in the URI
      "s3://bucket?endpoint=ftp://host",         // scheme
      "s3://bucket?endpoint=http://u:p@host",    // user info
      "s3://bucket?endpoint=http://host/path",   // path
      "s3://bucket?path_style=maybe",
      "s3://bucket?max_connections=0",
      "s3://bucket?max_connections=abc",
      "s3://bucket?part_size=1MiB",              // below S3's 5 MiB minimum
      "s3://bucket?part_size=32MiB&multipart_threshold=16MiB",
      "s3://bucket?region=",
      "s3://bucket?endpoint=%zz",
  };
  for (const char* uri : bad) {
    auto cfg = ParseS3Uri(uri, EmptyEnv());
    EXPECT_EQ(cfg.status().code(), Code::kInvalidArgument) << uri;
  }
  // Error messages name the option but do not echo values.
  auto s = ParseS3Uri("s3://bucket?endpoint=http://user:SECRETVALUE@host", EmptyEnv());
  EXPECT_EQ(s.status().message().find("SECRETVALUE"), std::string::npos) << s.status().message();
}

TEST(S3IniTest, ParsesSectionsCommentsAndSubsections) {
  auto ini = ParseIni(
      "# comment\n"
      "[default]\n"
      "aws_access_key_id = AKIDEFAULT\n"
      "AWS_Secret_Access_Key=secret=with=equals  \n"
      "; another comment\n"
      "s3 =\n"
      "  max_concurrent_requests = 10\n"
      "\n"
      "[profile dev]\r\n"
      "region = eu-west-1\r\n"
      "orphan line without equals\n");
  ASSERT_EQ(ini.size(), 2u);
  EXPECT_EQ(ini["default"]["aws_access_key_id"], "AKIDEFAULT");
  EXPECT_EQ(ini["default"]["aws_secret_access_key"], "secret=with=equals");
  EXPECT_FALSE(ini["default"].contains("max_concurrent_requests"));
  EXPECT_EQ(ini["profile dev"]["region"], "eu-west-1");
}

class S3CredentialsTest : public ::testing::Test {
 protected:
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  reel::testing::TempDir dir_;
};

TEST_F(S3CredentialsTest, EnvironmentFirst) {
  Write("credentials", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = FILESECRET\n");
  auto c = LoadS3Credentials(FakeEnv({{"AWS_ACCESS_KEY_ID", "ENVKEY"},
                                      {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"},
                                      {"AWS_SESSION_TOKEN", "TOKEN"},
                                      {"AWS_SHARED_CREDENTIALS_FILE", dir_ / "credentials"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "ENVKEY");
  EXPECT_EQ(c->secret_access_key, "ENVSECRET");
  EXPECT_EQ(c->session_token, "TOKEN");
  EXPECT_EQ(c->source, "environment");
}

TEST_F(S3CredentialsTest, SharedCredentialsFileWithProfile) {
  Write("credentials",
        "[default]\naws_access_key_id = DEFKEY\naws_secret_access_key = DEFSECRET\n"
        "[studio]\naws_access_key_id = STUDIOKEY\naws_secret_access_key = STUDIOSECRET\n"
        "aws_session_token = STUDIOTOKEN\n");
  auto env = FakeEnv({{"AWS_SHARED_CREDENTIALS_FILE", dir_ / "credentials"},
                      {"AWS_CONFIG_FILE", dir_ / "none"}});
  auto c = LoadS3Credentials(env);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "DEFKEY");
  auto p = LoadS3Credentials(FakeEnv({{"AWS_SHARED_CREDENTIALS_FILE", dir_ / "credentials"},
                                      {"AWS_CONFIG_FILE", dir_ / "none"},
                                      {"AWS_PROFILE", "studio"}}));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->access_key_id, "STUDIOKEY");
  EXPECT_EQ(p->secret_access_key, "STUDIOSECRET");
  EXPECT_EQ(p->session_token, "STUDIOTOKEN");
}

TEST_F(S3CredentialsTest, HomeDefaultsAndConfigFileProfiles) {
  std::filesystem::create_directories(dir_ / ".aws");
  Write(".aws/config",
        "[default]\nregion = eu-north-1\n"
        "[profile render]\nregion = us-west-2\naws_access_key_id = CFGKEY\n"
        "aws_secret_access_key = CFGSECRET\n");
  auto env = FakeEnv({{"HOME", dir_.path()}, {"AWS_PROFILE", "render"}});
  auto c = LoadS3Credentials(env);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "CFGKEY");
  // The region comes from the profile too.
  EXPECT_EQ(ParseS3Uri("s3://bkt", env)->region, "us-west-2");
  EXPECT_EQ(ParseS3Uri("s3://bkt", FakeEnv({{"HOME", dir_.path()}}))->region, "eu-north-1");
}

TEST_F(S3CredentialsTest, NoneIsNotFoundWithoutSecrets) {
  Write("credentials", "[default]\naws_access_key_id = ONLYKEY\n");  // no secret
  auto c = LoadS3Credentials(FakeEnv({{"AWS_SHARED_CREDENTIALS_FILE", dir_ / "credentials"},
                                      {"AWS_CONFIG_FILE", dir_ / "none"},
                                      {"AWS_ACCESS_KEY_ID", "X"}}));  // no env secret either
  EXPECT_EQ(c.status().code(), Code::kNotFound);
  EXPECT_NE(c.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
}

TEST(S3QueryTest, SortedAndEncoded) {
  EXPECT_EQ(CanonicalQuery({{"prefix", "dir/a b"}, {"list-type", "2"}, {"continuation-token", "a+b=="}}),
            "continuation-token=a%2Bb%3D%3D&list-type=2&prefix=dir%2Fa%20b");
  EXPECT_EQ(CanonicalQuery({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(PercentEncode("chunks/ab/x~y_z.-", true), "chunks/ab/x~y_z.-");
  EXPECT_EQ(PercentEncode("a/b"), "a%2Fb");
}

TEST(S3XmlTest, ListObjectsV2Page) {
  auto page = ParseListObjectsV2(
      R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>
<Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>
<NextContinuationToken>tok/en==</NextContinuationToken>
<Contents><Key>p/a&amp;b</Key><LastModified>2026-11-22T10:24:00.250Z</LastModified><ETag>"x"</ETag><Size>12</Size></Contents>
<Contents><Key>p/c</Key><LastModified>1970-01-01T00:00:01.000Z</LastModified><Size>0</Size></Contents>
</ListBucketResult>)");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "tok/en==");
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "p/a&b");
  EXPECT_EQ(page->objects[0].size, 12u);
  EXPECT_EQ(page->objects[0].mtime_unix_ns, 1795343040'250'000'000);
  EXPECT_EQ(page->objects[1].mtime_unix_ns, 1'000'000'000);
  EXPECT_EQ(ParseListObjectsV2("<Error/>").status().code(), Code::kCorruption);
  EXPECT_EQ(ParseListObjectsV2("not xml").status().code(), Code::kCorruption);
  EXPECT_EQ(ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>")
                .status().code(), Code::kCorruption);
}

TEST(S3XmlTest, MultipartAndErrors) {
  auto id = ParseInitiateMultipartUpload(
      "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>2~abc</UploadId>"
      "</InitiateMultipartUploadResult>");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "2~abc");
  EXPECT_FALSE(ParseInitiateMultipartUpload("<InitiateMultipartUploadResult/>").ok());

  auto err = ParseS3Error(
      "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><Message>bad sig</Message>"
      "<StringToSign>AWS4-HMAC-SHA256...</StringToSign></Error>");
  EXPECT_EQ(err.code, "SignatureDoesNotMatch");
  EXPECT_EQ(err.message, "bad sig");
  EXPECT_EQ(ParseS3Error("").code, "");
  EXPECT_EQ(ParseS3Error("<html>502</html>").code, "");

  EXPECT_EQ(BuildCompleteMultipartUpload({{1, "\"e1\""}, {2, "\"e2\""}}),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag>"
            "</Part><Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
}

}  // namespace
}  // namespace reel::s3
