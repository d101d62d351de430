// MachineState: the transfer queue and pins, on an in-memory database and on a file, and the
// one-time move of both out of an SQLite catalog of an older ReelDrive.
#include "machine/machine_state.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "catalog/catalog_test_util.h"
#include "catalog/sqlite/migration_runner.h"
#include "catalog/sqlite/schema_migrations.h"
#include "catalog/sqlite/sqlite_db.h"

namespace reel::testing {
namespace {

TransferRequest Upload(const ChunkId& id, TierMask tier, uint32_t size = 10) {
  return TransferRequest{TransferKind::kUpload, id, size, tier};
}

ChunkId Chunk(uint8_t n) {
  ChunkId id;
  id.bytes.fill(n);
  return id;
}

constexpr TimeNs kT0 = 1'700'000'000'000'000'000;

class MachineStateTest : public ::testing::TestWithParam<bool> {  // param: on a file
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("reel-machine");
    ASSERT_FALSE(dir_.empty());
    auto opened = MachineState::Open(GetParam() ? dir_ + "/machine.db" : ":memory:");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    m_ = std::move(opened).value();
  }
  void TearDown() override {
    m_.reset();
    RemoveTree(dir_);
  }

  std::string dir_;
  std::unique_ptr<MachineState> m_;
};

TEST_P(MachineStateTest, TransferQueueClaimsRetriesAndCompletes) {
  ASSERT_OK_AND_ASSIGN(uint64_t added,
                       m_->EnqueueTransfers({Upload(Chunk(1), kTierCloud),
                                             Upload(Chunk(2), kTierCloud),
                                             Upload(Chunk(1), kTierCloud)},
                                            kT0));
  EXPECT_EQ(added, 2u) << "the same upload is queued once";
  EXPECT_CODE(m_->EnqueueTransfers({Upload(Chunk(1), kTierCloud | kTierEdge)}, kT0),
              Code::kInvalidArgument);
  EXPECT_CODE(m_->EnqueueTransfers({TransferRequest{static_cast<TransferKind>(7), Chunk(3), 1, 0}},
                                   kT0),
              Code::kInvalidArgument);

  ASSERT_OK_AND_ASSIGN(auto claimed, m_->ClaimTransfers(1, kT0));
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].request.chunk, Chunk(1));
  EXPECT_EQ(claimed[0].state, TransferState::kRunning);
  ASSERT_OK_AND_ASSIGN(auto again, m_->EnqueueTransfers({Upload(Chunk(1), kTierCloud)}, kT0));
  EXPECT_EQ(again, 0u) << "a running upload is not queued twice";

  // The first fails and waits; the second is claimed meanwhile.
  ASSERT_OK(m_->RetryTransfer(claimed[0].id, kT0 + 1'000'000'000, "gateway down"));
  EXPECT_CODE(m_->RetryTransfer(999, kT0, "x"), Code::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto next, m_->ClaimTransfers(10, kT0));
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].request.chunk, Chunk(2));
  ASSERT_OK_AND_ASSIGN(TransferCounts counts, m_->CountTransfers(kT0));
  EXPECT_EQ(counts.queued, 1u);
  EXPECT_EQ(counts.running, 1u);
  EXPECT_EQ(counts.waiting_retry, 1u);
  EXPECT_EQ(counts.bytes_pending, 20u);

  ASSERT_OK(m_->RemoveTransfers({next[0].id, 424242}));  // an id no longer queued is skipped
  ASSERT_OK_AND_ASSIGN(counts, m_->CountTransfers(kT0));
  EXPECT_EQ(counts.running, 0u);

  ASSERT_OK_AND_ASSIGN(auto late, m_->ClaimTransfers(10, kT0 + 1'000'000'000));
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].attempts, 1u);
  EXPECT_EQ(late[0].last_error, "gateway down");
  // A restart finds it running: it is queued again.
  ASSERT_OK_AND_ASSIGN(uint64_t requeued, m_->RequeueRunningTransfers());
  EXPECT_EQ(requeued, 1u);
  ASSERT_OK_AND_ASSIGN(auto listed, m_->ListTransfers(10));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].state, TransferState::kQueued);
  EXPECT_EQ(listed[0].request.chunk, Chunk(1));
}

TEST_P(MachineStateTest, ClaimBatchTakesOneKindAndTierInOrderUpToABudget) {
  ASSERT_OK(m_->EnqueueTransfers({Upload(Chunk(1), kTierCloud, 6), Upload(Chunk(2), kTierEdge, 6),
                                  Upload(Chunk(3), kTierCloud, 6), Upload(Chunk(4), kTierCloud, 6),
                                  TransferRequest{TransferKind::kDownload, Chunk(1), 6, 0}},
                                 kT0)
                .status());
  ASSERT_OK_AND_ASSIGN(auto claimed, m_->ClaimBatch(TransferKind::kUpload, kTierCloud, 12, kT0));
  ASSERT_EQ(claimed.size(), 2u) << "two of 6 bytes fit in 12";
  EXPECT_EQ(claimed[0].request.chunk, Chunk(1));
  EXPECT_EQ(claimed[1].request.chunk, Chunk(3));
  EXPECT_EQ(claimed[1].state, TransferState::kRunning);
  ASSERT_OK_AND_ASSIGN(auto over, m_->ClaimBatch(TransferKind::kUpload, kTierCloud, 1, kT0));
  ASSERT_EQ(over.size(), 1u) << "one upload is claimed even when it alone exceeds the budget";
  EXPECT_EQ(over[0].request.chunk, Chunk(4));
  ASSERT_OK_AND_ASSIGN(auto none, m_->ClaimBatch(TransferKind::kUpload, kTierCloud, 100, kT0));
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(TransferCounts counts, m_->CountTransfers(kT0));
  EXPECT_EQ(counts.queued, 2u) << "the edge upload and the download stay queued";
  ASSERT_OK_AND_ASSIGN(auto downloads, m_->ClaimBatch(TransferKind::kDownload, 0, 100, kT0));
  ASSERT_EQ(downloads.size(), 1u);
  EXPECT_EQ(downloads[0].request.kind, TransferKind::kDownload);
  EXPECT_EQ(downloads[0].request.chunk, Chunk(1));
}

TEST_P(MachineStateTest, PinsAreASetOfInodes) {
  ASSERT_OK(m_->SetPinned(12, true));
  ASSERT_OK(m_->SetPinned(12, true));  // idempotent
  ASSERT_OK(m_->SetPinned(7, true));
  ASSERT_OK(m_->SetPinned(9, true));
  ASSERT_OK(m_->SetPinned(9, false));
  ASSERT_OK(m_->SetPinned(99, false));  // not pinned: nothing to do
  ASSERT_OK_AND_ASSIGN(auto pinned, m_->ListPinned());
  EXPECT_EQ(pinned, (std::vector<InodeId>{7, 12}));
}

INSTANTIATE_TEST_SUITE_P(Databases, MachineStateTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "File" : "Memory";
                         });

// A catalog made by an older ReelDrive (schema 6) with a queue and pins: opening it migrates it
// (the tables become legacy copies), and the machine state next to it takes them over once.
TEST(MachineStateLegacy, AnOlderCatalogsQueueAndPinsMoveToTheMachineOnce) {
  std::string dir = MakeTempDir("reel-machine-legacy");
  ASSERT_FALSE(dir.empty());
  const std::string catalog = dir + "/catalog.db";
  {
    ASSERT_OK_AND_ASSIGN(auto db, sqlite::Db::Open(catalog, sqlite::Db::Options{}));
    std::vector<sqlite::Migration> upto6;
    for (const sqlite::Migration& m : sqlite::Migrations()) {
      if (m.version <= 6) upto6.push_back(m);
    }
    ASSERT_OK(sqlite::RunMigrations(*db, upto6, kT0).status());
    ASSERT_OK(db->Exec(
        "INSERT INTO inodes (ino, type, mode, uid, gid, nlink, atime, mtime, ctime) "
        "VALUES (1, 2, 493, 0, 0, 2, 0, 0, 0), (5, 1, 420, 0, 0, 1, 0, 0, 0);"
        "INSERT INTO pins (ino) VALUES (5);"
        "INSERT INTO transfers (kind, chunk, size, tier, state, attempts, created, next_attempt, "
        "last_error) VALUES (1, zeroblob(32), 10, 2, 1, 3, 100, 200, 'gateway down'), "
        "(2, randomblob(32), 20, 0, 0, 0, 300, 300, '');"));
    ASSERT_OK(sqlite::Migrate(*db, kT0).status());  // to the newest schema
  }
  {
    ASSERT_OK_AND_ASSIGN(auto m, MachineState::Open(dir + "/machine.db", catalog));
    ASSERT_OK_AND_ASSIGN(auto pinned, m->ListPinned());
    EXPECT_EQ(pinned, std::vector<InodeId>{5});
    ASSERT_OK_AND_ASSIGN(auto listed, m->ListTransfers(10));
    ASSERT_EQ(listed.size(), 2u);
    EXPECT_EQ(listed[0].request.kind, TransferKind::kUpload);
    EXPECT_EQ(listed[0].request.tier, 2u);
    EXPECT_EQ(listed[0].state, TransferState::kQueued) << "its process is gone";
    EXPECT_EQ(listed[0].attempts, 3u);
    EXPECT_EQ(listed[0].last_error, "gateway down");
    EXPECT_EQ(listed[1].request.kind, TransferKind::kDownload);
    EXPECT_EQ(listed[1].request.size, 20u);
    ASSERT_OK(m->RemoveTransfers({listed[0].id}));
  }
  {
    // The legacy copies are gone from the catalog: a later open brings nothing back.
    ASSERT_OK_AND_ASSIGN(auto db, sqlite::Db::Open(catalog, sqlite::Db::Options{}));
    sqlite::Stmt st = db->Prepare(
        "SELECT count(*) FROM sqlite_schema WHERE name IN ('legacy_pins', 'legacy_transfers', "
        "'pins', 'transfers')");
    ASSERT_OK_AND_ASSIGN(bool row, st.Step());
    ASSERT_TRUE(row);
    EXPECT_EQ(st.Int(0), 0);
  }
  {
    ASSERT_OK_AND_ASSIGN(auto m, MachineState::Open(dir + "/machine.db", catalog));
    ASSERT_OK_AND_ASSIGN(auto listed, m->ListTransfers(10));
    EXPECT_EQ(listed.size(), 1u);
  }
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/machine.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  RemoveTree(dir);
}

}  // namespace
}  // namespace reel::testing
