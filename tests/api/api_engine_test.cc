// The control API in front of a real Engine (sqlite::memory: catalog + memory:// store), over
// the real unix socket: what `reel save/versions/restore/status/trash/gc/fsck/sync` do.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "api/api_client.h"
#include "api/api_server.h"
#include "service/drive_service.h"
#include "testing/memory_engine.h"

namespace reel {
namespace {

// The control API over an engine in memory (testing/memory_engine.h).
class ApiEngineTest : public testing::MemoryEngineTest {
 protected:
  void SetUp() override {
    MemoryEngineTest::SetUp();
    if (HasFatalFailure()) return;
    ApiServerOptions so;
    so.info.drive_name = "test";
    service_ = std::make_unique<DriveService>(engine_.get());
    server_ = std::make_unique<ApiServer>(service_.get(), so);
    ASSERT_TRUE(server_->Start(tmp_ / "api.sock").ok());
    client_ = std::make_unique<ApiClient>(tmp_ / "api.sock");
  }

  void TearDown() override {
    server_.reset();
    MemoryEngineTest::TearDown();
  }

  std::unique_ptr<DriveService> service_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<ApiClient> client_;
};

TEST_F(ApiEngineTest, InfoAndCounters) {
  auto info = client_->Info();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->drive_name, "test");
  EXPECT_TRUE(client_->Counters().ok());
}

TEST_F(ApiEngineTest, SaveVersionsRestoreStatus) {
  auto dir = engine_->MakeDir(kRootInode, "shots", 0755, ::geteuid(), ::getegid());
  ASSERT_TRUE(dir.ok());
  WriteFile(dir->ino, "a.exr", "first");
  ASSERT_TRUE(client_->Sync().ok());
  WriteFile(dir->ino, "a.exr", "second, longer");
  auto saved = client_->Save("shots/a.exr", "checkpoint one");
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(saved->message, "checkpoint one");
  EXPECT_EQ(saved->kind, VersionKind::kCheckpoint);

  auto versions = client_->Versions("shots/a.exr");
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  ASSERT_GE(versions->size(), 2u);
  EXPECT_EQ(versions->front().size, 5u);
  EXPECT_EQ(versions->back().message, "checkpoint one");

  auto restored = client_->Restore("shots/a.exr", 1);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->kind, VersionKind::kRestore);
  EXPECT_EQ(restored->size, 5u);

  auto status = client_->GetStatus("shots/a.exr");
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->attr.size, 5u);
  ASSERT_TRUE(status->current.has_value());
  EXPECT_EQ(status->current->number, restored->number);

  // Engine errors come back with their code, naming the path given (not an inode) and saying
  // what to do.
  Status missing = client_->Versions("shots/nope.exr").status();
  EXPECT_EQ(missing.code(), Code::kNotFound);
  EXPECT_TRUE(
      missing.message().starts_with("shots/nope.exr: no such file or directory in the drive"))
      << missing.message();
  Status no_dir = client_->Versions("nodir/a.exr").status();
  EXPECT_TRUE(no_dir.message().starts_with("nodir/a.exr: no such file")) << no_dir.message();
  Status no_version = client_->Restore("shots/a.exr", 99).status();
  EXPECT_EQ(no_version.code(), Code::kNotFound);
  EXPECT_EQ(no_version.message(), "shots/a.exr has no version 99; it has versions 1-" +
                                      std::to_string(restored->number) + ": pick one of those");
  Status a_dir = client_->Restore("shots", 1).status();
  EXPECT_EQ(a_dir.message(), "shots: only regular files have versions");
  for (const Status& s : {missing, no_dir, no_version, a_dir}) {
    EXPECT_EQ(s.message().find("inode"), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find("directory 1"), std::string::npos) << s.message();
  }
  EXPECT_EQ(client_->Save("shots/../x", "").status().code(), Code::kInvalidArgument);
}

TEST_F(ApiEngineTest, TrashGcFsck) {
  WriteFile(kRootInode, "gone.mov", "some content");
  ASSERT_TRUE(client_->Sync().ok());
  ASSERT_TRUE(engine_->Unlink(kRootInode, "gone.mov").ok());
  auto trash = client_->Trash();
  ASSERT_TRUE(trash.ok()) << trash.status().ToString();
  ASSERT_EQ(trash->size(), 1u);
  EXPECT_EQ((*trash)[0].original_path, "gone.mov");

  auto back = client_->RestoreFromTrash((*trash)[0].id, "back.mov");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->path, "back.mov");
  EXPECT_TRUE(engine_->Resolve("back.mov").ok());
  EXPECT_TRUE(client_->Trash()->empty());

  auto fsck = client_->Fsck();
  ASSERT_TRUE(fsck.ok()) << fsck.status().ToString();
  EXPECT_TRUE(fsck->ok());
  EXPECT_GE(fsck->chunks_checked, 1u);
  auto gc = client_->Gc();
  ASSERT_TRUE(gc.ok()) << gc.status().ToString();
}

}  // namespace
}  // namespace reel
