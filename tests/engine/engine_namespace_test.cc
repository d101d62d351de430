// Namespace operations through the engine: special files (metadata only, never opened, no
// versions, no trash) and the largest file size.
#include <gtest/gtest.h>

#include "engine_test_util.h"

namespace reel::testing {
namespace {

using NamespaceTest = EngineTest;

TEST_F(NamespaceTest, SpecialFilesAreMetadataOnlyAndLeaveNoTrash) {
  for (FileType type : {FileType::kFifo, FileType::kCharDevice, FileType::kBlockDevice,
                        FileType::kSocket}) {
    SCOPED_TRACE(static_cast<int>(type));
    auto made = engine_->MakeNode(kRootInode, "node", type, 0640, 0x0103, 1000, 1000);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    EXPECT_EQ(made->type, type);
    EXPECT_EQ(made->mode, 0640u);
    auto looked = engine_->Lookup(kRootInode, "node");
    ASSERT_TRUE(looked.ok());
    EXPECT_EQ(looked->type, type);
    EXPECT_EQ(looked->rdev, made->rdev);
    EXPECT_EQ(engine_->Open(made->ino, OpenFlags{}).status().code(), Code::kInvalidArgument)
        << "the kernel serves a special file's I/O; the engine never opens one";
    EXPECT_EQ(engine_->Save(made->ino, "m").status().code(), Code::kInvalidArgument);
    AttrUpdate times;
    times.mtime = 5;
    auto updated = engine_->SetAttributes(made->ino, times, std::nullopt);
    ASSERT_TRUE(updated.ok()) << updated.status().ToString();
    EXPECT_EQ(updated->mtime, 5);
    ASSERT_TRUE(engine_->Unlink(kRootInode, "node").ok());
    EXPECT_EQ(engine_->GetAttributes(made->ino).status().code(), Code::kNotFound);
    EXPECT_TRUE(engine_->ListTrash()->empty());
  }
  EXPECT_EQ(engine_->MakeNode(kRootInode, "d", FileType::kDirectory, 0755, 0, 0, 0)
                .status()
                .code(),
            Code::kInvalidArgument);
  EXPECT_EQ(engine_->MakeNode(kRootInode, ".reel", FileType::kFifo, 0644, 0, 0, 0)
                .status()
                .code(),
            Code::kPermissionDenied);
}

TEST_F(NamespaceTest, TruncatePastTheLargestFileFailsWithFileTooLarge) {
  InodeId ino = WriteFile("f", {1, 2, 3});
  auto big = engine_->SetAttributes(ino, AttrUpdate{}, kMaxFileSize + 1);
  EXPECT_EQ(big.status().code(), Code::kFileTooLarge);
  EXPECT_EQ(engine_->GetAttributes(ino)->size, 3u) << "nothing changed";
  EXPECT_EQ(ReadAll(ino), (std::vector<uint8_t>{1, 2, 3}));
}

// A restore lands on a new inode; in a setgid directory it must keep the file's own group, not
// take the directory's.
TEST_F(NamespaceTest, RestoreInASetgidDirectoryKeepsTheFilesGroup) {
  auto dir = engine_->MakeDir(kRootInode, "shared", 0775, 0, 0);
  ASSERT_TRUE(dir.ok());
  AttrUpdate sgid;
  sgid.mode = 02775;
  sgid.gid = 4242;
  ASSERT_TRUE(engine_->SetAttributes(dir->ino, sgid, std::nullopt).ok());
  InodeId ino = WriteFile("f", {1}, dir->ino);
  ASSERT_EQ(engine_->GetAttributes(ino)->gid, 4242u);
  AttrUpdate own;
  own.gid = 7;
  ASSERT_TRUE(engine_->SetAttributes(ino, own, std::nullopt).ok());
  PatchFile(ino, 0, {2});
  ASSERT_TRUE(engine_->WaitIdle().ok());
  ASSERT_TRUE(engine_->Restore(ino, 1).ok());
  auto restored = engine_->Lookup(dir->ino, "f");
  ASSERT_TRUE(restored.ok());
  EXPECT_NE(restored->ino, ino) << "a restore makes a new inode";
  EXPECT_EQ(restored->gid, 7u);
  EXPECT_EQ(ReadAll(restored->ino), (std::vector<uint8_t>{1}));
}

}  // namespace
}  // namespace reel::testing
