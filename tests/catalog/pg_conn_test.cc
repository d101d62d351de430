// The PostgreSQL connection layer against a real server: URIs and what messages show of them,
// statements and their parameters, SQLSTATE mapping, serializable transactions retried on
// conflicts, the bounded pool, connections the server closed, schema migrations (also from
// several servers at once). scripts/test.sh starts the server (scripts/pg-up.sh) and exports
// REEL_TEST_PG_URI; REEL_REQUIRE_PG=1 makes its absence a failure.
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <latch>
#include <cstdlib>
#include <string>
#include <span>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "catalog/postgres/pg_conn.h"
#include "catalog/postgres/pg_migrations.h"
#include "catalog/postgres/pg_pool.h"
#include "catalog_test_util.h"
#include "pg_test_db.h"
#include "testing/require.h"
#include "testing/wait.h"

namespace reel::testing {
namespace {

using postgres::Bytes;
using postgres::PgConn;
using postgres::PgMigration;
using postgres::PgPool;
using postgres::PgRows;

// Each test gets a database of its own, dropped afterwards.
class PgTest : public PgDatabaseTest {
 protected:
  void SetUp() override {
    PgDatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_OK_AND_ASSIGN(admin_, PgConn::Connect(server_uri_));
  }

  std::unique_ptr<PgConn> Connect() {
    auto c = PgConn::Connect(uri_);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }
  std::unique_ptr<PgPool> Pool(size_t max, std::chrono::milliseconds timeout) {
    auto p = PgPool::Open(uri_, PgPool::Options{max, timeout});
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(p).value() : nullptr;
  }

  // The pool's next lease is a new, working connection (not the one `old_pid` served), and the
  // pool still holds one connection.
  void ExpectFreshConnection(PgPool& pool, int old_pid) {
    ASSERT_OK_AND_ASSIGN(auto fresh, pool.Acquire());
    EXPECT_NE(fresh->backend_pid(), old_pid);
    EXPECT_OK(fresh->Exec("SELECT 1"));
    EXPECT_EQ(pool.open_connections(), 1u);
  }

  std::unique_ptr<PgConn> admin_;
};

// --- no server needed --------------------------------------------------------------------------

TEST(PgUriTest, NamesItsTargetAndNeverItsPassword) {
  auto t = postgres::ParsePgUri("postgresql://alice:s3cret@db.example:5433/team?sslmode=disable");
  ASSERT_OK(t);
  EXPECT_EQ(t->user, "alice");
  EXPECT_EQ(t->host, "db.example");
  EXPECT_EQ(t->port, "5433");
  EXPECT_EQ(t->dbname, "team");
  EXPECT_EQ(t->ToString(), "alice@db.example:5433/team");
  EXPECT_OK(postgres::ParsePgUri("postgres://bob@localhost/x"));
  auto encoded = postgres::ParsePgUri("postgresql://alice:s3%40c%2Fret@h:5432/db");
  ASSERT_OK(encoded);
  EXPECT_EQ(encoded->ToString(), "alice@h:5432/db");

  // Unencoded '@' or '/' in the password (libpq would read part of it as host, port or
  // database), a port that is no number, an unknown option, no database, another scheme.
  for (const char* bad : {"mysql://alice:s3cret@h/db", "postgresql://alice:s3cret@h/db?no_such=1",
                          "postgresql://alice:s3cret@h", "sqlite:///tmp/x.db",
                          "postgresql://alice:s3@cret@h/db", "postgresql://alice:s3/cret@h/db",
                          "postgresql://alice:s3cret@h:s3cret/db"}) {
    auto r = postgres::ParsePgUri(bad);
    EXPECT_CODE(r, Code::kInvalidArgument) << bad;
    EXPECT_EQ(r.status().message().find("s3cret"), std::string::npos) << r.status().message();
  }
}

TEST(PgUriTest, SqlStatesMapToStatusCodes) {
  struct Case {
    const char* state;
    Code code;
  } cases[] = {{"40001", Code::kBusy},           {"40P01", Code::kBusy},
               {"55P03", Code::kBusy},           {"08006", Code::kUnavailable},
               {"42P07", Code::kAlreadyExists},  {"42701", Code::kAlreadyExists},
               {"57P01", Code::kUnavailable},    {"23505", Code::kAlreadyExists},
               {"23503", Code::kInternal},       {"28P01", Code::kPermissionDenied},
               {"3D000", Code::kNotFound},       {"53100", Code::kNoSpace},
               {"22P02", Code::kInvalidArgument}, {"42601", Code::kInternal}};
  for (const Case& c : cases) {
    Status s = postgres::StatusFromSqlState(c.state, "ctx", "detail");
    EXPECT_EQ(s.code(), c.code) << c.state << ": " << s.ToString();
    EXPECT_NE(s.message().find(c.state), std::string::npos);
    EXPECT_EQ(postgres::IsRetryable(s), c.code == Code::kBusy) << c.state;
  }
}

// --- against the server ------------------------------------------------------------------------

TEST_F(PgTest, ConnectErrorsSayWhatIsWrongWithoutThePassword) {
  auto missing = PgConn::Connect(WithDatabase(server_uri_, "reel_no_such_database"));
  EXPECT_CODE(missing, Code::kNotFound);

  // A wrong password: refused, and neither password shows.
  const size_t user = server_uri_.find("://") + 3;
  const size_t at = server_uri_.find('@', user);
  const size_t colon = server_uri_.find(':', user);
  if (colon < at) {  // the test server has a password (scripts/pg-up.sh makes one)
    const std::string real = server_uri_.substr(colon + 1, at - colon - 1);
    const std::string wrong = server_uri_.substr(0, colon + 1) + "wrong-pw-never-shown" +
                              server_uri_.substr(at);
    auto denied = PgConn::Connect(wrong);
    EXPECT_CODE(denied, Code::kPermissionDenied);
    EXPECT_EQ(denied.status().message().find("wrong-pw-never-shown"), std::string::npos);
    EXPECT_EQ(denied.status().message().find(real), std::string::npos);
  }

  // Port 1 on loopback: nobody listens there.
  const std::string closed = "postgresql://nobody:pw-never-shown@127.0.0.1:1/" + db_;
  auto refused = PgConn::Connect(closed);
  EXPECT_CODE(refused, Code::kUnavailable);
  EXPECT_EQ(refused.status().message().find("pw-never-shown"), std::string::npos);
  EXPECT_NE(refused.status().message().find("127.0.0.1"), std::string::npos);
}

TEST_F(PgTest, ParametersAndColumnsRoundTrip) {
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_OK(c->ExecScript("CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT, data BYTEA)"));
  const std::string binary("a\0b\xff\x01", 5);
  ASSERT_OK(c->Exec("INSERT INTO t VALUES ($1, $2, $3)", int64_t{1} << 62, "naïve ünïcode",
                    Bytes{binary.data(), binary.size()}));
  ASSERT_OK(c->Exec("INSERT INTO t VALUES ($1, $2, $3)", -7, nullptr, nullptr));
  ASSERT_OK_AND_ASSIGN(PgRows rows, c->Query("SELECT id, name, data FROM t ORDER BY id"));
  ASSERT_EQ(rows.size(), 2);
  EXPECT_EQ(rows.Int(0, 0), -7);
  EXPECT_TRUE(rows.IsNull(0, 1));
  EXPECT_TRUE(rows.IsNull(0, 2));
  EXPECT_EQ(rows.Int(1, 0), int64_t{1} << 62);
  EXPECT_EQ(rows.Text(1, 1), "naïve ünïcode");
  auto data = rows.Bytea(1, 2);
  EXPECT_EQ(std::string(data.begin(), data.end()), binary);

  ASSERT_OK_AND_ASSIGN(PgRows updated, c->Query("UPDATE t SET name = $1 WHERE id > $2", "x", -100));
  EXPECT_EQ(updated.Affected(), 2);
  // The same statement again reuses its prepared form.
  ASSERT_OK_AND_ASSIGN(PgRows again, c->Query("SELECT id, name, data FROM t ORDER BY id"));
  EXPECT_EQ(again.Text(0, 1), "x");
}

TEST_F(PgTest, ServerErrorsMapToStatusCodes) {
  auto c = Connect();
  ASSERT_NE(c, nullptr);
  ASSERT_OK(c->ExecScript("CREATE TABLE u (k TEXT PRIMARY KEY)"));
  ASSERT_OK(c->Exec("INSERT INTO u VALUES ($1)", "a"));
  EXPECT_CODE(c->Exec("INSERT INTO u VALUES ($1)", "a"), Code::kAlreadyExists);
  EXPECT_CODE(c->Exec("SELECT $1::bigint", "not a number"), Code::kInvalidArgument);
  EXPECT_CODE(c->ExecScript("SELEC 1"), Code::kInternal);
  // The connection is still good after statement errors outside a transaction.
  ASSERT_OK_AND_ASSIGN(PgRows rows, c->Query("SELECT count(*) FROM u"));
  EXPECT_EQ(rows.Int(0, 0), 1);
}

TEST_F(PgTest, ATransactionThatLostASerializationConflictRunsAgain) {
  auto a = Connect();
  auto b = Connect();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_OK(a->ExecScript("CREATE TABLE counter (id INT PRIMARY KEY, n BIGINT NOT NULL);"
                          "INSERT INTO counter VALUES (1, 0)"));
  int attempts = 0;
  int runs = 0;
  Status s = postgres::RunTransaction(
      *a,
      [&](PgConn& c) -> Status {
        ++runs;
        REEL_ASSIGN_OR_RETURN(PgRows r, c.Query("SELECT n FROM counter WHERE id = 1"));
        const int64_t n = r.Int(0, 0);
        if (runs == 1) {
          // Another client commits an increment after this snapshot was taken.
          REEL_RETURN_IF_ERROR(b->Exec("UPDATE counter SET n = n + 1 WHERE id = 1"));
        }
        return c.Exec("UPDATE counter SET n = $1 WHERE id = 1", n + 1);
      },
      &attempts);
  ASSERT_OK(s);
  EXPECT_EQ(attempts, 2);
  ASSERT_OK_AND_ASSIGN(PgRows r, b->Query("SELECT n FROM counter WHERE id = 1"));
  EXPECT_EQ(r.Int(0, 0), 2);  // neither increment lost
}

TEST_F(PgTest, ConcurrentIncrementsThroughThePoolLoseNothing) {
  auto pool = Pool(4, std::chrono::seconds(30));
  ASSERT_NE(pool, nullptr);
  ASSERT_OK(pool->Transaction([](PgConn& c) {
    return c.ExecScript("CREATE TABLE counter (id INT PRIMARY KEY, n BIGINT NOT NULL);"
                        "INSERT INTO counter VALUES (1, 0)");
  }));
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        Status s = pool->Transaction([](PgConn& c) -> Status {
          REEL_ASSIGN_OR_RETURN(PgRows r, c.Query("SELECT n FROM counter WHERE id = 1"));
          return c.Exec("UPDATE counter SET n = $1 WHERE id = 1", r.Int(0, 0) + 1);
        });
        if (!s.ok()) {
          ADD_FAILURE() << s.ToString();
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  ASSERT_OK_AND_ASSIGN(auto lease, pool->Acquire());
  ASSERT_OK_AND_ASSIGN(PgRows r, lease->Query("SELECT n FROM counter WHERE id = 1"));
  EXPECT_EQ(r.Int(0, 0), kThreads * kEach);
  EXPECT_LE(pool->open_connections(), 4u);
}

TEST_F(PgTest, ThePoolNeverOpensMoreThanItsBoundAndWakesAWaiter) {
  auto pool = Pool(2, std::chrono::milliseconds(300));
  ASSERT_NE(pool, nullptr);
  ASSERT_OK_AND_ASSIGN(auto first, pool->Acquire());
  {
    ASSERT_OK_AND_ASSIGN(auto second, pool->Acquire());
    EXPECT_EQ(pool->open_connections(), 2u);
    auto third = pool->Acquire();  // every connection leased: waits out the timeout
    EXPECT_CODE(third, Code::kBusy);
    EXPECT_EQ(pool->open_connections(), 2u);
  }
  // A waiter is woken by a release.
  auto patient = Pool(1, std::chrono::seconds(30));
  ASSERT_NE(patient, nullptr);
  ASSERT_OK_AND_ASSIGN(auto held, patient->Acquire());
  const int held_pid = held->backend_pid();
  std::atomic<pid_t> waiter_tid{0};
  std::atomic<int> got_pid{0};
  std::thread waiter([&] {
    waiter_tid = ::gettid();
    auto lease = patient->Acquire();
    if (lease.ok()) got_pid = lease->conn().backend_pid();
  });
  ASSERT_TRUE(WaitUntil([&] { return waiter_tid != 0; }, std::chrono::seconds(10)));
  ASSERT_TRUE(WaitUntilBlocked(waiter_tid, std::chrono::seconds(10)));
  {
    auto released = std::move(held);
  }
  waiter.join();
  EXPECT_EQ(got_pid, held_pid);  // the same connection, reused
  EXPECT_EQ(patient->open_connections(), 1u);
}

TEST_F(PgTest, AConnectionTheServerClosedIsReplaced) {
  auto pool = Pool(1, std::chrono::seconds(10));
  ASSERT_NE(pool, nullptr);
  int old_pid = 0;
  {
    ASSERT_OK_AND_ASSIGN(auto lease, pool->Acquire());
    old_pid = lease->backend_pid();
    ASSERT_OK(admin_->Exec("SELECT pg_terminate_backend($1)", old_pid));
    EXPECT_CODE(lease->Exec("SELECT 1"), Code::kUnavailable);
    EXPECT_FALSE(lease->healthy());
  }
  ExpectFreshConnection(*pool, old_pid);
}

TEST_F(PgTest, AnIdleConnectionTheServerClosedIsReplacedBeforeItIsLent) {
  auto pool = Pool(1, std::chrono::seconds(10));
  ASSERT_NE(pool, nullptr);
  int old_pid = 0;
  {
    ASSERT_OK_AND_ASSIGN(auto lease, pool->Acquire());
    old_pid = lease->backend_pid();
  }
  // Closed while idle in the pool, as a server restart does: the next caller never sees it.
  ASSERT_OK(admin_->Exec("SELECT pg_terminate_backend($1)", old_pid));
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = admin_->Query("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", old_pid);
        return r.ok() && r->Int(0, 0) == 0;
      },
      std::chrono::seconds(10)));
  ExpectFreshConnection(*pool, old_pid);
}

TEST_F(PgTest, AConnectionLeftInsideATransactionIsNeverLentAgain) {
  auto pool = Pool(1, std::chrono::seconds(10));
  ASSERT_NE(pool, nullptr);
  ASSERT_OK(pool->Transaction([](PgConn& c) { return c.ExecScript("CREATE TABLE t (x INT)"); }));
  int old_pid = 0;
  {
    ASSERT_OK_AND_ASSIGN(auto lease, pool->Acquire());
    old_pid = lease->backend_pid();
    ASSERT_OK(lease->ExecScript("BEGIN; INSERT INTO t VALUES (1)"));
  }
  ASSERT_OK_AND_ASSIGN(auto next, pool->Acquire());
  EXPECT_NE(next->backend_pid(), old_pid);
  ASSERT_OK_AND_ASSIGN(PgRows rows, next->Query("SELECT count(*) FROM t"));
  EXPECT_EQ(rows.Int(0, 0), 0);  // the abandoned insert was never committed
  EXPECT_EQ(pool->open_connections(), 1u);
}

constexpr PgMigration kMigrations[] = {
    {1, "items", "CREATE TABLE items (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL)"},
    {2, "item sizes", "ALTER TABLE items ADD COLUMN size BIGINT NOT NULL DEFAULT 0"},
    {3, "tags", "CREATE TABLE tags (item BIGINT REFERENCES items(id), tag TEXT NOT NULL)"},
};

TEST_F(PgTest, MigrationsApplyOnceInOrder) {
  auto pool = Pool(2, std::chrono::seconds(10));
  ASSERT_NE(pool, nullptr);
  ASSERT_OK(postgres::ApplyPgMigrations(*pool, std::span(kMigrations).first(2)));
  ASSERT_OK_AND_ASSIGN(auto lease, pool->Acquire());
  EXPECT_EQ(*postgres::PgSchemaVersion(lease.conn()), 2);
  ASSERT_OK(lease->Exec("INSERT INTO items (name, size) VALUES ($1, $2)", "a", 3));
  // Again, and then with one more: only the new one runs (the others would fail if run twice).
  ASSERT_OK(postgres::ApplyPgMigrations(*pool, std::span(kMigrations).first(2)));
  ASSERT_OK(postgres::ApplyPgMigrations(*pool, kMigrations));
  EXPECT_EQ(*postgres::PgSchemaVersion(lease.conn()), 3);
  ASSERT_OK_AND_ASSIGN(PgRows rows, lease->Query("SELECT count(*) FROM schema_version"));
  EXPECT_EQ(rows.Int(0, 0), 3);
  ASSERT_OK_AND_ASSIGN(PgRows items, lease->Query("SELECT name, size FROM items"));
  ASSERT_EQ(items.size(), 1);
  EXPECT_EQ(items.Int(0, 1), 3);
  // An older ReelDrive refuses the newer schema instead of using it.
  EXPECT_CODE(postgres::ApplyPgMigrations(*pool, std::span(kMigrations).first(1)),
              Code::kNotSupported);
}

TEST_F(PgTest, AFailedMigrationLeavesTheSchemaAtTheOneBefore) {
  auto pool = Pool(1, std::chrono::seconds(10));
  ASSERT_NE(pool, nullptr);
  const PgMigration broken[] = {
      kMigrations[0],
      {2, "half", "CREATE TABLE half_made (x INT); ALTER TABLE no_such_table ADD COLUMN y INT"},
  };
  EXPECT_FALSE(postgres::ApplyPgMigrations(*pool, broken).ok());
  ASSERT_OK_AND_ASSIGN(auto lease, pool->Acquire());
  EXPECT_EQ(*postgres::PgSchemaVersion(lease.conn()), 1);
  ASSERT_OK_AND_ASSIGN(PgRows half, lease->Query("SELECT to_regclass('half_made') IS NULL"));
  EXPECT_EQ(half.Text(0, 0), "t");
}

TEST_F(PgTest, ServersStartingTogetherApplyEachMigrationOnce) {
  // Migration 4 is not idempotent: run twice, it would count 2.
  const PgMigration migrations[] = {
      kMigrations[0], kMigrations[1], kMigrations[2],
      {4, "count", "CREATE TABLE applied (n INT); INSERT INTO applied VALUES (1);"
                   "UPDATE items SET size = size + 1"},
  };
  constexpr int kServers = 4;
  std::vector<std::unique_ptr<PgPool>> pools;
  for (int i = 0; i < kServers; ++i) {
    pools.push_back(Pool(2, std::chrono::seconds(30)));
    ASSERT_NE(pools.back(), nullptr);
  }
  ASSERT_OK(postgres::ApplyPgMigrations(*pools[0], std::span(migrations).first(1)));
  {
    ASSERT_OK_AND_ASSIGN(auto lease, pools[0]->Acquire());
    ASSERT_OK(lease->Exec("INSERT INTO items (name) VALUES ($1)", "one"));
  }
  std::vector<Status> results(kServers);
  std::vector<std::thread> threads;
  std::latch start(kServers);
  for (int i = 0; i < kServers; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = postgres::ApplyPgMigrations(*pools[i], migrations);
    });
  }
  for (auto& t : threads) t.join();
  for (const Status& s : results) EXPECT_OK(s);
  ASSERT_OK_AND_ASSIGN(auto lease, pools[0]->Acquire());
  ASSERT_OK_AND_ASSIGN(PgRows rows,
                       lease->Query("SELECT count(*), min(version), max(version) FROM schema_version"));
  EXPECT_EQ(rows.Int(0, 0), 4);
  EXPECT_EQ(rows.Int(0, 1), 1);
  EXPECT_EQ(rows.Int(0, 2), 4);
  ASSERT_OK_AND_ASSIGN(PgRows sizes, lease->Query("SELECT size FROM items"));
  ASSERT_EQ(sizes.size(), 1);
  EXPECT_EQ(sizes.Int(0, 0), 1);  // migration 4 ran exactly once
  ASSERT_OK_AND_ASSIGN(PgRows applied, lease->Query("SELECT count(*) FROM applied"));
  EXPECT_EQ(applied.Int(0, 0), 1);
}

}  // namespace
}  // namespace reel::testing
