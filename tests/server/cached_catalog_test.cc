// CachedCatalog over a real SQLite catalog that "another machine" also changes directly, with a
// clock the test moves: this machine's changes show at once, another's once the kept answers
// expire; a listing answers the lookups and xattr probes of its entries without asking again.
#include "remote/cached_catalog.h"

#include <gtest/gtest.h>

#include <atomic>

#include "catalog/catalog_test_util.h"

namespace reel::testing {
namespace {

// Counts the calls that reach the catalog behind the cache.
class CountingCatalog : public CatalogWrapper {
 public:
  using CatalogWrapper::CatalogWrapper;
  Result<Attributes> Lookup(InodeId parent, const std::string& name) override {
    ++calls;
    return CatalogWrapper::Lookup(parent, name);
  }
  Result<Attributes> GetAttributes(InodeId ino) override {
    ++calls;
    return CatalogWrapper::GetAttributes(ino);
  }
  Result<std::vector<DirEntry>> ReadDir(InodeId parent, uint64_t after, size_t limit) override {
    ++calls;
    return CatalogWrapper::ReadDir(parent, after, limit);
  }
  Result<std::string> GetXattr(InodeId ino, const std::string& name) override {
    ++calls;
    return CatalogWrapper::GetXattr(ino, name);
  }
  std::atomic<int> calls{0};
};

class CachedCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("reel-cached");
    auto shared = OpenCatalog("sqlite://" + dir_ + "/catalog.db", kTestUid, kTestGid);
    ASSERT_TRUE(shared.ok()) << shared.status().ToString();
    auto other = OpenCatalog("sqlite://" + dir_ + "/catalog.db", kTestUid, kTestGid);
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    other_ = std::move(other).value();
    auto counting = std::make_unique<CountingCatalog>(std::move(shared).value());
    counting_ = counting.get();
    cache_ = std::make_unique<CachedCatalog>(std::move(counting), std::chrono::milliseconds(1000),
                                             [this] { return now_; });
  }
  void TearDown() override {
    cache_.reset();
    other_.reset();
    RemoveTree(dir_);
  }
  NewNode File() {
    NewNode n;
    n.uid = kTestUid;
    n.gid = kTestGid;
    return n;
  }
  TimeNs T() { return t_ += 1000; }

  std::string dir_;
  std::unique_ptr<Catalog> other_;  // another machine, writing to the same catalog
  CountingCatalog* counting_ = nullptr;
  std::unique_ptr<CachedCatalog> cache_;
  CachedCatalog::Clock::time_point now_{};
  TimeNs t_ = 1'800'000'000'000'000'000;
};

TEST_F(CachedCatalogTest, ThisMachineSeesItsChangesAtOnceAnotherWithinTheTtl) {
  EXPECT_CODE(cache_->Lookup(kRootInode, "shot.exr"), Code::kNotFound);
  ASSERT_OK_AND_ASSIGN(Attributes mine, cache_->CreateNode(kRootInode, "shot.exr", File(), T()));
  ASSERT_OK_AND_ASSIGN(Attributes found, cache_->Lookup(kRootInode, "shot.exr"));
  EXPECT_EQ(found.ino, mine.ino) << "its own create, at once";
  AttrUpdate chmod;
  chmod.mode = 0600;
  ASSERT_OK(cache_->SetAttributes(mine.ino, chmod, T()).status());
  EXPECT_EQ(cache_->GetAttributes(mine.ino)->mode, 0600u) << "its own change, at once";

  // What this machine has read (a listing of the root) is kept; another machine's create and
  // chmod are not seen while it is fresh...
  ASSERT_OK(cache_->ReadDir(kRootInode, 0, 100).status());
  ASSERT_OK(other_->CreateNode(kRootInode, "theirs.exr", File(), T()).status());
  chmod.mode = 0640;
  ASSERT_OK(other_->SetAttributes(mine.ino, chmod, T()).status());
  EXPECT_CODE(cache_->Lookup(kRootInode, "theirs.exr"), Code::kNotFound);
  EXPECT_EQ(cache_->GetAttributes(mine.ino)->mode, 0600u);
  // ... and seen once they expire.
  now_ += std::chrono::milliseconds(1001);
  EXPECT_OK(cache_->Lookup(kRootInode, "theirs.exr").status());
  EXPECT_EQ(cache_->GetAttributes(mine.ino)->mode, 0640u);
}

TEST_F(CachedCatalogTest, AListingAnswersTheLookupsAndProbesOfItsEntries) {
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK(other_->CreateNode(kRootInode, "f" + std::to_string(i), File(), T()).status());
  }
  ASSERT_OK_AND_ASSIGN(Attributes tagged, other_->Lookup(kRootInode, "f7"));
  ASSERT_OK(other_->SetXattr(tagged.ino, "user.status", "final", false, false));
  ASSERT_OK_AND_ASSIGN(auto entries, cache_->ReadDir(kRootInode, 0, 100));
  ASSERT_EQ(entries.size(), 50u);
  const int after_listing = counting_->calls;
  for (const DirEntry& e : entries) {
    ASSERT_OK_AND_ASSIGN(Attributes a, cache_->Lookup(kRootInode, e.name));
    EXPECT_EQ(a.ino, e.attr.ino);
    EXPECT_OK(cache_->GetAttributes(e.attr.ino).status());
    EXPECT_CODE(cache_->GetXattr(e.attr.ino, "security.selinux"), Code::kNoData);
  }
  EXPECT_EQ(counting_->calls, after_listing) << "ls -l asked nothing more";
  EXPECT_EQ(*cache_->GetXattr(tagged.ino, "user.status"), "final") << "a listed name is fetched";
  EXPECT_CODE(cache_->Lookup(kRootInode, "f50"), Code::kNotFound) << "the listing was whole";
  EXPECT_CODE(cache_->Lookup(kRootInode, std::string(300, 'n')), Code::kNameTooLong);
}

TEST_F(CachedCatalogTest, AFileWrittenInAListedDirectoryIsFoundAfterItsCommit) {
  ASSERT_OK(cache_->ReadDir(kRootInode, 0, 100).status());  // the root is listed, whole
  ASSERT_OK_AND_ASSIGN(Attributes f, cache_->CreateNode(kRootInode, "late.txt", File(), T()));
  NewVersion v;
  v.size = 0;
  ASSERT_OK(cache_->CommitVersion(f.ino, v, T()).status());  // its attributes are forgotten
  ASSERT_OK_AND_ASSIGN(Attributes found, cache_->Lookup(kRootInode, "late.txt"));
  EXPECT_EQ(found.ino, f.ino);
  EXPECT_EQ(found.version, 1u);
}

TEST_F(CachedCatalogTest, AFirstLookupBringsItsDirectory) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(other_->CreateNode(kRootInode, "p" + std::to_string(i), File(), T()).status());
  }
  ASSERT_OK(cache_->Lookup(kRootInode, "p0").status());
  const int after_first = counting_->calls;
  for (int i = 1; i < 20; ++i)
    ASSERT_OK(cache_->Lookup(kRootInode, "p" + std::to_string(i)).status());
  EXPECT_EQ(counting_->calls, after_first) << "stat of every file of a directory: one listing";
}

}  // namespace
}  // namespace reel::testing
