// Commits whose chunk uploads fail: the error reaches the caller, the staged data stays readable,
// and a later commit succeeds. Several upload workers fail in the same commit (the ChunkUploader's
// error path runs on many threads at once; the TSan suite runs this too). And commits whose
// uploads are slow: the file's attributes do not wait for them.
#include <unistd.h>

#include <future>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "engine_test_util.h"
#include "store/fault_injection_store.h"

namespace reel::testing {
namespace {

class UploadErrorsTest : public EngineTest {
 protected:
  void OpenWithFaults() {
    faults_ = OpenEngineWithFaults();
    ASSERT_NE(faults_, nullptr);
  }

  FaultInjectionStore* faults_ = nullptr;
};

TEST_F(UploadErrorsTest, FailedUploadsFailTheCommitAndKeepTheStagedData) {
  options_.policy = VersionPolicy::kManual;  // versions only when the test asks
  options_.upload_threads = 4;
  OpenWithFaults();
  auto data = RandomBytes(4 << 20, 21);  // dozens of chunks for the 4 upload workers
  InodeId ino = WriteFile("take.mov", data);
  for (int puts_left = 0; puts_left < 24; puts_left += 2) {
    faults_->FailPutsAfter(puts_left, Status(Code::kUnavailable, "injected: store unreachable"));
    auto saved = engine_->Save(ino, "");
    EXPECT_EQ(saved.status().code(), Code::kUnavailable) << "puts_left " << puts_left;
    EXPECT_TRUE(engine_->ListVersions(ino)->empty());
    EXPECT_EQ(ReadAll(ino), data);
  }
  faults_->ClearFaults();
  auto saved = engine_->Save(ino, "");
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(saved->number, 1u);
  EXPECT_EQ(ReadAll(ino), data);
}

TEST_F(UploadErrorsTest, SyncReportsAFailedBackgroundCommitAndRetriesIt) {
  options_.policy = VersionPolicy::kOnClose;  // the close queues a background commit
  OpenWithFaults();
  faults_->FailPutsAfter(0, Status(Code::kNoSpace, "injected: no space left"));
  auto data = RandomBytes(1 << 20, 22);
  auto created = engine_->Create(kRootInode, "render.exr", 0644, ::geteuid(), ::getegid(),
                                 OpenFlags{true});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const InodeId ino = created->first.ino;
  ASSERT_TRUE(engine_->Write(created->second, 0, data).ok());
  ASSERT_TRUE(engine_->Release(created->second).ok());  // queues the commit, which fails
  Status synced = engine_->WaitIdle();
  EXPECT_EQ(synced.code(), Code::kNoSpace) << synced.ToString();
  EXPECT_NE(synced.message().find("1 closed file(s) could not be committed"), std::string::npos)
      << synced.message();
  EXPECT_TRUE(engine_->ListVersions(ino)->empty());
  EXPECT_EQ(ReadAll(ino), data) << "the staged data is kept";
  EXPECT_EQ(engine_->WaitIdle().code(), Code::kNoSpace) << "still failing: still reported";

  faults_->ClearFaults();  // space is back: the next sync commits it
  Status again = engine_->WaitIdle();
  EXPECT_TRUE(again.ok()) << again.ToString();
  ASSERT_EQ(engine_->ListVersions(ino)->size(), 1u);
  EXPECT_EQ(ReadAll(ino), data);
  EXPECT_TRUE(engine_->WaitIdle().ok());
}

TEST_F(UploadErrorsTest, AFileBeingCommittedAnswersStatAtOnceWithTheSizeBeingCommitted) {
  // A big file's commit holds the file for seconds; `ls -l`, or `reel publish` resolving the
  // path it was just given, must not wait for it.
  options_.policy = VersionPolicy::kOnClose;  // the close queues a background commit
  OpenWithFaults();
  const auto old_data = RandomBytes(1 << 20, 23);
  const InodeId ino = WriteFile("plate.exr", old_data);
  ASSERT_TRUE(engine_->WaitIdle().ok());
  const Attributes before = *engine_->GetAttributes(ino);
  faults_->HoldPuts(true);
  const auto data = RandomBytes(3 << 20, 24);
  {
    auto h = engine_->Open(ino, OpenFlags{true, false, false});
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    ASSERT_TRUE(engine_->Write(*h, 0, data).ok());
    ASSERT_TRUE(engine_->Release(*h).ok());  // queues the commit, whose chunk writes now wait
  }
  ASSERT_TRUE(faults_->WaitForHeldPut(std::chrono::seconds(10))) << "no commit started";

  auto stat = std::async(std::launch::async, [&] { return engine_->GetAttributes(ino); });
  auto lookup =
      std::async(std::launch::async, [&] { return engine_->Lookup(kRootInode, "plate.exr"); });
  const bool answered = stat.wait_for(std::chrono::seconds(5)) == std::future_status::ready &&
                        lookup.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  faults_->HoldPuts(false);  // (lets a stat that waited finish too)
  EXPECT_TRUE(answered) << "stat waited for the commit";
  for (const Result<Attributes>& a : {stat.get(), lookup.get()}) {
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(a->size, data.size());
    EXPECT_GE(a->mtime, before.mtime);
  }
  ASSERT_TRUE(engine_->WaitIdle().ok());
  ASSERT_EQ(engine_->ListVersions(ino)->size(), 2u);
  const Attributes after = *engine_->GetAttributes(ino);
  EXPECT_EQ(after.size, data.size());
  EXPECT_EQ(ReadAll(ino), data);
}

}  // namespace
}  // namespace reel::testing
