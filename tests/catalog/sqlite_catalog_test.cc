// SQLite-specific behaviour: URIs, persistence across reopen, migrations, transaction retry,
// concurrency, and a printed (not asserted) speed check.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "catalog/sqlite/schema_migrations.h"
#include "catalog/sqlite/sqlite_db.h"
#include "catalog_test_util.h"
#include "testing/wait.h"

namespace reel::testing {
namespace {

using sqlite::Db;

class SqliteCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("reel-sqlite");
    ASSERT_FALSE(dir_.empty());
    path_ = dir_ + "/catalog.db";
  }
  void TearDown() override { RemoveTree(dir_); }

  std::unique_ptr<Catalog> Open(uint32_t uid = kTestUid, uint32_t gid = kTestGid) {
    auto r = OpenCatalog("sqlite://" + path_, uid, gid);
    if (!r.ok()) {
      ADD_FAILURE() << r.status().ToString();
      return nullptr;
    }
    return std::move(r).value();
  }

  static Attributes Create(Catalog& cat, InodeId parent, const std::string& name, FileType type,
                           TimeNs now) {
    NewNode n;
    n.type = type;
    n.symlink_target = type == FileType::kSymlink ? "target" : "";
    auto r = cat.CreateNode(parent, name, n, now);
    if (!r.ok()) {
      ADD_FAILURE() << name << ": " << r.status().ToString();
      return {};
    }
    return *r;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(SqliteCatalogTest, OpenCatalogChecksUris) {
  auto bad = OpenCatalog("mysql://user:secret@host/db", 0, 0);
  ASSERT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("sqlite:///"), std::string::npos);
  EXPECT_NE(bad.status().message().find("sqlite::memory:"), std::string::npos);
  EXPECT_EQ(bad.status().message().find("secret"), std::string::npos);
  EXPECT_EQ(OpenCatalog("sqlite://relative.db", 0, 0).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(OpenCatalog("sqlite:///", 0, 0).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(OpenCatalog("", 0, 0).status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(OpenCatalog("sqlite://" + dir_ + "/no/such/dir/c.db", 0, 0).ok());
}

TEST_F(SqliteCatalogTest, NewDatabaseIsPrivateAndInWalMode) {
  std::unique_ptr<Catalog> cat = Open();
  ASSERT_NE(cat, nullptr);
  ASSERT_OK(cat->CreateNode(kRootInode, "f", NewNode{}, 1));
  struct stat st;
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((path_ + "-wal").c_str(), &st), 0) << "WAL mode keeps a -wal file";
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(SqliteCatalogTest, MemoryCatalogsArePrivate) {
  auto a = OpenCatalog("sqlite::memory:", 0, 0);
  auto b = OpenCatalog("sqlite::memory:", 0, 0);
  ASSERT_OK(a);
  ASSERT_OK(b);
  ASSERT_OK((*a)->CreateNode(kRootInode, "only-in-a", NewNode{}, 1));
  EXPECT_EQ((*b)->Lookup(kRootInode, "only-in-a").status().code(), Code::kNotFound);
}

TEST_F(SqliteCatalogTest, ReopenKeepsEverythingAndDoesNotRerunMigrations) {
  InodeId dir_ino = 0, file_ino = 0, link_ino = 0, trashed_ino = 0;
  const ChunkRef chunk{TestChunk(42), 4096};
  {
    std::unique_ptr<Catalog> cat = Open();
    ASSERT_NE(cat, nullptr);
    dir_ino = Create(*cat, kRootInode, "dir", FileType::kDirectory, 10).ino;
    file_ino = Create(*cat, dir_ino, "file", FileType::kRegular, 11).ino;
    link_ino = Create(*cat, kRootInode, "link", FileType::kSymlink, 12).ino;
    trashed_ino = Create(*cat, kRootInode, "trashed", FileType::kRegular, 13).ino;
    NewVersion v;
    v.size = 4096;
    v.chunks = {chunk};
    v.message = "first";
    ASSERT_OK(cat->CommitVersion(file_ino, v, 14));
    ASSERT_OK(cat->SetXattr(file_ino, "user.k", "v", false, false));
    ASSERT_OK(cat->Unlink(kRootInode, "trashed", 15));
    ASSERT_OK(cat->Sync());
  }
  std::string applied_at_before;
  {
    auto db = Db::Open(path_, Db::Options{});
    ASSERT_OK(db);
    EXPECT_EQ(*sqlite::SchemaVersion(**db), sqlite::LatestSchemaVersion());
    auto st =
        (*db)->Prepare("SELECT group_concat(version || ':' || applied_at) FROM schema_version");
    ASSERT_TRUE(*st.Step());
    applied_at_before = st.Text(0);
  }

  std::unique_ptr<Catalog> cat = Open(/*uid=*/5, /*gid=*/6);
  ASSERT_NE(cat, nullptr);
  Attributes root = *cat->GetAttributes(kRootInode);
  EXPECT_EQ(root.uid, kTestUid) << "the root is created once";
  EXPECT_EQ(root.nlink, 3u);
  EXPECT_EQ(cat->Lookup(kRootInode, "dir")->ino, dir_ino);
  Attributes file = *cat->Lookup(dir_ino, "file");
  EXPECT_EQ(file.ino, file_ino);
  EXPECT_EQ(file.size, 4096u);
  EXPECT_EQ(file.version, 1u);
  EXPECT_EQ(*cat->ReadSymlink(link_ino), "target");
  EXPECT_EQ(*cat->GetXattr(file_ino, "user.k"), "v");
  ASSERT_OK_AND_ASSIGN(Version v, cat->GetVersion(file_ino, 0));
  EXPECT_EQ(v.info.message, "first");
  EXPECT_EQ(v.chunks, std::vector<ChunkRef>{chunk});
  ASSERT_OK_AND_ASSIGN(auto trash, cat->ListTrash());
  ASSERT_EQ(trash.size(), 1u);
  EXPECT_EQ(trash[0].ino, trashed_ino);
  EXPECT_EQ(trash[0].original_path, "trashed");
  EXPECT_TRUE(*cat->HasChunk(chunk.id));
  ASSERT_OK_AND_ASSIGN(CatalogStats s, cat->Stats());
  EXPECT_EQ(s.files, 1u);
  EXPECT_EQ(s.directories, 2u);
  EXPECT_EQ(s.trash_entries, 1u);
  EXPECT_EQ(s.chunk_bytes, 4096u);
  // New inode numbers continue after the old ones.
  EXPECT_GT(Create(*cat, kRootInode, "new", FileType::kRegular, 20).ino, trashed_ino);
  cat.reset();

  auto db = Db::Open(path_, Db::Options{});
  ASSERT_OK(db);
  EXPECT_EQ(*sqlite::Migrate(**db, 999), 0) << "nothing left to migrate";
  auto st = (*db)->Prepare("SELECT group_concat(version || ':' || applied_at) FROM schema_version");
  ASSERT_TRUE(*st.Step());
  EXPECT_EQ(st.Text(0), applied_at_before) << "migrations ran again";
  auto uv = (*db)->Prepare("PRAGMA user_version");
  ASSERT_TRUE(*uv.Step());
  EXPECT_EQ(uv.Int(0), sqlite::LatestSchemaVersion());
  auto mode = (*db)->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(*mode.Step());
  EXPECT_EQ(mode.Text(0), "wal");
}

// A drive made before special files existed (schema 4) opens, keeps its files, and then holds
// fifos and devices, also after a reopen.
TEST_F(SqliteCatalogTest, ADriveFromBeforeSpecialFilesMigratesAndTakesThem) {
  {
    auto db = Db::Open(path_, Db::Options{});
    ASSERT_OK(db);
    ASSERT_OK((*db)->Exec("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
                          "description TEXT NOT NULL, applied_at INTEGER NOT NULL)"));
    for (const sqlite::Migration& m : sqlite::Migrations()) {
      if (m.version > 4) break;
      ASSERT_OK((*db)->Exec(m.sql));
      ASSERT_OK((*db)->Exec("INSERT INTO schema_version VALUES (" + std::to_string(m.version) +
                            ", 'old', 1)"));
    }
    ASSERT_OK((*db)->Exec(
        "INSERT INTO inodes (ino, type, mode, uid, gid, nlink, size, atime, mtime, ctime) VALUES "
        "(1, 2, 493, 0, 0, 2, 0, 1, 1, 1), (2, 1, 420, 0, 0, 1, 0, 1, 1, 1);"
        "INSERT INTO dentries (parent, name, child) VALUES (1, 'old.mov', 2);"));
    EXPECT_FALSE((*db)->Exec("INSERT INTO inodes (type, mode, uid, gid, nlink, atime, mtime, "
                             "ctime) VALUES (4, 420, 0, 0, 1, 1, 1, 1)")
                     .ok())
        << "schema 4 refuses other types: the migration has something to do";
  }
  NewNode fifo;
  fifo.type = FileType::kFifo;
  NewNode dev;
  dev.type = FileType::kBlockDevice;
  dev.rdev = 0x701;
  InodeId dev_ino = 0;
  {
    std::unique_ptr<Catalog> cat = Open();
    ASSERT_NE(cat, nullptr);
    EXPECT_EQ(cat->Lookup(kRootInode, "old.mov")->ino, 2u);
    EXPECT_EQ(cat->Lookup(kRootInode, "old.mov")->rdev, 0u);
    ASSERT_OK(cat->CreateNode(kRootInode, "fifo", fifo, 10));
    ASSERT_OK_AND_ASSIGN(Attributes d, cat->CreateNode(kRootInode, "dev", dev, 11));
    dev_ino = d.ino;
  }
  std::unique_ptr<Catalog> cat = Open();
  ASSERT_NE(cat, nullptr);
  EXPECT_EQ(cat->Lookup(kRootInode, "fifo")->type, FileType::kFifo);
  ASSERT_OK_AND_ASSIGN(Attributes d, cat->GetAttributes(dev_ino));
  EXPECT_EQ(d.type, FileType::kBlockDevice);
  EXPECT_EQ(d.rdev, 0x701u);
  cat.reset();
  auto db = Db::Open(path_, Db::Options{});
  ASSERT_OK(db);
  auto check = (*db)->Prepare("PRAGMA integrity_check");
  ASSERT_TRUE(*check.Step());
  EXPECT_EQ(check.Text(0), "ok");
  EXPECT_FALSE((*db)->Exec("INSERT INTO inodes (type, mode, uid, gid, nlink, atime, mtime, "
                           "ctime) VALUES (8, 420, 0, 0, 1, 1, 1, 1)")
                   .ok())
      << "the type is still checked";
}

TEST_F(SqliteCatalogTest, RefusesADatabaseFromANewerBuild) {
  { ASSERT_NE(Open(), nullptr); }
  {
    auto db = Db::Open(path_, Db::Options{});
    ASSERT_OK(db);
    ASSERT_OK((*db)->Exec("INSERT INTO schema_version VALUES (1000, 'future', 0)"));
  }
  EXPECT_EQ(OpenCatalog("sqlite://" + path_, 0, 0).status().code(), Code::kNotSupported);
}

TEST_F(SqliteCatalogTest, TransactionsRetryWhileAnotherProcessHoldsTheLock) {
  { ASSERT_NE(Open(), nullptr); }
  Db::Options quick;
  quick.busy_timeout_ms = 5;  // so that our own retry loop, not SQLite's busy wait, does the work
  auto holder = Db::Open(path_, Db::Options{});
  auto writer = Db::Open(path_, quick);
  ASSERT_OK(holder);
  ASSERT_OK(writer);
  ASSERT_OK((*holder)->Exec("BEGIN IMMEDIATE"));
  int runs = 0;
  Status s;
  std::atomic<pid_t> writer_tid{0};
  std::thread write([&] {
    writer_tid = ::gettid();
    s = (*writer)->Transaction([&] {
      ++runs;
      return (*writer)->Exec("UPDATE meta SET value = value + 1 WHERE key = 'sync_count'");
    });
  });
  // The lock is released once the writer is blocked retrying.
  EXPECT_TRUE(WaitUntil([&] { return writer_tid != 0; }, std::chrono::seconds(10)));
  EXPECT_TRUE(WaitUntilBlocked(writer_tid, std::chrono::seconds(10)));
  EXPECT_OK((*holder)->Exec("COMMIT"));
  write.join();
  EXPECT_OK(s);
  EXPECT_EQ(runs, 1) << "the body runs once BEGIN IMMEDIATE succeeded";

  // A lock that is never released ends in Busy.
  ASSERT_OK((*holder)->Exec("BEGIN IMMEDIATE"));
  s = (*writer)->Transaction([&] { return Status::Ok(); });
  EXPECT_EQ(s.code(), Code::kBusy) << s.ToString();
  ASSERT_OK((*holder)->Exec("ROLLBACK"));
}

// Several threads create, look up and rename in parallel, through one catalog object and through
// a second one on the same file (as a second process would); nothing fails and nothing is lost.
TEST_F(SqliteCatalogTest, ConcurrentCreatesLookupsAndRenames) {
  std::unique_ptr<Catalog> cat = Open();
  std::unique_ptr<Catalog> other = Open();
  ASSERT_NE(cat, nullptr);
  ASSERT_NE(other, nullptr);
  constexpr int kWriters = 4;
  constexpr int kFilesPerWriter = 150;
  InodeId shared = Create(*cat, kRootInode, "shared", FileType::kDirectory, 1).ino;
  std::vector<InodeId> own(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    own[w] = Create(*cat, kRootInode, "w" + std::to_string(w), FileType::kDirectory, 1).ino;
  }

  std::atomic<int> errors{0};
  std::atomic<bool> writers_done{false};
  auto fail = [&](const std::string& what, const Status& s) {
    ++errors;
    ADD_FAILURE() << what << ": " << s.ToString();
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      Catalog& c = (w % 2 == 0) ? *cat : *other;
      for (int i = 0; i < kFilesPerWriter; ++i) {
        std::string name = "f" + std::to_string(w) + "_" + std::to_string(i);
        auto made = c.CreateNode(own[w], name, NewNode{}, i + 1);
        if (!made.ok()) {
          fail("create " + name, made.status());
          continue;
        }
        auto in_shared = c.CreateNode(shared, name, NewNode{}, i + 1);
        if (!in_shared.ok()) fail("create shared " + name, in_shared.status());
        auto found = c.Lookup(own[w], name);
        if (!found.ok() || found->ino != made->ino) fail("lookup own " + name, found.status());
        if (i % 2 == 0) {
          auto r = c.Rename(own[w], name, shared, name + ".moved", RenameMode::kNoReplace, i + 2);
          if (!r.ok()) fail("rename " + name, r.status());
        }
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      uint64_t n = 0;
      while (!writers_done.load()) {
        int w = static_cast<int>(n % kWriters);
        std::string name = "f" + std::to_string(w) + "_" + std::to_string(n % kFilesPerWriter);
        auto found = cat->Lookup(shared, name);
        if (!found.ok() && found.status().code() != Code::kNotFound) fail("lookup", found.status());
        auto attr = cat->GetAttributes(own[w]);
        if (!attr.ok()) fail("getattr", attr.status());
        auto page = (r == 0 ? *cat : *other).ReadDir(shared, 0, 50);
        if (!page.ok()) fail("readdir", page.status());
        ++n;
      }
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  writers_done = true;
  for (size_t t = kWriters; t < threads.size(); ++t) threads[t].join();
  EXPECT_EQ(errors.load(), 0);

  // Count through both catalog objects, with a small page size.
  for (Catalog* c : {cat.get(), other.get()}) {
    size_t in_shared = 0;
    uint64_t cookie = 0;
    while (true) {
      auto page = c->ReadDir(shared, cookie, 37);
      ASSERT_OK(page);
      if (page->empty()) break;
      in_shared += page->size();
      cookie = page->back().cookie;
    }
    EXPECT_EQ(in_shared, size_t{kWriters} * kFilesPerWriter * 3 / 2);
    for (int w = 0; w < kWriters; ++w) {
      EXPECT_EQ(c->ReadDir(own[w], 0, 1000)->size(), size_t{kFilesPerWriter} / 2);
    }
    EXPECT_EQ(c->Stats()->files, size_t{kWriters} * kFilesPerWriter * 2);
  }
}

// Not a benchmark: a quick look at the order of magnitude, printed for the log.
TEST_F(SqliteCatalogTest, PrintsRoughSpeed) {
  std::unique_ptr<Catalog> cat = Open();
  ASSERT_NE(cat, nullptr);
  constexpr int kFiles = 2000;
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  for (int i = 0; i < kFiles; ++i) {
    ASSERT_OK(cat->CreateNode(kRootInode, "file" + std::to_string(i), NewNode{}, i + 1));
  }
  double create_s = std::chrono::duration<double>(Clock::now() - t0).count();

  constexpr int kLookups = 100000;
  t0 = Clock::now();
  for (int i = 0; i < kLookups; ++i) {
    auto r = cat->Lookup(kRootInode, "file" + std::to_string(i % kFiles));
    if (!r.ok()) FAIL() << r.status().ToString();
  }
  double lookup_s = std::chrono::duration<double>(Clock::now() - t0).count();

  constexpr int kThreads = 2;
  t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kLookups / kThreads; ++i) {
        auto r = cat->Lookup(kRootInode, "file" + std::to_string((i * 7 + t) % kFiles));
        EXPECT_TRUE(r.ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  double parallel_s = std::chrono::duration<double>(Clock::now() - t0).count();

  t0 = Clock::now();
  ASSERT_OK(cat->Sync());
  double sync_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();

  std::printf("[ speed    ] file db: %.0f creates/s, %.0f lookups/s (1 thread), "
              "%.0f lookups/s (%d threads), Sync %.2f ms\n",
              kFiles / create_s, kLookups / lookup_s, kLookups / parallel_s, kThreads, sync_ms);
}

}  // namespace
}  // namespace reel::testing
