// CreateAheadCatalog over a real SQLite catalog that "another machine" also changes directly: a
// create is answered without a call, the creates go in one call before anything that could see
// them, what the catalog recorded differently is what this machine sees next, and a journal keeps
// every answered create across a crash.
#include "remote/create_ahead_catalog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>

#include "catalog/catalog_test_util.h"
#include "catalog/catalog_txn.h"

namespace reel::testing {
namespace {


// Counts the calls of each kind that reach the catalog behind; fails CreateNodes on demand.
class WatchedCatalog : public CatalogWrapper {
 public:
  using CatalogWrapper::CatalogWrapper;
  Result<std::vector<InodeId>> ReserveInodes(uint32_t count) override {
    ++reserves;
    return CatalogWrapper::ReserveInodes(count);
  }
  Result<std::vector<NodeCreated>> CreateNodes(const std::vector<NodeCreate>& creates) override {
    ++batches;
    if (down) return Status::Unavailable("the server is down (test)");
    if (during_create_nodes) during_create_nodes();
    return CatalogWrapper::CreateNodes(creates);
  }
  Result<Attributes> SetAttributes(InodeId ino, const AttrUpdate& update, TimeNs now) override {
    if (before_set_attributes) before_set_attributes();
    return CatalogWrapper::SetAttributes(ino, update, now);
  }
  Result<Attributes> Lookup(InodeId parent, const std::string& name) override {
    ++lookups;
    return CatalogWrapper::Lookup(parent, name);
  }
  Result<Attributes> CreateNode(InodeId parent, const std::string& name, const NewNode& node,
                                TimeNs now) override {
    ++single_creates;
    return CatalogWrapper::CreateNode(parent, name, node, now);
  }
  std::atomic<int> reserves{0};
  std::atomic<int> batches{0};
  std::atomic<int> single_creates{0};
  std::atomic<int> lookups{0};
  std::function<void()> before_set_attributes;  // another thread's work while a call is on its way
  std::function<void()> during_create_nodes;    // ... while creates are being sent
  std::atomic<bool> down{false};
};

class CreateAheadCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("reel-ahead");
    journal_ = dir_ + "/creates.journal";
    auto other = OpenCatalog(Uri(), kTestUid, kTestGid);
    ASSERT_TRUE(other.ok()) << other.status().ToString();
    other_ = std::move(other).value();
    Reopen();
  }
  void TearDown() override {
    ahead_.reset();
    other_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string Uri() const { return "sqlite://" + dir_ + "/catalog.db"; }
  // This machine's catalog, opened again on the same journal (after a crash or an unmount).
  void Reopen() {
    ahead_.reset();
    auto shared = OpenCatalog(Uri(), kTestUid, kTestGid);
    ASSERT_TRUE(shared.ok()) << shared.status().ToString();
    auto watched = std::make_unique<WatchedCatalog>(std::move(shared).value());
    watched_ = watched.get();
    // No sender thread: a test's creates go when it says (a background batch would race with
    // what it counts).
    auto opened =
        CreateAheadCatalog::Open(std::move(watched), journal_, CreateAheadCatalog::kSendByHand);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ahead_ = std::move(opened).value();
  }
  Result<Attributes> Make(InodeId parent, const std::string& name,
                          FileType type = FileType::kRegular) {
    NewNode n;
    n.type = type;
    n.mode = type == FileType::kDirectory ? 0755 : 0644;
    n.uid = kTestUid;
    n.gid = kTestGid;
    return ahead_->CreateNode(parent, name, n, now_ += 1000);
  }

  std::string dir_;
  std::string journal_;
  TimeNs now_ = 1'000'000'000;
  std::unique_ptr<Catalog> other_;  // another machine, straight on the catalog
  std::unique_ptr<CreateAheadCatalog> ahead_;
  WatchedCatalog* watched_ = nullptr;
};

TEST_F(CreateAheadCatalogTest, CreatesAreAnsweredAtOnceAndRecordedInOneCall) {
  ASSERT_OK_AND_ASSIGN(Attributes shots, Make(kRootInode, "shots", FileType::kDirectory));
  std::vector<Attributes> made;
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK_AND_ASSIGN(Attributes a, Make(shots.ino, "f" + std::to_string(i)));
    made.push_back(a);
  }
  EXPECT_EQ(watched_->reserves.load(), 1);
  EXPECT_EQ(watched_->batches.load(), 0) << "nothing sent before it is needed";
  EXPECT_EQ(ahead_->Held(), 101u);
  EXPECT_CODE(other_->Lookup(kRootInode, "shots"), Code::kNotFound);
  // What the kernel asks right after a create is answered here.
  ASSERT_OK_AND_ASSIGN(Attributes f7, ahead_->Lookup(shots.ino, "f7"));
  EXPECT_EQ(f7.ino, made[7].ino);
  ASSERT_OK_AND_ASSIGN(Attributes dir, ahead_->GetAttributes(shots.ino));
  EXPECT_EQ(dir.mtime, made.back().ctime);
  EXPECT_CODE(Make(shots.ino, "f7"), Code::kAlreadyExists);
  // The kernel asks for security.capability before each write to a new file.
  EXPECT_CODE(ahead_->GetXattr(f7.ino, "security.capability"), Code::kNoData);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> xattrs, ahead_->ListXattrs(f7.ino));
  EXPECT_TRUE(xattrs.empty());
  EXPECT_EQ(watched_->batches.load(), 0);

  ASSERT_OK(ahead_->Send());
  EXPECT_EQ(watched_->batches.load(), 1);
  EXPECT_EQ(watched_->single_creates.load(), 0);
  EXPECT_EQ(ahead_->Held(), 0u);
  // Recorded as they were answered: same numbers, same attributes.
  for (const Attributes& a : made) {
    ASSERT_OK_AND_ASSIGN(Attributes got, other_->GetAttributes(a.ino));
    EXPECT_EQ(got.mode, a.mode);
    EXPECT_EQ(got.ctime, a.ctime);
    EXPECT_EQ(got.nlink, a.nlink);
  }
  ASSERT_OK_AND_ASSIGN(Attributes recorded_dir, other_->GetAttributes(shots.ino));
  EXPECT_EQ(recorded_dir.mtime, dir.mtime);
  EXPECT_EQ(recorded_dir.nlink, dir.nlink);
}

TEST_F(CreateAheadCatalogTest, EveryOtherCallSeesTheCreatesMadeBeforeIt) {
  ASSERT_OK_AND_ASSIGN(Attributes a, Make(kRootInode, "a.exr"));
  ASSERT_OK_AND_ASSIGN(std::vector<DirEntry> listed, ahead_->ReadDir(kRootInode, 0, 100));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].attr.ino, a.ino);
  ASSERT_OK_AND_ASSIGN(Attributes b, Make(kRootInode, "b.exr"));
  ASSERT_OK(
      ahead_->Rename(kRootInode, "b.exr", kRootInode, "c.exr", RenameMode::kReplace, 5).status());
  EXPECT_EQ(other_->Lookup(kRootInode, "c.exr")->ino, b.ino);
  EXPECT_EQ(watched_->batches.load(), 2);
}

// The kernel looks a name up just before creating it: that NotFound is the create's check, until
// a call that could make the name goes through.
TEST_F(CreateAheadCatalogTest, ACreateRightAfterANotFoundAsksNothingMore) {
  ASSERT_OK_AND_ASSIGN(Attributes other, Make(kRootInode, "other.exr"));
  EXPECT_CODE(ahead_->Lookup(kRootInode, "a.exr"), Code::kNotFound);
  const int asked = watched_->lookups.load();
  ASSERT_OK(Make(kRootInode, "a.exr").status());
  EXPECT_EQ(watched_->lookups.load(), asked);
  EXPECT_CODE(Make(kRootInode, "a.exr"), Code::kAlreadyExists);
  ASSERT_OK(ahead_->Send());
  EXPECT_CODE(Make(kRootInode, "a.exr"), Code::kAlreadyExists) << "a name made is not absent";

  // A rename through this catalog made the name after it was found absent.
  EXPECT_CODE(ahead_->Lookup(kRootInode, "b.exr"), Code::kNotFound);
  ASSERT_OK(ahead_->Rename(kRootInode, "other.exr", kRootInode, "b.exr", RenameMode::kReplace, 5)
                .status());
  EXPECT_CODE(Make(kRootInode, "b.exr"), Code::kAlreadyExists);
  EXPECT_EQ(ahead_->Lookup(kRootInode, "b.exr")->ino, other.ino);
}

// A directory's attributes are kept while creates in it are held; a change to the directory
// made meanwhile is seen at once, not when the last create in it is recorded.
// The kernel looks a directory up again when its entry expires: while creates in it are held,
// the lookup answers the times they gave it, not the catalog's older ones.
TEST_F(CreateAheadCatalogTest, ALookupOfADirectoryWithHeldCreatesHasTheirTimes) {
  ASSERT_OK_AND_ASSIGN(Attributes shots, Make(kRootInode, "shots", FileType::kDirectory));
  ASSERT_OK(ahead_->Send());
  ASSERT_OK_AND_ASSIGN(Attributes f, Make(shots.ino, "f1"));
  ASSERT_OK_AND_ASSIGN(Attributes sub, Make(shots.ino, "sub", FileType::kDirectory));
  EXPECT_EQ(ahead_->Held(), 2u);
  ASSERT_OK_AND_ASSIGN(Attributes looked, ahead_->Lookup(kRootInode, "shots"));
  ASSERT_OK_AND_ASSIGN(Attributes got, ahead_->GetAttributes(shots.ino));
  EXPECT_EQ(looked.mtime, sub.ctime) << "the last held create's time";
  EXPECT_EQ(looked.mtime, got.mtime);
  EXPECT_EQ(looked.nlink, got.nlink);
  EXPECT_EQ(looked.nlink, 3u) << "the held subdirectory's link";
  ASSERT_OK_AND_ASSIGN(Attributes stale, other_->GetAttributes(shots.ino));
  EXPECT_LT(stale.mtime, looked.mtime) << "the catalog has not recorded them yet";
  ASSERT_OK(ahead_->Send());
  ASSERT_OK_AND_ASSIGN(Attributes recorded, ahead_->Lookup(kRootInode, "shots"));
  EXPECT_EQ(recorded.mtime, looked.mtime);
  EXPECT_EQ(recorded.nlink, 3u);
  (void)f;
}

TEST_F(CreateAheadCatalogTest, AChmodOfADirectoryWhileCreatesInItAreHeldIsSeenAtOnce) {
  ASSERT_OK_AND_ASSIGN(Attributes shots, Make(kRootInode, "shots", FileType::kDirectory));
  ASSERT_OK(Make(shots.ino, "f1").status());
  // Another thread creates in the directory while the chmod is on its way.
  watched_->before_set_attributes = [&] { ASSERT_OK(Make(shots.ino, "f2").status()); };
  AttrUpdate chmod;
  chmod.mode = 0700;
  ASSERT_OK(ahead_->SetAttributes(shots.ino, chmod, now_ += 1000).status());
  watched_->before_set_attributes = nullptr;
  EXPECT_EQ(ahead_->Held(), 1u) << "f2 is held";
  ASSERT_OK_AND_ASSIGN(Attributes dir, ahead_->GetAttributes(shots.ino));
  EXPECT_EQ(dir.mode & 07777, 0700u);
  ASSERT_OK_AND_ASSIGN(Attributes recorded, other_->GetAttributes(shots.ino));
  EXPECT_EQ(dir.mtime, recorded.mtime);
  EXPECT_EQ(dir.ctime, recorded.ctime);
  EXPECT_EQ(recorded.mode & 07777, 0700u);
  EXPECT_TRUE(other_->Lookup(shots.ino, "f2").ok()) << "sent before the directory was asked";
}

TEST_F(CreateAheadCatalogTest, ACrashLosesNoAnsweredCreate) {
  watched_->down = true;  // nothing reaches the catalog until the next start
  ASSERT_OK_AND_ASSIGN(Attributes dir, Make(kRootInode, "renders", FileType::kDirectory));
  ASSERT_OK_AND_ASSIGN(Attributes file, Make(dir.ino, "frame.exr"));
  EXPECT_CODE(ahead_->ReadDir(kRootInode, 0, 10), Code::kUnavailable);
  Reopen();  // the first one could not send them at its end either
  EXPECT_EQ(other_->Lookup(kRootInode, "renders")->ino, dir.ino);
  EXPECT_EQ(other_->Lookup(dir.ino, "frame.exr")->ino, file.ino);
  EXPECT_EQ(std::filesystem::file_size(journal_), 0u) << "recorded: the journal is empty";
  Reopen();  // and nothing is sent twice
  EXPECT_EQ(watched_->batches.load(), 0);
}

TEST_F(CreateAheadCatalogTest, ANameTakenElsewhereMeanwhileIsSeenWithTheNameTheCreateGot) {
  ASSERT_OK_AND_ASSIGN(Attributes mine, Make(kRootInode, "plate.exr"));
  NewNode n;
  n.uid = kTestUid;
  n.gid = kTestGid;
  ASSERT_OK_AND_ASSIGN(Attributes theirs, other_->CreateNode(kRootInode, "plate.exr", n, 7));
  ASSERT_OK(ahead_->Send());
  EXPECT_EQ(ahead_->Lookup(kRootInode, "plate.exr")->ino, theirs.ino);
  EXPECT_EQ(ahead_->Lookup(kRootInode, ConflictName("plate.exr", mine.ino))->ino, mine.ino);
}

size_t JournalLines(const std::string& path) {
  std::ifstream in(path);
  size_t lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines;
}

// Creates that never stop (another thread always has one held while a batch is sent) never let
// the journal empty: it is rewritten with only what is still held.
TEST_F(CreateAheadCatalogTest, TheJournalOfCreatesThatNeverStopKeepsOnlyWhatIsHeld) {
  const size_t many = CreateAheadCatalog::kCompactAfter + 10;
  for (size_t i = 0; i < many; ++i) ASSERT_OK(Make(kRootInode, "f" + std::to_string(i)).status());
  EXPECT_EQ(JournalLines(journal_), many);
  int extra = 0;
  watched_->during_create_nodes = [&] {
    ASSERT_OK(Make(kRootInode, "during-" + std::to_string(extra++)).status());
  };
  // Sends the creates answered before it; the one made while its last batch went stays held.
  ASSERT_OK(ahead_->Send());
  watched_->during_create_nodes = nullptr;
  EXPECT_EQ(ahead_->Held(), 1u);
  const size_t kept = JournalLines(journal_);
  EXPECT_GE(kept, 1u) << "the create still held";
  EXPECT_LT(kept, CreateAheadCatalog::kBatch) << "not the " << many << " creates recorded";
  EXPECT_FALSE(std::filesystem::exists(journal_ + ".compact"));
  ASSERT_OK(Make(kRootInode, "after").status());
  EXPECT_EQ(JournalLines(journal_), kept + 1) << "appends go to the compacted journal";

  ahead_.reset();  // sends both at the end
  for (int i = 0; i < extra; ++i) {
    EXPECT_TRUE(other_->Lookup(kRootInode, "during-" + std::to_string(i)).ok()) << i;
  }
  EXPECT_TRUE(other_->Lookup(kRootInode, "after").ok());
  EXPECT_EQ(std::filesystem::file_size(journal_), 0u);
}

// A crash in the middle of a journal line leaves it without its newline: that create was never
// answered. The next open drops it, so the creates journaled after it are not read as garbage.
TEST_F(CreateAheadCatalogTest, ALineACrashCutShortIsDroppedAtTheNextOpen) {
  ahead_.reset();
  {
    std::ofstream out(journal_, std::ios::app);
    out << "{\"ino\": 12, \"par";
  }
  Reopen();
  EXPECT_EQ(std::filesystem::file_size(journal_), 0u);
  ASSERT_OK_AND_ASSIGN(Attributes a, Make(kRootInode, "next.exr"));
  watched_->down = true;  // held at the crash below
  ahead_.reset();
  watched_ = nullptr;
  Reopen();
  EXPECT_EQ(other_->Lookup(kRootInode, "next.exr")->ino, a.ino);
}

TEST_F(CreateAheadCatalogTest, ABrokenJournalStopsTheOpenAndIsKept) {
  ahead_.reset();
  {
    std::ofstream out(journal_, std::ios::app);
    out << "not a create\n";
  }
  auto shared = OpenCatalog(Uri(), kTestUid, kTestGid);
  ASSERT_TRUE(shared.ok());
  EXPECT_CODE(CreateAheadCatalog::Open(std::move(shared).value(), journal_), Code::kCorruption);
  EXPECT_GT(std::filesystem::file_size(journal_), 0u);
}

}  // namespace
}  // namespace reel::testing
