// Commits whose chunk uploads fail: the error reaches the caller, the staged data stays readable,
// and a later commit succeeds. Several upload workers fail in the same commit (the ChunkUploader's
// error path runs on many threads at once; the TSan suite runs this too).
#include <unistd.h>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "engine_test_util.h"
#include "store/fault_injection_store.h"

namespace reel::testing {
namespace {

class UploadErrorsTest : public EngineTest {
 protected:
  // Reopens the engine over the same directory with a fault-injecting store.
  void OpenWithFaults() {
    CloseEngine();
    auto catalog = OpenCatalog("sqlite://" + dir_ + "/catalog.db", ::geteuid(), ::getegid());
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    auto store = OpenObjectStore("file://" + dir_ + "/store");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto faulty = std::make_unique<FaultInjectionStore>(std::move(store).value());
    faults_ = faulty.get();
    auto engine = Engine::Open(std::move(catalog).value(), std::move(faulty), options_);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
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

}  // namespace
}  // namespace reel::testing
