// TeamDirectory: the records of the chunks the team's collector is deleting (pg_schema.cc,
// schema 14; server/team_maintenance.cc does the deleting).
#include "catalog/postgres/pg_pool.h"
#include "catalog/postgres/pg_txn.h"
#include "team/team_directory.h"

namespace reel {

using postgres::PgConn;
using postgres::PgRows;

Result<uint64_t> TeamDirectory::MarkChunksCollecting(TimeNs cutoff, uint64_t token,
                                                     size_t limit) {
  if (token == 0) return Status::InvalidArgument("a collector marks under a lease's token");
  uint64_t marked = 0;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    // "refcount = 0" spelled literally, so the partial index chunks_unreferenced applies.
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        c.Query("UPDATE chunks SET collecting = $2 WHERE id IN (SELECT id FROM chunks WHERE "
                "refcount = 0 AND unreferenced_since < $1 AND collecting = 0 "
                "ORDER BY unreferenced_since LIMIT $3)",
                cutoff, static_cast<int64_t>(token), static_cast<int64_t>(limit)));
    marked = static_cast<uint64_t>(rows.Affected());
    return Status::Ok();
  }));
  return marked;
}

Result<std::vector<ChunkRecord>> TeamDirectory::ListCollectingChunks(size_t limit) {
  std::vector<ChunkRecord> out;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(PgRows rows,
                          c.Query("SELECT " REEL_PG_CHUNK_COLUMNS " FROM chunks WHERE "
                                  "collecting <> 0 ORDER BY id LIMIT $1",
                                  static_cast<int64_t>(limit)));
    out = postgres::MapRows(rows, postgres::ChunkRecordAt);
    return Status::Ok();
  }));
  return out;
}

Status TeamDirectory::DeleteCollectedChunk(const ChunkId& id) {
  return pool_->Transaction([&](PgConn& c) -> Status {
    // A marked record is never referenced again (commits naming it are refused).
    return c.Exec("DELETE FROM chunks WHERE id = $1 AND collecting <> 0 AND refcount = 0",
                  postgres::IdBytes(id));
  });
}

}  // namespace reel
