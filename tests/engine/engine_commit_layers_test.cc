// Nothing waits for a commit: while a file's previous version is being committed (held here by a
// store whose Puts wait), opening, writing, reading, stat and closing it go on, and what was
// written meanwhile becomes the next version. A crash in the middle of such a commit recovers
// both the writes being committed and those made on top of them; a commit that fails keeps its
// writes for the next one, under whatever was written since.
#include <algorithm>
#include <chrono>
#include <future>

#include <gtest/gtest.h>

#include "engine_test_util.h"

namespace reel::testing {
namespace {

using std::chrono::seconds;

struct PatchOptions {
  bool truncate = false;  // O_TRUNC first
  bool fsync = false;     // fsync before the close
};

class CommitLayersTest : public EngineTest {
 protected:
  // Runs `op` on another thread; true when it finished within a few seconds. It would never
  // finish while it waits for a commit whose Puts `faults` holds: then they are let go (so the
  // test ends) and the answer is false.
  template <typename Op>
  static bool FinishesWhileHeld(FaultInjectionStore* faults, Op op) {
    auto done = std::async(std::launch::async, op);
    if (done.wait_for(seconds(5)) == std::future_status::ready) return true;
    faults->HoldPuts(false);
    return false;
  }

  // Opens `ino` for writing, writes `data` at `offset` and closes it; does not wait for the
  // commit the close queues.
  void Patch(InodeId ino, uint64_t offset, const std::vector<uint8_t>& data,
             PatchOptions opts = {}) {
    auto h = engine_->Open(ino, OpenFlags{true, opts.truncate, false});
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    ASSERT_TRUE(engine_->Write(*h, offset, data).ok());
    if (opts.fsync) {
      ASSERT_TRUE(engine_->Fsync(*h, false).ok());
    }
    ASSERT_TRUE(engine_->Release(*h).ok());
  }

  static std::vector<uint8_t> Patched(std::vector<uint8_t> data, uint64_t offset,
                                      const std::vector<uint8_t>& patch) {
    if (data.size() < offset + patch.size()) data.resize(offset + patch.size());
    std::copy(patch.begin(), patch.end(), data.begin() + offset);
    return data;
  }
};

TEST_F(CommitLayersTest, OpenWriteReadAndStatGoOnDuringACommit) {
  FaultInjectionStore* faults = OpenEngineWithFaults();
  ASSERT_NE(faults, nullptr);
  const auto first = RandomBytes(1 << 20, 31);
  const InodeId ino = WriteFile("comp.nk", first);
  ASSERT_TRUE(engine_->WaitIdle().ok());

  faults->HoldPuts(true);
  const auto second = RandomBytes(3 << 20, 32);
  Patch(ino, 0, second, {.truncate = true});  // its close queues a commit, whose Puts now wait
  ASSERT_TRUE(faults->WaitForHeldPut(seconds(10))) << "no commit started";

  const auto patch = RandomBytes(4096, 33);
  const uint64_t at = 2 << 20;
  const auto expected = Patched(second, at, patch);
  bool ok = FinishesWhileHeld(faults, [&] { Patch(ino, at, patch); });
  EXPECT_TRUE(ok) << "open, write and close waited for the commit";
  std::vector<uint8_t> read_back;
  ok = ok && FinishesWhileHeld(faults, [&] { read_back = ReadAll(ino); });
  EXPECT_TRUE(ok) << "a read waited for the commit";
  Result<Attributes> stat = Status::Internal("not run");
  ok = ok && FinishesWhileHeld(faults, [&] { stat = engine_->GetAttributes(ino); });
  EXPECT_TRUE(ok) << "stat waited for the commit";
  // Appending past the end during the commit (a render writing its log) goes on too.
  const auto tail = RandomBytes(10000, 34);
  ok = ok && FinishesWhileHeld(faults, [&] { Patch(ino, second.size(), tail); });
  EXPECT_TRUE(ok) << "an append waited for the commit";
  const uint64_t versions_during = engine_->ListVersions(ino)->size();
  faults->HoldPuts(false);
  ASSERT_TRUE(ok);

  EXPECT_EQ(read_back, expected) << "a read during the commit sees both layers";
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  EXPECT_EQ(stat->size, second.size());
  EXPECT_EQ(versions_during, 1u) << "the commit had not landed while its Puts were held";

  ASSERT_TRUE(engine_->WaitIdle().ok());
  const auto final_content = Patched(expected, second.size(), tail);
  EXPECT_EQ(ReadAll(ino), final_content);
  auto versions = engine_->ListVersions(ino);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 3u) << "the held commit, then the writes made during it";
  EXPECT_EQ((*versions)[1].size, second.size());
  EXPECT_EQ((*versions)[2].size, final_content.size());
  CloseEngine();
  OpenEngine();  // nothing left staged that a restart would recover as another version
  EXPECT_EQ(engine_->ListVersions(ino)->size(), 3u);
  EXPECT_EQ(ReadAll(ino), final_content);
}

TEST_F(CommitLayersTest, AnMtimeSetDuringACommitIsKept) {
  FaultInjectionStore* faults = OpenEngineWithFaults();
  ASSERT_NE(faults, nullptr);
  const InodeId ino = WriteFile("grade.exr", RandomBytes(1 << 20, 61));
  ASSERT_TRUE(engine_->WaitIdle().ok());
  faults->HoldPuts(true);
  Patch(ino, 0, RandomBytes(2 << 20, 62), {.truncate = true});
  ASSERT_TRUE(faults->WaitForHeldPut(seconds(10))) << "no commit started";

  // What `touch -d`, `rsync -t` and the kernel's mtime update at close send, with no writes.
  const TimeNs when = 1'600'000'000'000'000'000;
  AttrUpdate update;
  update.mtime = when;
  Result<Attributes> set = Status::Internal("not run");
  const bool ok = FinishesWhileHeld(faults, [&] { set = engine_->SetAttributes(ino, update, {}); });
  EXPECT_TRUE(ok) << "setting the mtime waited for the commit";
  faults->HoldPuts(false);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->mtime, when);
  ASSERT_TRUE(engine_->WaitIdle().ok());
  EXPECT_EQ(engine_->GetAttributes(ino)->mtime, when) << "the version that landed overwrote it";
  EXPECT_EQ(engine_->ListVersions(ino)->size(), 2u) << "an mtime alone makes no version";
}

TEST_F(CommitLayersTest, ACrashDuringACommitRecoversTheCommittedAndTheNewerWrites) {
  const auto first = RandomBytes(1 << 20, 41);
  const InodeId ino = WriteFile("cut.prproj", first);
  ASSERT_TRUE(engine_->WaitIdle().ok());
  CloseEngine();
  const auto second = RandomBytes(2 << 20, 42);
  const auto patch = RandomBytes(8192, 43);
  const uint64_t at = 100000;
  RunAndKill([&] {
    FaultInjectionStore* faults = OpenEngineWithFaults();
    if (!faults) ::_exit(1);
    faults->HoldPuts(true);
    Patch(ino, 0, second, {.truncate = true});  // closed: recorded, its commit held
    if (!faults->WaitForHeldPut(seconds(10))) ::_exit(2);
    Patch(ino, at, patch, {.fsync = true});  // acknowledged while the commit is under way
  });
  OpenEngine();
  auto versions = engine_->ListVersions(ino);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 3u) << "the interrupted commit and the writes over it";
  EXPECT_EQ((*versions)[1].kind, VersionKind::kRecovered);
  EXPECT_EQ((*versions)[1].size, second.size());
  EXPECT_EQ((*versions)[2].kind, VersionKind::kRecovered);
  EXPECT_EQ(ReadAll(ino), Patched(second, at, patch));
}

TEST_F(CommitLayersTest, AFailedCommitKeepsItsWritesUnderTheNewerOnes) {
  options_.policy = VersionPolicy::kManual;  // versions only when the test asks
  FaultInjectionStore* faults = OpenEngineWithFaults();
  ASSERT_NE(faults, nullptr);
  const auto data = RandomBytes(1 << 20, 51);
  const InodeId ino = WriteFile("mix.wav", data);
  faults->FailPutsAfter(0, Status(Code::kNoSpace, "injected: no space left"));
  EXPECT_EQ(engine_->Save(ino, "first").status().code(), Code::kNoSpace);

  const auto patch = RandomBytes(5000, 52);
  Patch(ino, 70000, patch);  // over the writes whose commit failed
  const auto expected = Patched(data, 70000, patch);
  EXPECT_EQ(ReadAll(ino), expected);
  EXPECT_EQ(engine_->GetAttributes(ino)->size, data.size());

  faults->ClearFaults();
  auto saved = engine_->Save(ino, "take 2");
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  auto versions = engine_->ListVersions(ino);
  ASSERT_EQ(versions->size(), 2u) << "the failed commit's writes first, then the checkpoint";
  EXPECT_EQ((*versions)[0].kind, VersionKind::kAutosave);
  EXPECT_EQ((*versions)[1].kind, VersionKind::kCheckpoint);
  EXPECT_EQ((*versions)[1].message, "take 2");
  EXPECT_EQ(ReadAll(ino), expected);
}

}  // namespace
}  // namespace reel::testing
