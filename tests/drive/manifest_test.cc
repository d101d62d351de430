#include "drive/manifest.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "common/fs_util.h"
#include "testing/temp_dir.h"

namespace reel {
namespace {

using testing::TempDir;

constexpr const char* kValid = R"(
format = 1

[drive]
id = "3b1f0c9e-8d7a-4f21-9c55-0a1b2c3d4e5f"
name = "studio"

[catalog]
uri = "sqlite://catalog.db"

[[tier]]
name = "local"
uri = "file://store"

[chunking]
algorithm = "fastcdc"
min_size = "128KiB"
avg_size = "512KiB"
max_size = "2MiB"
fixed_size = "32MiB"

[versions]
policy = "interval"
interval_seconds = 15
trash_retention_days = 7

[cache]
staging_dir = "staging"
chunk_cache = "1GiB"

[gc]
grace_seconds = 600

[transfer]
upload_threads = 4
)";

// kValid with `from` replaced by `to` (which must occur).
std::string Edit(const std::string& from, const std::string& to) {
  std::string s = kValid;
  size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos == std::string::npos) return s;
  return s.replace(pos, from.size(), to);
}

Status ParseError(const std::string& text) {
  auto m = ParseManifest(text, "/drives/d/reel.toml");
  EXPECT_FALSE(m.ok()) << text;
  return m.ok() ? Status::Ok() : m.status();
}

Manifest Sample() {
  Manifest m;
  m.id = NewDriveId();
  m.name = "Ünïcode \"quoted\" \\ name";
  m.catalog_uri = "sqlite://meta/catalog.db";
  m.tiers = {{"local", "file:///abs/store"}};
  m.chunking.kind = ChunkerOptions::Kind::kFixed;
  m.chunking.fixed_size = 64u << 20;
  m.chunking.min_size = 64 * 1024;
  m.chunking.avg_size = 256 * 1024;
  m.chunking.max_size = 1000000;  // not a whole number of KiB: written as bytes
  m.policy = VersionPolicy::kManual;
  m.interval_seconds = 120;
  m.trash_retention_days = 0;
  m.staging_dir = "/var/tmp/reel-staging";
  m.chunk_cache_bytes = 3ull << 30;
  m.gc_grace_seconds = 0;
  m.upload_threads = 8;
  return m;
}

TEST(ManifestTest, ParsesEveryKey) {
  auto m = ParseManifest(kValid, "/drives/d/reel.toml");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->id, "3b1f0c9e-8d7a-4f21-9c55-0a1b2c3d4e5f");
  EXPECT_EQ(m->name, "studio");
  EXPECT_EQ(m->catalog_uri, "sqlite://catalog.db");
  ASSERT_EQ(m->tiers.size(), 1u);
  EXPECT_EQ(m->tiers[0].name, "local");
  EXPECT_EQ(m->tiers[0].uri, "file://store");
  EXPECT_EQ(m->chunking.kind, ChunkerOptions::Kind::kFastCdc);
  EXPECT_EQ(m->chunking.min_size, 128u * 1024);
  EXPECT_EQ(m->chunking.avg_size, 512u * 1024);
  EXPECT_EQ(m->chunking.max_size, 2u << 20);
  EXPECT_EQ(m->chunking.fixed_size, 32u << 20);
  EXPECT_EQ(m->policy, VersionPolicy::kInterval);
  EXPECT_EQ(m->interval_seconds, 15u);
  EXPECT_EQ(m->trash_retention_days, 7u);
  EXPECT_EQ(m->staging_dir, "staging");
  EXPECT_EQ(m->chunk_cache_bytes, 1ull << 30);
  EXPECT_EQ(m->gc_grace_seconds, 600u);
  EXPECT_EQ(m->upload_threads, 4u);
}

TEST(ManifestTest, OptionalTablesTakeDefaults) {
  auto m = ParseManifest(R"(
[drive]
id = "3b1f0c9e-8d7a-4f21-9c55-0a1b2c3d4e5f"
name = "d"
[catalog]
uri = "sqlite://catalog.db"
[[tier]]
name = "local"
uri = "file://store"
)",
                         "/x/reel.toml");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  Manifest defaults;
  EXPECT_EQ(m->chunking.kind, defaults.chunking.kind);
  EXPECT_EQ(m->chunking.avg_size, defaults.chunking.avg_size);
  EXPECT_EQ(m->policy, VersionPolicy::kOnClose);
  EXPECT_EQ(m->staging_dir, "staging");
  EXPECT_EQ(m->chunk_cache_bytes, defaults.chunk_cache_bytes);
}

TEST(ManifestTest, WriteThenLoadRoundTrips) {
  TempDir dir;
  Manifest m = Sample();
  std::string path = dir / "reel.toml";
  ASSERT_TRUE(WriteManifest(path, m).ok());
  auto loaded = LoadManifest(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  m.dir = dir.path();
  EXPECT_EQ(*loaded, m);
  // Writing what was loaded gives the same bytes.
  EXPECT_EQ(FormatManifest(*loaded), FormatManifest(m));

  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(ManifestTest, SizesAreWrittenExactly) {
  EXPECT_EQ(FormatExactSize(0), "0");
  EXPECT_EQ(FormatExactSize(1000), "1000");
  EXPECT_EQ(FormatExactSize(4096), "4KiB");
  EXPECT_EQ(FormatExactSize(64ull << 20), "64MiB");
  EXPECT_EQ(FormatExactSize(1536ull << 20), "1536MiB");
  EXPECT_EQ(FormatExactSize(2ull << 40), "2TiB");
  // Integers are accepted as bytes too.
  auto m = ParseManifest(Edit("chunk_cache = \"1GiB\"", "chunk_cache = 1048576"), "/d/reel.toml");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->chunk_cache_bytes, 1u << 20);
}

TEST(ManifestTest, RelativePathsResolveAgainstTheManifestDirectory) {
  auto m = ParseManifest(kValid, "/drives/d/reel.toml");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->dir, "/drives/d");
  EXPECT_EQ(m->ResolvedCatalogUri(), "sqlite:///drives/d/catalog.db");
  EXPECT_EQ(m->ResolvedTierUri(m->tiers[0]), "file:///drives/d/store");
  EXPECT_EQ(m->ResolvedStagingDir(), "/drives/d/staging");
  EXPECT_EQ(ToEngineOptions(*m).staging_dir, "/drives/d/staging");

  // Sub-directories and "./" are normalized; absolute paths and special URIs stay as written.
  Manifest abs = *m;
  abs.catalog_uri = "sqlite://./meta/../meta/catalog.db";
  abs.tiers[0].uri = "file:///srv/reel/store";
  abs.staging_dir = "/fast/staging";
  EXPECT_EQ(abs.ResolvedCatalogUri(), "sqlite:///drives/d/meta/catalog.db");
  EXPECT_EQ(abs.ResolvedTierUri(abs.tiers[0]), "file:///srv/reel/store");
  EXPECT_EQ(abs.ResolvedStagingDir(), "/fast/staging");
  abs.catalog_uri = "sqlite:///srv/catalog.db";
  EXPECT_EQ(abs.ResolvedCatalogUri(), "sqlite:///srv/catalog.db");
  abs.catalog_uri = "sqlite::memory:";
  abs.tiers[0].uri = "memory://t";
  EXPECT_EQ(abs.ResolvedCatalogUri(), "sqlite::memory:");
  EXPECT_EQ(abs.ResolvedTierUri(abs.tiers[0]), "memory://t");
}

TEST(ManifestTest, MovedDriveDirectoryResolvesToItsNewPlace) {
  TempDir a, b;
  Manifest m = Sample();
  m.catalog_uri = "sqlite://catalog.db";
  m.tiers = {{"local", "file://store"}};
  m.staging_dir = "staging";
  ASSERT_TRUE(WriteManifest(a / "reel.toml", m).ok());
  ASSERT_EQ(std::rename((a / "reel.toml").c_str(), (b / "reel.toml").c_str()), 0);
  auto loaded = LoadManifest(b / "reel.toml");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->dir, b.path());
  EXPECT_EQ(loaded->ResolvedCatalogUri(), "sqlite://" + b.path() + "/catalog.db");
  EXPECT_EQ(loaded->ResolvedStagingDir(), b.path() + "/staging");
}

TEST(ManifestTest, LoadingARelativePathGivesAnAbsoluteDir) {
  TempDir dir;
  ASSERT_TRUE(WriteManifest(dir / "reel.toml", Sample()).ok());
  char cwd[4096];
  ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
  ASSERT_EQ(::chdir(dir.path().c_str()), 0);
  auto loaded = LoadManifest("reel.toml");
  ASSERT_EQ(::chdir(cwd), 0);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->dir, dir.path());
}

TEST(ManifestTest, BadPolicyNamesFileKeyAndValue) {
  Status s = ParseError(Edit("policy = \"interval\"", "policy = \"sometimes\""));
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("/drives/d/reel.toml"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("[versions] policy"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("sometimes"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("on-close"), std::string::npos) << s.message();
}

TEST(ManifestTest, BadSizeNamesTheKey) {
  Status s = ParseError(Edit("min_size = \"128KiB\"", "min_size = \"128 parsecs\""));
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("[chunking] min_size"), std::string::npos) << s.message();
  s = ParseError(Edit("chunk_cache = \"1GiB\"", "chunk_cache = -5"));
  EXPECT_NE(s.message().find("[cache] chunk_cache"), std::string::npos) << s.message();
  s = ParseError(Edit("max_size = \"2MiB\"", "max_size = \"8GiB\""));
  EXPECT_NE(s.message().find("[chunking] max_size"), std::string::npos) << s.message();
  s = ParseError(Edit("max_size = \"2MiB\"", "max_size = true"));
  EXPECT_NE(s.message().find("[chunking] max_size"), std::string::npos) << s.message();
}

TEST(ManifestTest, UnknownKeysAndTablesAreErrors) {
  Status s = ParseError(Edit("policy = \"interval\"", "polcy = \"interval\""));
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("polcy"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("unknown key"), std::string::npos) << s.message();
  // The line of the typo is reported.
  EXPECT_NE(s.message().find("reel.toml:23:"), std::string::npos) << s.message();

  s = ParseError(std::string(kValid) + "\n[chunkng]\nalgorithm = \"fixed\"\n");
  EXPECT_NE(s.message().find("chunkng"), std::string::npos) << s.message();
  s = ParseError(Edit("uri = \"file://store\"", "uri = \"file://store\"\nregion = \"eu\""));
  EXPECT_NE(s.message().find("[[tier]] #1 region"), std::string::npos) << s.message();
}

TEST(ManifestTest, ChunkBoundsAreChecked) {
  Status s = ParseError(Edit("min_size = \"128KiB\"", "min_size = \"4MiB\""));
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("[chunking] min_size"), std::string::npos) << s.message();
  s = ParseError(Edit("avg_size = \"512KiB\"", "avg_size = \"8MiB\""));
  EXPECT_NE(s.message().find("[chunking]"), std::string::npos) << s.message();
  // Not a power of two: ValidateChunkerOptions says no.
  s = ParseError(Edit("avg_size = \"512KiB\"", "avg_size = \"500KiB\""));
  EXPECT_NE(s.message().find("[chunking]"), std::string::npos) << s.message();
  s = ParseError(Edit("fixed_size = \"32MiB\"", "fixed_size = \"1KiB\""));
  EXPECT_NE(s.message().find("[chunking]"), std::string::npos) << s.message();
  s = ParseError(Edit("algorithm = \"fastcdc\"", "algorithm = \"rabin\""));
  EXPECT_NE(s.message().find("[chunking] algorithm"), std::string::npos) << s.message();
}

TEST(ManifestTest, TypesRangesAndRequiredKeysAreChecked) {
  Status s = ParseError(Edit("interval_seconds = 15", "interval_seconds = \"15\""));
  EXPECT_NE(s.message().find("[versions] interval_seconds: must be an integer"),
            std::string::npos)
      << s.message();
  s = ParseError(Edit("interval_seconds = 15", "interval_seconds = 0"));
  EXPECT_NE(s.message().find("out of range"), std::string::npos) << s.message();
  s = ParseError(Edit("upload_threads = 4", "upload_threads = 1000"));
  EXPECT_NE(s.message().find("[transfer] upload_threads"), std::string::npos) << s.message();
  s = ParseError(Edit("id = \"3b1f0c9e-8d7a-4f21-9c55-0a1b2c3d4e5f\"\n", ""));
  EXPECT_NE(s.message().find("[drive] id: missing"), std::string::npos) << s.message();
  s = ParseError(Edit("3b1f0c9e-8d7a", "not-a-uuid"));
  EXPECT_NE(s.message().find("[drive] id"), std::string::npos) << s.message();
  s = ParseError(Edit("uri = \"sqlite://catalog.db\"", "uri = \"postgres://db/reel\""));
  EXPECT_NE(s.message().find("[catalog] uri"), std::string::npos) << s.message();
  s = ParseError(Edit("[[tier]]\nname = \"local\"\nuri = \"file://store\"\n", ""));
  EXPECT_NE(s.message().find("tier"), std::string::npos) << s.message();
  s = ParseError(Edit("format = 1", "format = 2"));
  EXPECT_EQ(s.code(), Code::kNotSupported);
}

TEST(ManifestTest, TiersAreLocalThenEdgeThenCloud) {
  const std::string local = "uri = \"file://store\"\n";
  auto with = [&](const std::string& extra) { return Edit(local, local + extra); };
  Status s = ParseError(with("\n[[tier]]\nname = \"local\"\nuri = \"file://b\"\n"));
  EXPECT_NE(s.message().find("duplicate tier"), std::string::npos) << s.message();

  // edge and cloud, any store, in order; the local tier may have a limit.
  auto m = ParseManifest(
      Edit(local, local + "limit = \"2GiB\"\n\n[[tier]]\nname = \"edge\"\nuri = \"rados://pool/x\"\n"
                          "\n[[tier]]\nname = \"cloud\"\nuri = \"s3://bucket/drive?region=eu-west-1\"\n"),
      "/drives/d/reel.toml");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->tiers.size(), 3u);
  EXPECT_EQ(m->tiers[0].limit_bytes, 2ull << 30);
  EXPECT_EQ(m->FindTier("edge")->uri, "rados://pool/x");
  EXPECT_EQ(m->FindTier("cloud")->uri, "s3://bucket/drive?region=eu-west-1");
  auto again = ParseManifest(FormatManifest(*m), "/drives/d/reel.toml");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->tiers, m->tiers) << "tiers survive a write and a read";

  s = ParseError(with("\n[[tier]]\nname = \"cloud\"\nuri = \"s3://b\"\n"
                      "\n[[tier]]\nname = \"edge\"\nuri = \"s3://c\"\n"));
  EXPECT_NE(s.message().find("order local, edge, cloud"), std::string::npos) << s.message();
  s = ParseError(with("\n[[tier]]\nname = \"archive\"\nuri = \"s3://b\"\n"));
  EXPECT_NE(s.message().find("unknown tier 'archive'"), std::string::npos) << s.message();
  s = ParseError(with("\n[[tier]]\nname = \"cloud\"\nuri = \"ftp://b\"\n"));
  EXPECT_NE(s.message().find("not a supported store"), std::string::npos) << s.message();
  s = ParseError(with("\n[[tier]]\nname = \"cloud\"\nuri = \"s3://b\"\nlimit = \"1GiB\"\n"));
  EXPECT_NE(s.message().find("only the local tier has a size limit"), std::string::npos)
      << s.message();
  // The local tier is a directory on this machine, never a remote store.
  s = ParseError(Edit("uri = \"file://store\"", "uri = \"s3://bucket\""));
  EXPECT_NE(s.message().find("[[tier]] #1 uri"), std::string::npos) << s.message();
}

TEST(ManifestTest, SyntaxErrorsGiveLineAndColumn) {
  Status s = ParseError("[drive\nid = 1\n");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("/drives/d/reel.toml:1:"), std::string::npos) << s.message();
}

TEST(ManifestTest, MissingFileIsNotFound) {
  EXPECT_EQ(LoadManifest("/nonexistent/reel.toml").status().code(), Code::kNotFound);
}

TEST(ManifestTest, WriteRefusesAnInvalidManifest) {
  TempDir dir;
  Manifest m = Sample();
  m.chunking.min_size = m.chunking.max_size + 1;
  Status s = WriteManifest(dir / "reel.toml", m);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("min_size"), std::string::npos) << s.message();
  EXPECT_EQ(ReadWholeFile(dir / "reel.toml").status().code(), Code::kNotFound);
}

TEST(ManifestTest, EngineOptionsComeFromTheManifest) {
  auto m = ParseManifest(kValid, "/drives/d/reel.toml");
  ASSERT_TRUE(m.ok());
  EngineOptions o = ToEngineOptions(*m);
  EXPECT_EQ(o.chunking.avg_size, 512u * 1024);
  EXPECT_EQ(o.policy, VersionPolicy::kInterval);
  EXPECT_EQ(o.interval_seconds, 15u);
  EXPECT_EQ(o.chunk_cache_bytes, 1ull << 30);
  EXPECT_EQ(o.trash_retention_seconds, 7 * 24 * 3600);
  EXPECT_EQ(o.gc_grace_seconds, 600);
  EXPECT_EQ(o.upload_threads, 4u);
}

TEST(ManifestTest, PolicyAndChunkingNamesRoundTrip) {
  for (auto p : {VersionPolicy::kOnClose, VersionPolicy::kInterval, VersionPolicy::kManual}) {
    auto parsed = ParsePolicy(PolicyName(p));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, p);
  }
  EXPECT_FALSE(ParsePolicy("on_close").ok());
  EXPECT_EQ(*ParseChunking("fixed"), ChunkerOptions::Kind::kFixed);
  EXPECT_FALSE(ParseChunking("FIXED").ok());
}

TEST(ManifestTest, DriveIdsAreRandomUuids) {
  std::string a = NewDriveId(), b = NewDriveId();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');  // version 4
  Manifest m = Sample();
  m.id = a;
  EXPECT_TRUE(ValidateManifest(m).ok());
}

TEST(ManifestTest, CatalogBackupKeys) {
  auto parse = [](const std::string& keys) {
    return ParseManifest(R"(
[drive]
id = "3b1f0c9e-8d7a-4f21-9c55-0a1b2c3d4e5f"
name = "d"
[catalog]
uri = "sqlite://catalog.db"
)" + keys + R"(
[[tier]]
name = "local"
uri = "file://store"
)",
                         "/x/reel.toml");
  };
  auto defaults = parse("");
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_EQ(defaults->backup_interval_seconds, 3600u);
  EXPECT_EQ(defaults->backup_keep, 24u);
  auto set = parse("backup_interval = \"30min\"\nbackup_keep = 5");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->backup_interval_seconds, 1800u);
  EXPECT_EQ(set->backup_keep, 5u);
  EXPECT_EQ(parse("backup_interval = 90")->backup_interval_seconds, 90u);
  EXPECT_EQ(parse("backup_interval = \"2d\"")->backup_interval_seconds, 2u * 86400);
  EXPECT_EQ(parse("backup_interval = 0")->backup_interval_seconds, 0u);
  auto bad_unit = parse("backup_interval = \"1 fortnight\"");
  EXPECT_NE(bad_unit.status().message().find("[catalog] backup_interval"), std::string::npos)
      << bad_unit.status().ToString();
  EXPECT_FALSE(parse("backup_interval = -1").ok());
  EXPECT_FALSE(parse("backup_keep = 0").ok());
  // Written back as they were read.
  auto again = ParseManifest(FormatManifest(*set), "/x/reel.toml");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->backup_interval_seconds, 1800u);
  EXPECT_EQ(again->backup_keep, 5u);
}

// The example in docs/manifest.md must stay a valid manifest.
TEST(ManifestTest, DocumentedExampleIsValid) {
  auto doc = ReadWholeFile(std::string(REEL_SOURCE_DIR) + "/docs/manifest.md");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  size_t start = doc->find("```toml\n");
  ASSERT_NE(start, std::string::npos);
  start += 8;
  size_t end = doc->find("```", start);
  ASSERT_NE(end, std::string::npos);
  auto m = ParseManifest(doc->substr(start, end - start), "/drives/example/reel.toml");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
}

}  // namespace
}  // namespace reel
