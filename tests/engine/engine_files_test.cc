// File content through the engine: staged writes, reads, partial rewrites, holes, unlinked files,
// the read-only version tree.
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "catalog/catalog.h"
#include "catalog/catalog_test_util.h"
#include "engine_test_util.h"
#include "testing/wait.h"

namespace reel::testing {
namespace {

class FilesTest : public EngineTest {
 protected:
  // The file's current version as the catalog records it.
  Result<Version> CurrentVersion(InodeId ino) {
    REEL_ASSIGN_OR_RETURN(auto cat, OpenCatalog("sqlite://" + dir_ + "/catalog.db", 0, 0));
    return cat->GetVersion(ino, 0);
  }
};

TEST_F(FilesTest, WrittenFileReadsBackAndBecomesVersionOne) {
  auto data = RandomBytes(3 << 20, 1);
  InodeId ino = WriteFile("a.bin", data);
  EXPECT_EQ(ReadAll(ino), data);
  auto versions = engine_->ListVersions(ino);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ((*versions)[0].number, 1u);
  EXPECT_EQ((*versions)[0].size, data.size());
  EXPECT_EQ((*versions)[0].kind, VersionKind::kAutosave);
}

// A new file closed empty has nothing to keep: no version (and no commit); its first write makes
// version 1.
TEST_F(FilesTest, ANewFileClosedEmptyGetsNoVersionItsFirstWriteMakesVersionOne) {
  InodeId ino = WriteFile("empty", {});
  auto versions = engine_->ListVersions(ino);
  ASSERT_TRUE(versions.ok());
  EXPECT_TRUE(versions->empty());
  auto attr = engine_->GetAttributes(ino);
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->size, 0u);
  EXPECT_EQ(attr->type, FileType::kRegular);

  const std::vector<uint8_t> data = {'x', 'y'};
  PatchFile(ino, 0, data);
  versions = engine_->ListVersions(ino);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ((*versions)[0].number, 1u);
  EXPECT_EQ((*versions)[0].size, data.size());
}

// The kernel's writeback cache sends the times of an inode back: after an unlink, link or rename
// (an mtime it already had), and at the close of a written file (the mtime of its writes).
// Neither is a catalog write; any other mtime is one.
TEST_F(FilesTest, AnMtimeTheFileAlreadyHasOrThatGoesWithStagedWritesWritesNoCatalog) {
  const InodeId ino = WriteFile("plate.exr", RandomBytes(4096, 5));
  ASSERT_OK_AND_ASSIGN(Attributes before, engine_->GetAttributes(ino));
  AttrUpdate same;
  same.mtime = before.mtime;
  ASSERT_OK_AND_ASSIGN(Attributes answered, engine_->SetAttributes(ino, same, {}));
  EXPECT_EQ(answered.ctime, before.ctime) << "nothing written";
  EXPECT_EQ(engine_->GetAttributes(ino)->ctime, before.ctime);

  // Over staged writes: the mtime goes into their version.
  auto h = engine_->Open(ino, OpenFlags{true});
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE(engine_->Write(*h, 0, RandomBytes(16, 6)).ok());
  AttrUpdate at_close;
  at_close.mtime = before.mtime + 7;
  ASSERT_OK_AND_ASSIGN(answered, engine_->SetAttributes(ino, at_close, {}));
  EXPECT_EQ(answered.mtime, before.mtime + 7);
  ASSERT_TRUE(engine_->Release(*h).ok());
  ASSERT_TRUE(engine_->WaitIdle().ok());
  EXPECT_EQ(engine_->GetAttributes(ino)->mtime, before.mtime + 7) << "kept by the version";

  // Any other mtime is the user's (touch -d): written, with a new ctime.
  ASSERT_OK_AND_ASSIGN(Attributes committed, engine_->GetAttributes(ino));
  AttrUpdate touch;
  touch.mtime = committed.mtime - 1'000'000'000;
  ASSERT_OK_AND_ASSIGN(answered, engine_->SetAttributes(ino, touch, {}));
  EXPECT_EQ(answered.mtime, touch.mtime);
  EXPECT_GT(answered.ctime, committed.ctime);
}

TEST_F(FilesTest, AFileCreatedAndClosedEmptyTouchesNoStagingFile) {
  auto staged_files = [&] {
    std::filesystem::directory_iterator staging(dir_ + "/staging");
    return static_cast<size_t>(std::distance(staging, std::filesystem::directory_iterator()));
  };
  auto created = engine_->Create(kRootInode, "touched", 0644, 0, 0, OpenFlags{true});
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(staged_files(), 0u);
  ASSERT_TRUE(engine_->Flush(created->second).ok());
  ASSERT_TRUE(engine_->Fsync(created->second, false).ok());
  EXPECT_EQ(staged_files(), 0u);
  ASSERT_TRUE(engine_->Release(created->second).ok());
  ASSERT_TRUE(engine_->WaitIdle().ok());
  EXPECT_EQ(staged_files(), 0u);
  auto versions = engine_->ListVersions(created->first.ino);
  ASSERT_TRUE(versions.ok());
  EXPECT_TRUE(versions->empty());
}

TEST_F(FilesTest, NewFileClosedEmptyKeepsTheMtimeItWasCreatedWith) {
  // The kernel caches the attributes the create answered; a later stat or chown must not see
  // the mtime move when nothing was written.
  auto created = engine_->Create(kRootInode, "still", 0644, 0, 0, OpenFlags{true});
  ASSERT_TRUE(created.ok());
  const TimeNs created_mtime = created->first.mtime;
  auto open = engine_->GetAttributes(created->first.ino);
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->mtime, created_mtime);
  ASSERT_TRUE(engine_->Flush(created->second).ok());
  ASSERT_TRUE(engine_->Release(created->second).ok());
  ASSERT_TRUE(engine_->WaitIdle().ok());
  ASSERT_TRUE(engine_->ListVersions(created->first.ino)->empty());
  auto closed = engine_->GetAttributes(created->first.ino);
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->mtime, created_mtime);
}

TEST_F(FilesTest, SmallOverwriteStoresOnlyNearbyChunks) {
  auto data = RandomBytes(8 << 20, 2);
  InodeId ino = WriteFile("big.bin", data);
  uint64_t before = StoredChunkBytes();
  EXPECT_GE(before, data.size());
  auto patch = RandomBytes(64 << 10, 3);
  PatchFile(ino, 3 << 20, patch);
  std::copy(patch.begin(), patch.end(), data.begin() + (3 << 20));
  EXPECT_EQ(ReadAll(ino), data);
  uint64_t added = StoredChunkBytes() - before;
  // At most the chunks the patch touches (max chunk 256 KiB each side) are rewritten.
  EXPECT_GT(added, 0u);
  EXPECT_LE(added, 3u * 256 * 1024);
  EXPECT_EQ(engine_->ListVersions(ino)->size(), 2u);
}

TEST_F(FilesTest, AnInPlaceEditReplacesExactlyTheChunksItTouchesAsOneChunkOverTheirExtent) {
  auto data = RandomBytes(8 << 20, 12);
  InodeId ino = WriteFile("shot.mov", data);
  auto v1 = CurrentVersion(ino);
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  // A patch across the boundary between two chunks in the middle of the file.
  uint64_t boundary = 0;
  size_t k = v1->chunks.size() / 2;
  for (size_t i = 0; i < k; ++i) boundary += v1->chunks[i].length;
  auto patch = RandomBytes(1000, 13);
  PatchFile(ino, boundary - 500, patch);
  std::copy(patch.begin(), patch.end(), data.begin() + static_cast<ptrdiff_t>(boundary - 500));
  EXPECT_EQ(ReadAll(ino), data);
  auto v2 = CurrentVersion(ino);
  ASSERT_TRUE(v2.ok());
  const uint32_t joint = v1->chunks[k - 1].length + v1->chunks[k].length;
  ASSERT_LE(joint, 256u << 10) << "the test needs two touched chunks that fit one chunk";
  // The two touched chunks became one over their joint extent; every other chunk is the same
  // chunk at the same place.
  ASSERT_EQ(v2->chunks.size(), v1->chunks.size() - 1);
  for (size_t i = 0; i + 1 < k; ++i) EXPECT_EQ(v2->chunks[i].id, v1->chunks[i].id) << i;
  EXPECT_EQ(v2->chunks[k - 1].length, joint);
  EXPECT_NE(v2->chunks[k - 1].id, v1->chunks[k - 1].id);
  EXPECT_NE(v2->chunks[k - 1].id, v1->chunks[k].id);
  for (size_t i = k + 1; i < v1->chunks.size(); ++i) EXPECT_EQ(v2->chunks[i - 1].id, v1->chunks[i].id) << i;
}

TEST_F(FilesTest, EditsFarApartStaySeparateChunks) {
  auto data = RandomBytes(8 << 20, 14);
  InodeId ino = WriteFile("plate.exr", data);
  auto v1 = CurrentVersion(ino);
  ASSERT_TRUE(v1.ok()) << v1.status().ToString();
  ASSERT_GE(v1->chunks.size(), 8u);
  // One byte in chunk 2 and one in chunk 5: two new chunks, each with its old extent.
  uint64_t start2 = 0, start5 = 0;
  for (size_t i = 0; i < 5; ++i) (i < 2 ? start2 : start5) += v1->chunks[i].length;
  start5 += start2;
  for (uint64_t at : {start2 + 7, start5 + 7}) {
    data[at] ^= 0xff;
    PatchFile(ino, at, {data[at]});
  }
  EXPECT_EQ(ReadAll(ino), data);
  auto v3 = CurrentVersion(ino);
  ASSERT_TRUE(v3.ok());
  ASSERT_EQ(v3->chunks.size(), v1->chunks.size());
  for (size_t i = 0; i < v1->chunks.size(); ++i) {
    EXPECT_EQ(v3->chunks[i].length, v1->chunks[i].length) << i;
    EXPECT_EQ(v3->chunks[i].id != v1->chunks[i].id, i == 2 || i == 5) << i;
  }
}

TEST_F(FilesTest, StreamingReadersGetChunksFetchedAheadRandomReadersDoNot) {
  auto data = RandomBytes(12 << 20, 21);
  InodeId ino = WriteFile("clip.mov", data);
  auto read_at = [&](HandleId h, uint64_t offset) {
    std::vector<uint8_t> buf(64 << 10);
    auto n = engine_->Read(h, offset, buf);
    ASSERT_TRUE(n.ok());
    EXPECT_TRUE(std::equal(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(*n),
                           data.begin() + static_cast<ptrdiff_t>(offset)));
  };
  // Random: jumps of several MiB, never following each other.
  CloseEngine();
  OpenEngine();
  auto h = engine_->Open(ino, OpenFlags{});
  ASSERT_TRUE(h.ok());
  for (uint64_t off : {9ull << 20, 1ull << 20, 6ull << 20, 3ull << 20, 11ull << 20}) read_at(*h, off);
  EXPECT_EQ(engine_->Counters().chunks_prefetched, 0u) << "random reads fetch only what they touch";
  ASSERT_TRUE(engine_->Release(*h).ok());
  // Streaming from the start.
  CloseEngine();
  OpenEngine();
  h = engine_->Open(ino, OpenFlags{});
  for (uint64_t off = 0; off < (2u << 20); off += 64 << 10) read_at(*h, off);
  // Prefetches finish in the background.
  for (int i = 0; i < 500 && engine_->Counters().chunks_prefetched == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(engine_->Counters().chunks_prefetched, 0u) << "a streaming reader gets readahead";
  ASSERT_TRUE(engine_->Release(*h).ok());
}

TEST_F(FilesTest, AppendKeepsEarlierChunks) {
  auto data = RandomBytes(2 << 20, 4);
  InodeId ino = WriteFile("log.bin", data);
  uint64_t before = StoredChunkBytes();
  auto more = RandomBytes(100 << 10, 5);
  auto h = engine_->Open(ino, OpenFlags{true, false, true});
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE(engine_->Write(*h, 0, more).ok());  // O_APPEND ignores the offset
  ASSERT_TRUE(engine_->Release(*h).ok());
  ASSERT_TRUE(engine_->WaitIdle().ok());
  data.insert(data.end(), more.begin(), more.end());
  EXPECT_EQ(ReadAll(ino), data);
  EXPECT_LE(StoredChunkBytes() - before, more.size() + 256u * 1024);
}

TEST_F(FilesTest, TruncateThenExtendReadsZeros) {
  auto data = RandomBytes(1 << 20, 6);
  InodeId ino = WriteFile("t.bin", data);
  ASSERT_TRUE(engine_->SetAttributes(ino, {}, 100000).ok());
  ASSERT_TRUE(engine_->SetAttributes(ino, {}, 500000).ok());
  ASSERT_TRUE(engine_->WaitIdle().ok());
  auto got = ReadAll(ino);
  ASSERT_EQ(got.size(), 500000u);
  EXPECT_TRUE(std::equal(got.begin(), got.begin() + 100000, data.begin()));
  EXPECT_TRUE(std::all_of(got.begin() + 100000, got.end(), [](uint8_t b) { return b == 0; }));
}

TEST_F(FilesTest, SparseFileStoresHolesNotZeros) {
  auto created = engine_->Create(kRootInode, "sparse", 0644, 0, 0, OpenFlags{true});
  ASSERT_TRUE(created.ok());
  const uint64_t far = 10ull << 30;  // 10 GiB
  std::vector<uint8_t> tail = {1, 2, 3};
  ASSERT_TRUE(engine_->Write(created->second, far, tail).ok());
  ASSERT_TRUE(engine_->Release(created->second).ok());
  ASSERT_TRUE(engine_->WaitIdle().ok());
  InodeId ino = created->first.ino;
  EXPECT_EQ(engine_->GetAttributes(ino)->size, far + 3);
  EXPECT_LT(StoredChunkBytes(), 1u << 20);
  auto h = engine_->Open(ino, OpenFlags{});
  std::vector<uint8_t> buf(8, 0xff);
  ASSERT_EQ(*engine_->Read(*h, far - 5, buf), 8u);
  EXPECT_EQ(buf, (std::vector<uint8_t>{0, 0, 0, 0, 0, 1, 2, 3}));
  ASSERT_EQ(*engine_->Read(*h, 5ull << 30, buf), 8u);
  EXPECT_EQ(buf, std::vector<uint8_t>(8, 0));
  ASSERT_TRUE(engine_->Release(*h).ok());
}

TEST_F(FilesTest, OneByteEditOfHugeSparseFileTouchesOneChunk) {
  // A 100 GiB file made of a hole and some data; editing one byte must not re-read the file.
  auto created = engine_->Create(kRootInode, "huge", 0644, 0, 0, OpenFlags{true});
  ASSERT_TRUE(created.ok());
  auto block = RandomBytes(1 << 20, 7);
  ASSERT_TRUE(engine_->Write(created->second, 50ull << 30, block).ok());
  ASSERT_TRUE(engine_->SetAttributes(created->first.ino, {}, 100ull << 30).ok());
  ASSERT_TRUE(engine_->Release(created->second).ok());
  ASSERT_TRUE(engine_->WaitIdle().ok());
  uint64_t before = StoredChunkBytes();
  PatchFile(created->first.ino, (50ull << 30) + 1000, {42});
  uint64_t added = StoredChunkBytes() - before;
  EXPECT_GT(added, 0u);
  EXPECT_LE(added, 2u * 256 * 1024);
  auto h = engine_->Open(created->first.ino, OpenFlags{});
  std::vector<uint8_t> b(1);
  ASSERT_EQ(*engine_->Read(*h, (50ull << 30) + 1000, b), 1u);
  EXPECT_EQ(b[0], 42);
  ASSERT_TRUE(engine_->Release(*h).ok());
}

TEST_F(FilesTest, SharedReadsGiveTheSameBytesAsCopiedReads) {
  // A committed version with several chunks and a 3 MiB hole, then staged writes on top (open):
  // one inside a chunk, one inside the hole, and a truncate-and-extend whose tail reads as zeros.
  auto created = engine_->Create(kRootInode, "mixed", 0644, 0, 0, OpenFlags{true});
  ASSERT_TRUE(created.ok());
  const auto head = RandomBytes(5 << 20, 11);
  ASSERT_TRUE(engine_->Write(created->second, 0, head).ok());
  const auto tail = RandomBytes(1 << 20, 12);
  ASSERT_TRUE(engine_->Write(created->second, 8 << 20, tail).ok());
  ASSERT_TRUE(engine_->Release(created->second).ok());
  ASSERT_TRUE(engine_->WaitIdle().ok());
  const InodeId ino = created->first.ino;
  auto w = engine_->Open(ino, OpenFlags{true});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(engine_->Write(*w, 1'000'000, RandomBytes(70'000, 13)).ok());
  ASSERT_TRUE(engine_->Write(*w, (6 << 20) + 5, RandomBytes(4'096, 14)).ok());
  ASSERT_TRUE(engine_->SetAttributes(ino, {}, (8 << 20) + 300'000).ok());
  ASSERT_TRUE(engine_->SetAttributes(ino, {}, 10 << 20).ok());

  auto r = engine_->Open(ino, OpenFlags{});
  ASSERT_TRUE(r.ok());
  for (uint64_t offset : {uint64_t{0}, uint64_t{999'000}, uint64_t{4'500'000}, uint64_t{6} << 20,
                          uint64_t{8} << 20, (uint64_t{10} << 20) - 100, uint64_t{20} << 20}) {
    for (size_t size : {size_t{1}, size_t{131'072}, size_t{3} << 20}) {
      std::vector<uint8_t> copied(size);
      auto n = engine_->Read(*r, offset, copied);
      ASSERT_TRUE(n.ok()) << n.status().ToString();
      copied.resize(*n);
      auto pieces = engine_->ReadShared(*r, offset, size);
      ASSERT_TRUE(pieces.ok()) << pieces.status().ToString();
      std::vector<uint8_t> joined;
      for (const SharedBytes& p : *pieces) joined.insert(joined.end(), p.begin(), p.end());
      EXPECT_EQ(joined, copied) << "offset " << offset << " size " << size;
    }
  }
  ASSERT_TRUE(engine_->Release(*r).ok());
  ASSERT_TRUE(engine_->Release(*w).ok());
}

TEST_F(FilesTest, ReadersSeeStagedWritesBeforeClose) {
  auto created = engine_->Create(kRootInode, "live", 0644, 0, 0, OpenFlags{true});
  ASSERT_TRUE(created.ok());
  std::vector<uint8_t> data = {'h', 'i'};
  ASSERT_TRUE(engine_->Write(created->second, 0, data).ok());
  auto reader = engine_->Open(created->first.ino, OpenFlags{});
  std::vector<uint8_t> buf(10);
  ASSERT_EQ(*engine_->Read(*reader, 0, buf), 2u);
  EXPECT_EQ(buf[1], 'i');
  EXPECT_EQ(engine_->GetAttributes(created->first.ino)->size, 2u);
  ASSERT_TRUE(engine_->Release(*reader).ok());
  ASSERT_TRUE(engine_->Release(created->second).ok());
}

TEST_F(FilesTest, UnlinkedOpenFileKeepsWorkingAndLandsInTrash) {
  auto created = engine_->Create(kRootInode, "tmp", 0644, 0, 0, OpenFlags{true});
  ASSERT_TRUE(created.ok());
  auto data = RandomBytes(300000, 8);
  ASSERT_TRUE(engine_->Write(created->second, 0, data).ok());
  ASSERT_TRUE(engine_->Unlink(kRootInode, "tmp").ok());
  EXPECT_EQ(engine_->Lookup(kRootInode, "tmp").status().code(), Code::kNotFound);
  ASSERT_TRUE(engine_->Write(created->second, data.size(), data).ok());
  std::vector<uint8_t> buf(data.size());
  ASSERT_EQ(*engine_->Read(created->second, data.size(), buf), data.size());
  EXPECT_EQ(buf, data);
  ASSERT_TRUE(engine_->Release(created->second).ok());
  ASSERT_TRUE(engine_->WaitIdle().ok());
  auto trash = engine_->ListTrash();
  ASSERT_TRUE(trash.ok());
  ASSERT_EQ(trash->size(), 1u);
  EXPECT_EQ((*trash)[0].original_path, "tmp");
  ASSERT_TRUE(engine_->RestoreFromTrash((*trash)[0].id, "").ok());
  auto ino = engine_->Resolve("tmp");
  ASSERT_TRUE(ino.ok());
  auto restored = ReadAll(*ino);
  ASSERT_EQ(restored.size(), 2 * data.size());
  EXPECT_TRUE(std::equal(data.begin(), data.end(), restored.begin() + data.size()));
}

TEST_F(FilesTest, VersionTreeServesOldVersionsReadOnly) {
  auto v1 = RandomBytes(200000, 9);
  auto v2 = RandomBytes(150000, 10);
  auto dir = engine_->MakeDir(kRootInode, "shots", 0755, 0, 0);
  ASSERT_TRUE(dir.ok());
  WriteFile("a.exr", v1, dir->ino);
  WriteFile("a.exr", v2, dir->ino);

  auto reel = engine_->Lookup(kRootInode, ".reel");
  ASSERT_TRUE(reel.ok());
  auto versions = engine_->Lookup(reel->ino, "versions");
  ASSERT_TRUE(versions.ok());
  auto shots = engine_->Lookup(versions->ino, "shots");
  ASSERT_TRUE(shots.ok());
  auto file_dir = engine_->Lookup(shots->ino, "a.exr");
  ASSERT_TRUE(file_dir.ok());
  EXPECT_EQ(file_dir->type, FileType::kDirectory);
  auto listing = engine_->ReadDir(file_dir->ino, 0, 100);
  ASSERT_TRUE(listing.ok());
  ASSERT_EQ(listing->size(), 2u);
  EXPECT_EQ((*listing)[0].name, "1");
  auto first = engine_->Lookup(file_dir->ino, "1");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->size, v1.size());
  EXPECT_EQ(ReadAll(first->ino), v1);
  EXPECT_EQ(engine_->Open(first->ino, OpenFlags{true}).status().code(), Code::kReadOnly);
  EXPECT_EQ(engine_->Lookup(file_dir->ino, "3").status().code(), Code::kNotFound);
  EXPECT_EQ(engine_->Lookup(file_dir->ino, "01").status().code(), Code::kNotFound);
  EXPECT_EQ(engine_->MakeDir(shots->ino, "x", 0755, 0, 0).status().code(), Code::kReadOnly);

  auto root_listing = engine_->ReadDir(kRootInode, 0, 100);
  ASSERT_TRUE(root_listing.ok());
  for (const auto& e : *root_listing) EXPECT_NE(e.name, ".reel");
  EXPECT_EQ(engine_->MakeDir(kRootInode, ".reel", 0755, 0, 0).status().code(),
            Code::kPermissionDenied);
}

TEST_F(FilesTest, IdenticalFilesAreStoredOnce) {
  auto data = RandomBytes(2 << 20, 11);
  WriteFile("one", data);
  uint64_t after_one = StoredChunkBytes();
  WriteFile("two", data);
  EXPECT_EQ(StoredChunkBytes(), after_one);
  EXPECT_GE(engine_->Counters().chunks_deduplicated, 1u);
}

// The FUSE adapter moves written bytes itself (splice) through WriteFrom: what the fill reports
// moved is what the file holds, a short move is a short write, and a failed move stages nothing.
TEST_F(FilesTest, WriteFromStagesExactlyWhatTheFillMoved) {
  auto data = RandomBytes(64 << 10, 13);
  auto created = engine_->Create(kRootInode, "spliced", 0644, 0, 0, OpenFlags{true, false, false});
  ASSERT_TRUE(created.ok());
  HandleId h = created->second;
  auto short_fill = [&](int fd, uint64_t at, size_t len) -> Result<size_t> {
    size_t half = len / 2;
    if (::pwrite(fd, data.data(), half, static_cast<off_t>(at)) != static_cast<ssize_t>(half)) {
      return Status::FromErrno(errno, "pwrite");
    }
    return half;
  };
  auto n = engine_->WriteFrom(h, 0, data.size(), short_fill);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, data.size() / 2);
  auto failing = [&](int fd, uint64_t at, size_t) -> Result<size_t> {
    (void)::pwrite(fd, data.data(), 100, static_cast<off_t>(at));  // bytes moved before a failure
    return Status::IOError("the pipe broke");
  };
  EXPECT_FALSE(engine_->WriteFrom(h, 1 << 20, data.size(), failing).ok());
  ASSERT_TRUE(engine_->Release(h).ok());
  ASSERT_TRUE(engine_->WaitIdle().ok());
  std::vector<uint8_t> expected(data.begin(), data.begin() + data.size() / 2);
  EXPECT_EQ(ReadAll(created->first.ino), expected) << "size and content are the moved half only";
}

}  // namespace
}  // namespace reel::testing

namespace reel::testing {
namespace {

TEST_F(FilesTest, WaitIdleWaitsForReleasesOfClosedWriters) {
  // close(2) returns after FLUSH; the kernel sends RELEASE later. `reel sync` right after a
  // close must still see the version.
  auto created = engine_->Create(kRootInode, "late", 0644, 0, 0, OpenFlags{true});
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(engine_->Write(created->second, 0, RandomBytes(5000, 30)).ok());
  ASSERT_TRUE(engine_->Flush(created->second).ok());
  std::atomic<pid_t> waiter_tid{0};
  std::atomic<bool> released{false};
  std::thread waiter([&] {
    waiter_tid = ::gettid();
    EXPECT_TRUE(engine_->WaitIdle().ok());
    EXPECT_TRUE(released) << "WaitIdle returned before the writer's release";
    EXPECT_EQ(engine_->ListVersions(created->first.ino)->size(), 1u);
  });
  // The release comes once WaitIdle is blocked waiting for it.
  EXPECT_TRUE(WaitUntil([&] { return waiter_tid != 0; }, std::chrono::seconds(10)));
  EXPECT_TRUE(WaitUntilBlocked(waiter_tid, std::chrono::seconds(10)));
  released = true;
  EXPECT_TRUE(engine_->Release(created->second).ok());
  waiter.join();
}

}  // namespace
}  // namespace reel::testing
