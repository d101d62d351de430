// LocalDirStore specifics: on-disk layout, crash leftovers, stale temp cleanup, and the URI
// factory. The behaviour every store shares is in object_store_conformance_test.cc.
#include "store/local_dir_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "common/fs_util.h"
#include "store/memory_store.h"

namespace reel {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

class LocalDirStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/reel-store-local-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    scratch_ = tmpl;
    root_ = scratch_ + "/root";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(scratch_, ec);
  }

  std::unique_ptr<LocalDirStore> MustOpen() {
    auto store = LocalDirStore::Open(root_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  static std::set<std::string> DirEntries(const std::string& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename());
    return out;
  }
  static std::set<std::string> ListKeys(ObjectStore& store, const std::string& prefix) {
    std::set<std::string> out;
    Status s = store.List(prefix, [&](const ObjectInfo& i) {
      out.insert(i.key);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }
  static void WriteRaw(const std::string& path, std::string_view content) {
    ASSERT_TRUE(WriteFileAtomic(path, content).ok()) << path;
  }
  static void SetAge(const std::string& path, std::chrono::seconds age) {
    struct timespec times[2];
    ::clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec -= age.count();
    times[1] = times[0];
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
  }

  std::string scratch_;
  std::string root_;
};

TEST_F(LocalDirStoreTest, LayoutObjectsUnderObjectsDirAndNoTempLeft) {
  auto store = MustOpen();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Put("chunks/ab/abcdef", Bytes("content")).ok());
  ASSERT_TRUE(store->Put("top", Bytes("t")).ok());
  ASSERT_TRUE(store->Put("top", Bytes("t2")).ok());

  EXPECT_EQ(DirEntries(root_), (std::set<std::string>{"objects", "tmp"}));
  EXPECT_EQ(DirEntries(root_ + "/objects"), (std::set<std::string>{"chunks", "top"}));
  EXPECT_EQ(store->ObjectPath("chunks/ab/abcdef"), root_ + "/objects/chunks/ab/abcdef");
  auto content = ReadWholeFile(root_ + "/objects/chunks/ab/abcdef");
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(*content, "content");
  EXPECT_EQ(*ReadWholeFile(root_ + "/objects/top"), "t2");
  EXPECT_TRUE(DirEntries(root_ + "/tmp").empty()) << "temp files left behind";

  struct stat st;
  ASSERT_EQ(::stat((root_ + "/objects/chunks/ab/abcdef").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((root_ + "/objects/chunks/ab").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(store->Uri(), "file://" + root_);
}

TEST_F(LocalDirStoreTest, ObjectsSurviveReopen) {
  {
    auto store = MustOpen();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->Put("a/b/c", Bytes("persisted")).ok());
  }
  auto reopened = OpenObjectStore("file://" + root_ + "/");  // trailing '/' is fine
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->Uri(), "file://" + root_);
  auto got = (*reopened)->Get("a/b/c");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, Bytes("persisted"));
}

TEST_F(LocalDirStoreTest, CrashedTempFileIsInvisible) {
  auto store = MustOpen();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Put("kept", Bytes("whole")).ok());
  // A Put that crashed between write and rename leaves only a temp file.
  WriteRaw(root_ + "/tmp/0123456789abcdef-7.tmp", "half of an obj");
  EXPECT_EQ(store->Get("0123456789abcdef-7.tmp").status().code(), Code::kNotFound);
  EXPECT_EQ(ListKeys(*store, ""), std::set<std::string>{"kept"});
  EXPECT_EQ(*store->Get("kept"), Bytes("whole"));
  // A young temp file may belong to a live writer in another process: reopening keeps it.
  store.reset();
  store = MustOpen();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->stale_temps_removed(), 0u);
  EXPECT_TRUE(fs::exists(root_ + "/tmp/0123456789abcdef-7.tmp"));
  EXPECT_EQ(ListKeys(*store, ""), std::set<std::string>{"kept"});
  EXPECT_TRUE(store->Put("new", Bytes("n")).ok());
}

TEST_F(LocalDirStoreTest, ReopenRemovesStaleTempFiles) {
  ASSERT_TRUE(MustOpen());
  WriteRaw(root_ + "/tmp/old-1.tmp", "stale");
  WriteRaw(root_ + "/tmp/old-2.tmp", "stale");
  WriteRaw(root_ + "/tmp/young.tmp", "in progress");
  SetAge(root_ + "/tmp/old-1.tmp", std::chrono::hours(2));
  SetAge(root_ + "/tmp/old-2.tmp", std::chrono::minutes(61));
  SetAge(root_ + "/tmp/young.tmp", std::chrono::minutes(59));
  auto store = MustOpen();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->stale_temps_removed(), 2u);
  EXPECT_EQ(DirEntries(root_ + "/tmp"), std::set<std::string>{"young.tmp"});

  // The age is an option.
  auto eager = LocalDirStore::Open(root_, LocalDirStore::Options{std::chrono::seconds(60)});
  ASSERT_TRUE(eager.ok());
  EXPECT_EQ((*eager)->stale_temps_removed(), 1u);
  EXPECT_TRUE(DirEntries(root_ + "/tmp").empty());
}

TEST_F(LocalDirStoreTest, FailedPutLeavesNoTempFileAndOldObject) {
  auto store = MustOpen();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Put("a", Bytes("object a")).ok());
  ASSERT_TRUE(store->Put("d/child", Bytes("child")).ok());
  // A key cannot be both an object and the directory of another (documented limitation).
  Status below_object = store->Put("a/b", Bytes("x"));
  EXPECT_EQ(below_object.code(), Code::kNotDirectory) << below_object.ToString();
  Status over_directory = store->Put("d", Bytes("x"));
  EXPECT_EQ(over_directory.code(), Code::kIsDirectory) << over_directory.ToString();
  EXPECT_TRUE(DirEntries(root_ + "/tmp").empty());
  EXPECT_EQ(*store->Get("a"), Bytes("object a"));
  EXPECT_EQ(*store->Get("d/child"), Bytes("child"));
}

TEST_F(LocalDirStoreTest, DeleteLeavesEmptyDirectories) {
  auto store = MustOpen();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Put("chunks/ab/x", Bytes("x")).ok());
  ASSERT_TRUE(store->Delete("chunks/ab/x").ok());
  EXPECT_FALSE(fs::exists(root_ + "/objects/chunks/ab/x"));
  EXPECT_TRUE(fs::is_directory(root_ + "/objects/chunks/ab"));
  EXPECT_TRUE(ListKeys(*store, "").empty());
  EXPECT_TRUE(store->Put("chunks/ab/y", Bytes("y")).ok());
  EXPECT_EQ(ListKeys(*store, ""), std::set<std::string>{"chunks/ab/y"});
}

TEST_F(LocalDirStoreTest, ListSkipsForeignEntries) {
  auto store = MustOpen();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Put("chunks/ok", Bytes("x")).ok());
  WriteRaw(root_ + "/objects/chunks/editor backup~", "x");
  ASSERT_EQ(::symlink("ok", (root_ + "/objects/chunks/link").c_str()), 0);
  ASSERT_EQ(::mkfifo((root_ + "/objects/chunks/fifo").c_str(), 0600), 0);
  EXPECT_EQ(ListKeys(*store, ""), std::set<std::string>{"chunks/ok"});
  EXPECT_EQ(ListKeys(*store, "chunks/"), std::set<std::string>{"chunks/ok"});
}

// List must open only the directory its prefix names. An unreadable sibling directory shows
// it: listing below the prefix works, listing the parent fails. Root ignores permissions, so
// the check runs in a child process that drops to an unprivileged user.
TEST_F(LocalDirStoreTest, ListReadsOnlyTheDirectoryThePrefixNames) {
  {
    auto store = MustOpen();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->Put("chunks/ab/1", Bytes("1")).ok());
    ASSERT_TRUE(store->Put("chunks/abc/2", Bytes("2")).ok());
    ASSERT_TRUE(store->Put("chunks/zz/3", Bytes("3")).ok());
    ASSERT_TRUE(store->Put("other/4", Bytes("4")).ok());
  }
  const uid_t kNobody = 65534;
  if (::geteuid() == 0) {
    for (const auto& e : fs::recursive_directory_iterator(scratch_)) {
      ASSERT_EQ(::lchown(e.path().c_str(), kNobody, kNobody), 0);
    }
    ASSERT_EQ(::chown(scratch_.c_str(), kNobody, kNobody), 0);
  }
  ASSERT_EQ(::chmod((root_ + "/objects/chunks/zz").c_str(), 0), 0);
  ASSERT_EQ(::chmod((root_ + "/objects/other").c_str(), 0), 0);
  EXPECT_EXIT(
      {
        if (::geteuid() == 0 && (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)) ::_exit(10);
        auto store = LocalDirStore::Open(root_);
        if (!store.ok()) ::_exit(11);
        auto count = [&](const std::string& prefix, Code* code) {
          int n = 0;
          *code = (*store)->List(prefix, [&](const ObjectInfo&) { return ++n, true; }).code();
          return n;
        };
        Code code;
        if (count("chunks/ab", &code) != 2 || code != Code::kOk) ::_exit(12);
        if (count("chunks/ab/", &code) != 1 || code != Code::kOk) ::_exit(13);
        if (count("chunks/a", &code) != 2 || code != Code::kOk) ::_exit(14);
        count("chunks/", &code);  // must reach chunks/zz
        if (code != Code::kPermissionDenied) ::_exit(15);
        count("", &code);
        if (code != Code::kPermissionDenied) ::_exit(16);
        ::_exit(0);
      },
      ::testing::ExitedWithCode(0), "");
  ::chmod((root_ + "/objects/chunks/zz").c_str(), 0700);
  ::chmod((root_ + "/objects/other").c_str(), 0700);
}

TEST_F(LocalDirStoreTest, OpenRejectsBadRoots) {
  EXPECT_EQ(LocalDirStore::Open("relative/dir").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(LocalDirStore::Open("").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(LocalDirStore::Open("/").status().code(), Code::kInvalidArgument);
  WriteRaw(scratch_ + "/plain-file", "x");
  EXPECT_FALSE(LocalDirStore::Open(scratch_ + "/plain-file").ok());
}

TEST(StoreFactoryTest, OpensByScheme) {
  char tmpl[] = "/tmp/reel-store-factory-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = std::string(tmpl) + "/new/nested";
  auto file_store = OpenObjectStore("file://" + dir);
  ASSERT_TRUE(file_store.ok()) << file_store.status().ToString();
  EXPECT_NE(dynamic_cast<LocalDirStore*>(file_store->get()), nullptr);
  EXPECT_TRUE(fs::is_directory(dir + "/objects"));
  EXPECT_EQ((*file_store)->Uri(), "file://" + dir);

  auto mem = OpenObjectStore("memory://unit");
  ASSERT_TRUE(mem.ok());
  EXPECT_NE(dynamic_cast<MemoryStore*>(mem->get()), nullptr);
  EXPECT_EQ((*mem)->Uri(), "memory://unit");
  ASSERT_TRUE((*mem)->Put("k", Bytes("v")).ok());
  auto mem2 = OpenObjectStore("memory://unit");  // a new, empty store each time
  ASSERT_TRUE(mem2.ok());
  EXPECT_EQ((*mem2)->Get("k").status().code(), Code::kNotFound);
  fs::remove_all(tmpl);
}

TEST(StoreFactoryTest, RejectsRelativeFilePaths) {
  for (const char* uri : {"file://", "file://relative/dir", "file://host/dir", "file:relative"}) {
    auto r = OpenObjectStore(uri);
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << uri;
  }
}

TEST(StoreFactoryTest, UnknownSchemeListsSupportedOnes) {
  for (const char* uri :
       {"ftp://x", "", "no-scheme", "FILE:///tmp/x"}) {
    auto r = OpenObjectStore(uri);
    ASSERT_EQ(r.status().code(), Code::kInvalidArgument) << uri;
    EXPECT_NE(r.status().message().find("file:///"), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("memory://"), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("rados://"), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("s3://"), std::string::npos) << r.status().message();
  }
  // Whatever follows the scheme (maybe credentials) is not echoed.
  auto r = OpenObjectStore("s3://KEY:SECRET@bucket");
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message().find("SECRET"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace reel
