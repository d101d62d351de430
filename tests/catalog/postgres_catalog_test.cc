// The PostgreSQL catalog against a real server, beyond the shared catalog suite (which runs on it
// as the Postgres backend): several catalogs writing one database at once, catalogs opened
// together on a new database, the stats counters against the rows they count, messages without
// the URI's password. Needs REEL_TEST_PG_URI (REEL_REQUIRE_PG=1 makes its absence a failure).
#include <gtest/gtest.h>

#include <chrono>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "catalog/postgres/pg_conn.h"
#include "catalog_test_util.h"
#include "pg_test_db.h"

namespace reel::testing {
namespace {

class PostgresCatalogTest : public PgDatabaseTest {
 protected:
  std::unique_ptr<Catalog> Open() {
    auto c = OpenCatalog(uri_, kTestUid, kTestGid);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  // One number computed from the rows themselves.
  int64_t Count(const char* sql) {
    auto conn = postgres::PgConn::Connect(uri_);
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    if (!conn.ok()) return -1;
    auto rows = (*conn)->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? rows->Int(0, 0) : -1;
  }

};

NewNode Node(FileType type) {
  NewNode n;
  n.type = type;
  n.mode = type == FileType::kDirectory ? 0755 : 0644;
  n.uid = kTestUid;
  n.gid = kTestGid;
  return n;
}

// Several machines' catalogs writing into one directory at the same moment: every create and
// commit conflicts with the others on the directory's row (and on a shared chunk), the
// serializable transactions are retried, and all succeed with exact counts.
TEST_F(PostgresCatalogTest, ConcurrentWritersInOneDirectoryAllSucceed) {
  constexpr int kWriters = 4;
  constexpr int kFilesEach = 25;
  std::unique_ptr<Catalog> setup = Open();
  ASSERT_TRUE(setup);
  ASSERT_OK_AND_ASSIGN(Attributes dir,
                       setup->CreateNode(kRootInode, "shots", Node(FileType::kDirectory), 1));
  const ChunkRef shared{TestChunk(7), 100};

  std::vector<std::unique_ptr<Catalog>> catalogs;
  for (int w = 0; w < kWriters; ++w) {
    catalogs.push_back(Open());
    ASSERT_TRUE(catalogs.back());
  }
  std::latch start(kWriters);
  std::vector<std::vector<Status>> failures(kWriters);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      Catalog& cat = *catalogs[w];
      start.arrive_and_wait();
      for (int i = 0; i < kFilesEach; ++i) {
        const TimeNs now = 1'000'000 + w * 1000 + i;
        auto made = cat.CreateNode(dir.ino, "w" + std::to_string(w) + "-" + std::to_string(i),
                                   Node(FileType::kRegular), now);
        if (!made.ok()) {
          failures[w].push_back(made.status());
          continue;
        }
        auto committed = cat.CommitVersion(made->ino, VersionOf({shared}), now);
        if (!committed.ok()) failures[w].push_back(committed.status());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int w = 0; w < kWriters; ++w) {
    for (const Status& s : failures[w]) ADD_FAILURE() << "writer " << w << ": " << s.ToString();
  }

  constexpr uint64_t kFiles = kWriters * kFilesEach;
  uint64_t listed = 0;
  uint64_t cookie = 0;
  while (true) {
    ASSERT_OK_AND_ASSIGN(auto page, setup->ReadDir(dir.ino, cookie, 64));
    if (page.empty()) break;
    listed += page.size();
    cookie = page.back().cookie;
  }
  EXPECT_EQ(listed, kFiles);
  ASSERT_OK_AND_ASSIGN(Attributes after, setup->GetAttributes(dir.ino));
  EXPECT_EQ(after.nlink, 2u);
  ASSERT_OK_AND_ASSIGN(CatalogStats stats, setup->Stats());
  EXPECT_EQ(stats.files, kFiles);
  EXPECT_EQ(stats.directories, 2u);
  EXPECT_EQ(stats.versions, kFiles);
  EXPECT_EQ(stats.logical_bytes, kFiles * shared.length);
  EXPECT_EQ(stats.chunks, 1u);
  bool seen = false;
  ASSERT_OK(setup->ForEachChunk([&](const ChunkRecord& r) {
    seen = true;
    EXPECT_EQ(r.refcount, kFiles) << "every commit's reference counted once";
    return true;
  }));
  EXPECT_TRUE(seen);
}

// Servers starting together on a new database: one schema, one root.
// Another machine keeps writing the directory's row (here: a hog that updates it in back-to-back
// transactions, each holding it for 20 ms, for 2 s). A create in that directory conflicts with it
// on every attempt meanwhile; it must keep taking turns until the hog lets go, not give up after
// a count of attempts (ten took well under a second).
TEST_F(PostgresCatalogTest, ACreateInADirectoryAnotherWriterKeepsBusyWaitsItsTurn) {
  auto cat = Open();
  ASSERT_NE(cat, nullptr);
  auto dir = cat->CreateNode(kRootInode, "shots", Node(FileType::kDirectory), 1);
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  auto hog_conn = postgres::PgConn::Connect(uri_);
  ASSERT_TRUE(hog_conn.ok()) << hog_conn.status().ToString();
  std::latch holding(1);
  std::thread hog([&] {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    bool first = true;
    while (std::chrono::steady_clock::now() < until) {
      Status s = (*hog_conn)->ExecScript("BEGIN");
      if (s.ok()) {
        s = (*hog_conn)->Exec("UPDATE inodes SET ctime = ctime + 1 WHERE ino = $1", dir->ino);
      }
      if (first) {
        holding.count_down();
        first = false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // load: the row stays held
      if (s.ok()) s = (*hog_conn)->ExecScript("COMMIT");
      if (!s.ok()) {
        ADD_FAILURE() << "hog: " << s.ToString();
        return;
      }
    }
  });
  holding.wait();
  auto made = cat->CreateNode(dir->ino, "sh010.exr", Node(FileType::kRegular), 2);
  hog.join();
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  auto listed = cat->ReadDir(dir->ino, 0, 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
}

TEST_F(PostgresCatalogTest, CatalogsOpenedTogetherShareOneSchemaAndRoot) {
  constexpr int kOpeners = 4;
  std::latch start(kOpeners);
  std::vector<Status> results(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = OpenCatalog(uri_, kTestUid, kTestGid).status();
    });
  }
  for (std::thread& t : threads) t.join();
  for (const Status& s : results) EXPECT_OK(s);
  std::unique_ptr<Catalog> cat = Open();
  ASSERT_TRUE(cat);
  ASSERT_OK_AND_ASSIGN(CatalogStats stats, cat->Stats());
  EXPECT_EQ(stats.directories, 1u);
  EXPECT_EQ(Count("SELECT count(*) FROM inodes"), 1);
  ASSERT_OK_AND_ASSIGN(Attributes root, cat->GetAttributes(kRootInode));
  EXPECT_EQ(root.uid, kTestUid);
  EXPECT_EQ(root.mode, 0755u);
}

// The counters are kept from code, not by triggers: after a workload that touches each of them
// they still equal what the rows say.
TEST_F(PostgresCatalogTest, StatsCountersMatchTheRows) {
  std::unique_ptr<Catalog> cat = Open();
  ASSERT_TRUE(cat);
  TimeNs now = 1000;
  auto make = [&](InodeId parent, const std::string& name, FileType type) {
    auto r = cat->CreateNode(parent, name, Node(type), ++now);
    EXPECT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    return r.ok() ? r->ino : 0;
  };
  const InodeId d = make(kRootInode, "d", FileType::kDirectory);
  const InodeId e = make(d, "e", FileType::kDirectory);
  const InodeId a = make(d, "a", FileType::kRegular);
  const InodeId b = make(d, "b", FileType::kRegular);
  const InodeId c = make(e, "c", FileType::kRegular);
  make(e, "fifo", FileType::kFifo);
  ASSERT_OK(cat->Link(a, kRootInode, "a-link", ++now).status());
  ASSERT_OK(
      cat->CommitVersion(a, VersionOf({{TestChunk(1), 10}, {TestChunk(2), 20}}), ++now).status());
  ASSERT_OK(cat->CommitVersion(a, VersionOf({{TestChunk(2), 20}}), ++now).status());
  ASSERT_OK(
      cat->CommitVersion(b, VersionOf({{TestChunk(3), 30}, {TestChunk(3), 30}}), ++now).status());
  ASSERT_OK(cat->CommitVersion(c, VersionOf({{TestChunk(4), 40}}), ++now).status());
  // c replaces b keeping b's history; a loses one name; e's fifo goes; b's old name is trashed.
  ASSERT_OK(cat->Rename(e, "c", d, "b", RenameMode::kReplaceKeepHistory, ++now).status());
  ASSERT_OK(cat->Unlink(kRootInode, "a-link", ++now).status());
  ASSERT_OK(cat->Unlink(e, "fifo", ++now).status());
  ASSERT_OK_AND_ASSIGN(UnlinkResult gone, cat->Unlink(d, "a", ++now));
  ASSERT_TRUE(gone.trash_id);
  ASSERT_OK(cat->RestoreFromTrash(*gone.trash_id, kRootInode, "a-back", ++now).status());
  ASSERT_OK(cat->Unlink(kRootInode, "a-back", ++now).status());
  ASSERT_OK(
      cat->CommitVersion(a, VersionOf({{TestChunk(5), 50}}), ++now).status());  // in the trash
  ASSERT_OK(cat->RemoveDir(d, "e", ++now));
  make(kRootInode, "later", FileType::kRegular);

  auto check = [&](const char* when) {
    SCOPED_TRACE(when);
    ASSERT_OK_AND_ASSIGN(CatalogStats s, cat->Stats());
    EXPECT_EQ(static_cast<int64_t>(s.files),
              Count("SELECT count(*) FROM inodes WHERE type = 1 AND nlink > 0"));
    EXPECT_EQ(static_cast<int64_t>(s.directories),
              Count("SELECT count(*) FROM inodes WHERE type = 2"));
    EXPECT_EQ(static_cast<int64_t>(s.logical_bytes),
              Count("SELECT coalesce(sum(size), 0) FROM inodes WHERE type = 1 AND nlink > 0"));
    EXPECT_EQ(static_cast<int64_t>(s.chunks),
              Count("SELECT count(*) FROM chunks WHERE refcount > 0"));
    EXPECT_EQ(static_cast<int64_t>(s.chunk_bytes),
              Count("SELECT coalesce(sum(size), 0) FROM chunks WHERE refcount > 0"));
    EXPECT_EQ(static_cast<int64_t>(s.versions), Count("SELECT count(*) FROM versions"));
    EXPECT_EQ(static_cast<int64_t>(s.trash_entries), Count("SELECT count(*) FROM trash"));
  };
  check("after the workload");
  EXPECT_GT(Count("SELECT count(*) FROM trash"), 0);
  ASSERT_OK(cat->PurgeTrash(INT64_MAX, {}, ++now).status());
  check("after a purge");
  ASSERT_OK_AND_ASSIGN(CatalogStats s, cat->Stats());
  EXPECT_EQ(s.trash_entries, 0u);
}

TEST_F(PostgresCatalogTest, OpenErrorsNeverShowThePassword) {
  const std::string wrong =
      "postgresql://postgres:Wr0ng-pa55word@" + server_uri_.substr(server_uri_.find('@') + 1);
  auto refused = OpenCatalog(WithDatabase(wrong, db_), kTestUid, kTestGid);
  EXPECT_CODE(refused, Code::kPermissionDenied);
  EXPECT_EQ(refused.status().message().find("Wr0ng-pa55word"), std::string::npos)
      << refused.status().message();
  auto missing = OpenCatalog(WithDatabase(server_uri_, "reel_no_such_catalog"), kTestUid, kTestGid);
  EXPECT_CODE(missing, Code::kNotFound);
  const std::string password = server_uri_.substr(
      server_uri_.find(':', 13) + 1, server_uri_.find('@') - server_uri_.find(':', 13) - 1);
  EXPECT_EQ(missing.status().message().find(password), std::string::npos);
}

}  // namespace
}  // namespace reel::testing
