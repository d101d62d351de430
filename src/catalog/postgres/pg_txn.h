// CatalogTxn on a PostgreSQL connection inside a serializable transaction: the row-level steps
// the shared catalog operations (catalog/catalog_txn.h) are made of, plus what the PostgreSQL
// catalog's own operations share: reading inode rows, chunk references, and the stats counters.
//
// Stats: there are no triggers, so a PgTxn counts what its writes change (files, directories,
// bytes, chunks, versions, trash entries) and Finish() adds it to one random row of the
// stats table just before the transaction commits (see pg_schema.cc).
//
// Events: a PgTxn keeps the change events of its transaction and Finish() numbers and writes
// them in one statement, the last before the commit (postgres/event_ops.cc).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "catalog/catalog_txn.h"
#include "catalog/postgres/pg_conn.h"

namespace reel::postgres {

// Column lists matching ReadAttributes.
#define REEL_PG_INODE_COLUMNS \
  "ino, type, mode, uid, gid, nlink, size, atime, mtime, ctime, version, rdev"
#define REEL_PG_INODE_COLUMNS_I                                                                  \
  "i.ino, i.type, i.mode, i.uid, i.gid, i.nlink, i.size, i.atime, i.mtime, i.ctime, i.version, " \
  "i.rdev"

// Attributes from REEL_PG_INODE_COLUMNS starting at column `first` of `row`.
Attributes ReadAttributes(const PgRows& rows, int row, int first = 0);
// A chunk id parameter, and one read back from a bytea column (all zeros if the size is wrong).
inline Bytes IdBytes(const ChunkId& id) { return Bytes{id.bytes.data(), id.bytes.size()}; }
ChunkId ChunkIdAt(const PgRows& rows, int row, int col);
// A chunk record from the columns REEL_PG_CHUNK_COLUMNS of `row`.
#define REEL_PG_CHUNK_COLUMNS "id, size, refcount, unreferenced_since, tiers"
ChunkRecord ChunkRecordAt(const PgRows& rows, int row);
// Array parameters as text literals: chunk ids in hex (decode(x, 'hex') in SQL), integers.
std::string HexArray(const std::vector<ChunkId>& ids);
std::string IntArray(const std::vector<int64_t>& values);

// NotFound if `ino` does not exist.
[[nodiscard]] Result<Attributes> LoadInode(PgConn& c, InodeId ino);

// `read(rows, r)` of every row r, in order.
template <typename Read>
auto MapRows(const PgRows& rows, Read read) {
  std::vector<decltype(read(rows, 0))> out;
  out.reserve(static_cast<size_t>(rows.size()));
  for (int r = 0; r < rows.size(); ++r) out.push_back(read(rows, r));
  return out;
}

// Who a transaction's changes are made by, as their events name it (ChangeEvent::actor and
// ::instance; "" when none).
struct EventOrigin {
  std::string actor;     // the team user
  std::string instance;  // the mount or client that asked
};

class PgTxn final : public CatalogTxn {
 public:
  explicit PgTxn(PgConn& conn, EventOrigin origin = {}) : c_(conn), origin_(std::move(origin)) {}
  PgConn& conn() { return c_; }

  Result<Attributes> LoadInode(InodeId ino) override;
  Result<std::optional<Dentry>> FindDentry(InodeId parent, std::string_view name) override;
  Result<std::optional<Dentry>> FirstName(InodeId child) override;
  Result<bool> HasChildren(InodeId dir) override;
  Result<std::optional<InodeId>> TrashedInode(uint64_t id) override;
  Result<std::vector<std::pair<uint64_t, InodeId>>> TrashBefore(TimeNs cutoff) override;
  Result<uint64_t> NextVersionNumber(InodeId ino) override;
  Result<uint64_t> VersionId(InodeId ino, uint64_t number) override;

  Result<bool> InodeNumberIssued(InodeId ino) override;
  Result<InodeId> InsertInode(const Attributes& attr, const std::string& symlink_target) override;
  Status InsertDentry(InodeId parent, std::string_view name, InodeId child) override;
  Status DeleteDentry(int64_t id) override;
  Status MoveDentry(int64_t id, InodeId parent, std::string_view name) override;
  Status SetDentryChild(int64_t id, InodeId child) override;
  Status TouchDirectory(InodeId dir, TimeNs now, int nlink_delta) override;
  Status SetLinkCount(const Attributes& attr, uint32_t nlink, TimeNs now) override;
  Status SetCtime(InodeId ino, TimeNs now) override;
  Result<uint64_t> InsertTrash(const Attributes& attr, const std::string& original_path,
                               TimeNs now) override;
  Status DeleteTrash(uint64_t id) override;
  Status DeleteInode(InodeId ino, TimeNs now) override;
  Status MoveHistory(InodeId from, InodeId to) override;
  Result<uint64_t> InsertVersion(InodeId ino, const VersionInfo& info, const std::vector<ChunkRef>& chunks,
                       const ChunkUses& uses) override;
  Status SetCurrentVersion(const Attributes& attr, uint64_t number, uint64_t size, TimeNs mtime,
                           TimeNs ctime) override;
  Status AppendEvent(const ChangeEvent& e, std::string_view scope) override;

  // Inserts the root directory (inode 1) unless it exists.
  Status EnsureRoot(uint32_t uid, uint32_t gid, TimeNs now);
  // Adds `uses` references (inserting unknown chunks): InvalidArgument if a chunk is recorded
  // with another length.
  Status AddChunkReferences(const ChunkUses& uses);
  // Removes `uses` references; a chunk reaching 0 gets unreferenced_since = now.
  Status ReleaseChunkReferences(const ChunkUses& uses, TimeNs now);
  // ORs `tiers` into the records of `ids` (unknown ids are ignored).
  Status AddChunkTiers(const std::vector<ChunkId>& ids, TierMask tiers);
  // Adds the counts of this transaction's writes to one stats row and writes its events; call
  // last, just before the commit.
  Status Finish();

 private:
  // Changes of the stats counters (see pg_schema.cc) made by this transaction.
  struct StatsDelta {
    int64_t files = 0, directories = 0, logical_bytes = 0, chunks = 0, chunk_bytes = 0,
            versions = 0, trash_entries = 0;
  };
  // Counts an inode entering (+1) or leaving (-1) the counters.
  void CountInode(FileType type, uint64_t nlink, uint64_t size, int sign);
  Status FlushStats();
  // Numbers the events of this transaction and inserts them.
  Status FlushEvents();

  PgConn& c_;
  const EventOrigin origin_;
  StatsDelta delta_;
  std::vector<std::pair<ChangeEvent, std::string>> events_;  // with their scopes
};

}  // namespace reel::postgres
