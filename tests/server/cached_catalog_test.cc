// CachedCatalog over a real SQLite catalog that "another machine" also changes directly, with a
// clock the test moves: this machine's changes show at once, another's once the kept answers
// expire; a listing answers the lookups and xattr probes of its entries without asking again.
#include "remote/cached_catalog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <future>
#include <thread>

#include "catalog/catalog_test_util.h"

namespace reel::testing {
namespace {

// Counts the calls that reach the catalog behind the cache.
class CountingCatalog : public CatalogWrapper {
 public:
  using CatalogWrapper::CatalogWrapper;
  void Called() {
    ++calls;
    if (on_call) on_call();
  }
  Result<Attributes> Lookup(InodeId parent, const std::string& name) override {
    Called();
    ++lookups;
    return CatalogWrapper::Lookup(parent, name);
  }
  Result<Attributes> GetAttributes(InodeId ino) override {
    Called();
    return CatalogWrapper::GetAttributes(ino);
  }
  Result<std::vector<DirEntry>> ReadDir(InodeId parent, uint64_t after, size_t limit) override {
    Called();
    return CatalogWrapper::ReadDir(parent, after, limit);
  }
  Result<std::string> GetXattr(InodeId ino, const std::string& name) override {
    Called();
    return CatalogWrapper::GetXattr(ino, name);
  }
  std::atomic<int> calls{0};
  std::atomic<int> lookups{0};
  std::function<void()> on_call;  // what each call does besides (the test's clock moving on)
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
                                             [this] { return now_.Get(); });
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
  // The cache's clock, moved on by the test and read by the cache's lister thread too.
  struct TestClock {
    std::atomic<CachedCatalog::Clock::rep> ticks{0};
    TestClock& operator+=(std::chrono::milliseconds d) {
      ticks += std::chrono::duration_cast<CachedCatalog::Clock::duration>(d).count();
      return *this;
    }
    CachedCatalog::Clock::time_point Get() const {
      return CachedCatalog::Clock::time_point(CachedCatalog::Clock::duration(ticks.load()));
    }
  };
  TestClock now_;
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

// The change feed's events of another machine's changes make them show at once, the clock
// standing still: a create in a listed directory costs one lookup, not the listing again.
TEST_F(CachedCatalogTest, TheFeedsEventsShowAnotherMachinesChangesBeforeTheTtl) {
  uint64_t cursor = 0;
  auto forget_new_events = [&] {
    ASSERT_OK_AND_ASSIGN(EventPage page, other_->ReadEvents({cursor, kMaxEventsPerRead, ""}));
    ASSERT_FALSE(page.events.empty());
    cursor = page.events.back().seq;
    cache_->Forget(page.events);
  };
  ASSERT_OK_AND_ASSIGN(Attributes plates, other_->CreateNode(kRootInode, "plates",
                                                             [&] {
                                                               NewNode d = File();
                                                               d.type = FileType::kDirectory;
                                                               d.mode = 0755;
                                                               return d;
                                                             }(),
                                                             T()));
  forget_new_events();
  ASSERT_OK(cache_->ReadDir(plates.ino, 0, 100).status());  // listed, whole
  EXPECT_CODE(cache_->Lookup(plates.ino, "a.exr"), Code::kNotFound);

  ASSERT_OK_AND_ASSIGN(Attributes a, other_->CreateNode(plates.ino, "a.exr", File(), T()));
  EXPECT_CODE(cache_->Lookup(plates.ino, "a.exr"), Code::kNotFound) << "not told yet";
  forget_new_events();
  const int before = counting_->calls;
  ASSERT_OK_AND_ASSIGN(Attributes found, cache_->Lookup(plates.ino, "a.exr"));
  EXPECT_EQ(found.ino, a.ino);
  EXPECT_EQ(counting_->calls, before + 1) << "one lookup, not the directory listed again";
  EXPECT_CODE(cache_->Lookup(plates.ino, "b.exr"), Code::kNotFound);

  AttrUpdate chmod;
  chmod.mode = 0600;
  ASSERT_OK(other_->SetAttributes(a.ino, chmod, T()).status());
  EXPECT_NE(cache_->GetAttributes(a.ino)->mode, 0600u) << "not told yet";
  forget_new_events();
  EXPECT_EQ(cache_->GetAttributes(a.ino)->mode, 0600u);

  NewVersion v;
  v.size = 0;
  ASSERT_OK(other_->CommitVersion(a.ino, v, T()).status());
  forget_new_events();
  EXPECT_EQ(cache_->GetAttributes(a.ino)->version, 1u);

  ASSERT_OK(other_->Rename(plates.ino, "a.exr", kRootInode, "final.exr", RenameMode::kReplace,
                           T()).status());
  forget_new_events();
  EXPECT_CODE(cache_->Lookup(plates.ino, "a.exr"), Code::kNotFound);
  ASSERT_OK_AND_ASSIGN(Attributes moved, cache_->Lookup(kRootInode, "final.exr"));
  EXPECT_EQ(moved.ino, a.ino);
  ASSERT_OK_AND_ASSIGN(auto listing, cache_->ReadDir(plates.ino, 0, 100));
  EXPECT_TRUE(listing.empty()) << "the listing is read again";

  ASSERT_OK(other_->Unlink(kRootInode, "final.exr", T()).status());
  forget_new_events();
  EXPECT_CODE(cache_->Lookup(kRootInode, "final.exr"), Code::kNotFound);

  // Events missed: nothing kept is trusted.
  ASSERT_OK(other_->CreateNode(plates.ino, "c.exr", File(), T()).status());
  EXPECT_CODE(cache_->Lookup(plates.ino, "c.exr"), Code::kNotFound);
  cache_->ForgetAll();
  EXPECT_OK(cache_->Lookup(plates.ino, "c.exr").status());
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

// `stat` of every file of a big directory: the first lookup is answered from the listing's
// first page while the lister reads the rest; a name further on waits for its page, a missing
// one for the listing's end, and none of them is asked of the catalog by itself.
TEST_F(CachedCatalogTest, ABigDirectoryIsAnsweredFromItsFirstPageWhileTheRestComesIn) {
  constexpr int kFiles = 10000;  // three server pages
  for (int i = 0; i < kFiles; ++i) {
    ASSERT_OK(other_->CreateNode(kRootInode, "f" + std::to_string(i), File(), T()).status());
  }
  ASSERT_OK_AND_ASSIGN(Attributes last, other_->Lookup(kRootInode, "f9999"));
  std::promise<void> open_gate, lister_waits;
  std::shared_future<void> gate = open_gate.get_future().share();
  bool gate_open = false;
  auto let_lister_go = [&] {
    if (!gate_open) open_gate.set_value();
    gate_open = true;
  };
  std::atomic<int> calls{0};
  const std::thread::id test_thread = std::this_thread::get_id();
  counting_->on_call = [&] {
    // The second page, asked by the lister (not by this thread), waits for the test.
    if (++calls == 2 && std::this_thread::get_id() != test_thread) {
      lister_waits.set_value();
      gate.wait();
    }
  };
  // Whatever fails below, the lister is let go and stopped before what it uses here is gone.
  struct Finally {
    std::function<void()> run;
    ~Finally() { run(); }
  } stop_lister{[&] {
    let_lister_go();
    cache_.reset();
  }};
  ASSERT_OK(cache_->Lookup(kRootInode, "f0").status());
  if (lister_waits.get_future().wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    let_lister_go();
    FAIL() << "nobody asked for the second page: the first lookup read the whole listing";
  }
  // Answered while the second page is not read: from the first one.
  ASSERT_OK(cache_->Lookup(kRootInode, "f4000").status());
  EXPECT_EQ(calls.load(), 2);
  let_lister_go();
  ASSERT_OK_AND_ASSIGN(Attributes found, cache_->Lookup(kRootInode, "f9999"));
  EXPECT_EQ(found.ino, last.ino);
  EXPECT_CODE(cache_->Lookup(kRootInode, "f10000"), Code::kNotFound);
  EXPECT_EQ(calls.load(), 3) << "three pages (the end is seen in the kept run)";
  EXPECT_EQ(counting_->lookups.load(), 0) << "every answer came from the listing";
  for (int i = 0; i < kFiles; i += 97) {
    ASSERT_OK(cache_->Lookup(kRootInode, "f" + std::to_string(i)).status());
  }
  EXPECT_EQ(counting_->calls.load(), calls.load()) << "nothing more asked";
}

// A reader that lists a big directory in small pages (the kernel asks for about a hundred
// entries at a time) gets them from one big page of the server's; its own change, or the pages
// expiring, makes the next pages come from the server again, with what changed.
TEST_F(CachedCatalogTest, SmallPagesOfABigListingAreAnsweredFromOneBigOne) {
  constexpr int kFiles = 5000;  // more than one server page (4,096)
  for (int i = 0; i < kFiles; ++i) {
    ASSERT_OK(other_->CreateNode(kRootInode, "f" + std::to_string(i), File(), T()).status());
  }
  auto list_all = [&](size_t page) {
    std::vector<DirEntry> all;
    uint64_t after = 0;
    for (;;) {
      auto got = cache_->ReadDir(kRootInode, after, page);
      EXPECT_TRUE(got.ok()) << got.status().ToString();
      if (!got.ok() || got->empty()) break;
      EXPECT_LE(got->size(), page);
      all.insert(all.end(), got->begin(), got->end());
      after = got->back().cookie;
    }
    return all;
  };
  ASSERT_OK_AND_ASSIGN(auto direct, other_->ReadDir(kRootInode, 0, 100000));
  ASSERT_EQ(direct.size(), static_cast<size_t>(kFiles));
  const int before = counting_->calls;
  std::vector<DirEntry> paged = list_all(100);
  ASSERT_EQ(paged.size(), direct.size());
  for (size_t i = 0; i < paged.size(); ++i) {
    EXPECT_EQ(paged[i].name, direct[i].name);
    EXPECT_EQ(paged[i].cookie, direct[i].cookie);
  }
  // Two server pages and the empty one at the end; 51 without the kept run.
  EXPECT_LE(counting_->calls - before, 3) << "pages asked of the server";

  // This machine's change shows in the next listing at once: the run is read again.
  ASSERT_OK_AND_ASSIGN(Attributes f1, cache_->Lookup(kRootInode, "f1"));
  AttrUpdate chmod;
  chmod.mode = 0600;
  ASSERT_OK(cache_->SetAttributes(f1.ino, chmod, T()).status());
  ASSERT_OK(cache_->CreateNode(kRootInode, "mine", File(), T()).status());
  std::vector<DirEntry> again = list_all(100);
  EXPECT_EQ(again.size(), static_cast<size_t>(kFiles) + 1);
  for (const DirEntry& e : again) {
    if (e.attr.ino == f1.ino) EXPECT_EQ(e.attr.mode & 07777, 0600u);
  }
  // Another machine's create shows once the run expires.
  ASSERT_OK(other_->CreateNode(kRootInode, "theirs", File(), T()).status());
  EXPECT_EQ(list_all(100).size(), static_cast<size_t>(kFiles) + 1) << "still the kept run";
  now_ += std::chrono::milliseconds(1001);
  EXPECT_EQ(list_all(100).size(), static_cast<size_t>(kFiles) + 2);
}

// A listing read partly from pages kept earlier answers NotFound only while all its names are
// kept: a name of its oldest page is found after that page expired.
TEST_F(CachedCatalogTest, ANameOfAnOlderPageIsFoundAfterThatPageExpired) {
  constexpr int kFiles = 5000;
  for (int i = 0; i < kFiles; ++i) {
    ASSERT_OK(other_->CreateNode(kRootInode, "f" + std::to_string(i), File(), T()).status());
  }
  ASSERT_OK(cache_->ReadDir(kRootInode, 0, 100).status());  // the first server page, kept
  now_ += std::chrono::milliseconds(900);
  EXPECT_OK(cache_->Lookup(kRootInode, "f4500").status());  // lists the rest
  now_ += std::chrono::milliseconds(200);  // the first page's names have expired
  ASSERT_OK_AND_ASSIGN(Attributes a, cache_->Lookup(kRootInode, "f10"));
  ASSERT_OK_AND_ASSIGN(Attributes direct, other_->Lookup(kRootInode, "f10"));
  EXPECT_EQ(a.ino, direct.ino);
  EXPECT_CODE(cache_->Lookup(kRootInode, "f5000"), Code::kNotFound);
}

// A create changes its directory as the catalog does (times, and a link for a subdirectory):
// the kernel's check of the directory after a create is answered here, with what the catalog
// holds.
TEST_F(CachedCatalogTest, ACreateKeepsItsDirectoryAsTheCatalogChangedIt) {
  ASSERT_OK(cache_->GetAttributes(kRootInode).status());  // kept
  NewNode dir = File();
  dir.type = FileType::kDirectory;
  dir.mode = 0755;
  for (const auto& [name, node] : {std::pair{"shot.exr", File()}, std::pair{"renders", dir}}) {
    ASSERT_OK(cache_->CreateNode(kRootInode, name, node, T()).status());
    const int before = counting_->calls;
    ASSERT_OK_AND_ASSIGN(Attributes kept, cache_->GetAttributes(kRootInode));
    EXPECT_EQ(counting_->calls, before) << name << ": the directory asked again";
    ASSERT_OK_AND_ASSIGN(Attributes real, other_->GetAttributes(kRootInode));
    EXPECT_EQ(kept.mtime, real.mtime) << name;
    EXPECT_EQ(kept.ctime, real.ctime) << name;
    EXPECT_EQ(kept.nlink, real.nlink) << name;
    EXPECT_EQ(kept.mode, real.mode) << name;
  }
  // Not kept longer than it was.
  now_ += std::chrono::milliseconds(1001);
  const int before = counting_->calls;
  ASSERT_OK(cache_->GetAttributes(kRootInode).status());
  EXPECT_EQ(counting_->calls, before + 1);
}

// A listing that took a while to load (every server call 300 ms here) answers NotFound only
// while the names it loaded are kept: a name it held is found at every moment after.
TEST_F(CachedCatalogTest, ASlowListingExpiresWithTheNamesItLoaded) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK(other_->CreateNode(kRootInode, "f" + std::to_string(i), File(), T()).status());
  }
  ASSERT_OK_AND_ASSIGN(Attributes direct, other_->Lookup(kRootInode, "f5"));
  counting_->on_call = [this] { now_ += std::chrono::milliseconds(300); };
  ASSERT_OK(cache_->Lookup(kRootInode, "f0").status());  // loads the listing
  counting_->on_call = nullptr;
  for (int step = 0; step < 50; ++step) {  // 2.5 s, past every ttl
    now_ += std::chrono::milliseconds(50);
    auto a = cache_->Lookup(kRootInode, "f5");
    ASSERT_TRUE(a.ok()) << "at +" << (step + 1) * 50 << " ms: " << a.status().ToString();
    EXPECT_EQ(a->ino, direct.ino);
  }
  EXPECT_CODE(cache_->Lookup(kRootInode, "f10"), Code::kNotFound);
}

}  // namespace
}  // namespace reel::testing
