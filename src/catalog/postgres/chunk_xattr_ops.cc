// Chunk records and extended attributes of the PostgreSQL catalog.
#include <optional>
#include <unordered_map>

#include "catalog/postgres/postgres_catalog.h"
#include "common/clock.h"

namespace reel::postgres {

// ---------------------------------------------------------------------------------------------
// Chunks

// A record the team's collector marked is gone already (pg_schema.cc, schema 14). One that is
// unreferenced starts its grace period again: the caller is about to reference the chunk
// without storing it, so the collector must leave it for that long.
Result<bool> PostgresCatalog::HasChunk(const ChunkId& id) {
  REEL_ASSIGN_OR_RETURN(
      PgRows rows,
      QueryOnce("SELECT refcount FROM chunks WHERE id = $1 AND collecting = 0", IdBytes(id)));
  if (rows.empty()) return false;
  if (rows.U64(0, 0) > 0) return true;
  const TimeNs now = WallClockNs();
  return WriteFor<bool>([&](PgTxn& tx) -> Result<bool> {
    REEL_ASSIGN_OR_RETURN(
        PgRows held, tx.conn().Query("UPDATE chunks SET unreferenced_since = $2 WHERE id = $1 "
                                     "AND refcount = 0 AND collecting = 0",
                                     IdBytes(id), now));
    if (held.Affected() > 0) return true;
    // Referenced meanwhile (still there), or marked by the collector (gone).
    REEL_ASSIGN_OR_RETURN(PgRows still,
                          tx.conn().Query("SELECT 1 FROM chunks WHERE id = $1 AND collecting = 0",
                                          IdBytes(id)));
    return !still.empty();
  });
}

Result<std::vector<ChunkRecord>> PostgresCatalog::ListUnreferencedChunks(TimeNs cutoff) {
  // "refcount = 0" is spelled literally so the partial index chunks_unreferenced applies.
  REEL_ASSIGN_OR_RETURN(
      PgRows rows, QueryOnce("SELECT " REEL_PG_CHUNK_COLUMNS " FROM chunks WHERE refcount = 0 AND "
                             "unreferenced_since < $1 AND collecting = 0 ORDER BY unreferenced_since",
                             cutoff));
  return MapRows(rows, ChunkRecordAt);
}

Result<bool> PostgresCatalog::DeleteChunkIfUnreferenced(const ChunkId& id) {
  return WriteFor<bool>([&](PgTxn& tx) -> Result<bool> {
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        tx.conn().Query("DELETE FROM chunks WHERE id = $1 AND refcount = 0", IdBytes(id)));
    return rows.Affected() > 0;
  });
}

// Pages through the chunks in id order, kBatch records per statement, and calls `visit` with no
// connection held, so the visitor may call back into the catalog. Records added or removed during
// the walk may or may not be seen.
Status PostgresCatalog::ForEachChunk(const std::function<bool(const ChunkRecord&)>& visit) {
  constexpr int kBatch = 1024;
  std::optional<ChunkId> last;
  while (true) {
    Result<PgRows> rows =
        last ? QueryOnce("SELECT " REEL_PG_CHUNK_COLUMNS
                         " FROM chunks WHERE id > $1 ORDER BY id LIMIT $2",
                         IdBytes(*last), kBatch)
             : QueryOnce("SELECT " REEL_PG_CHUNK_COLUMNS " FROM chunks ORDER BY id LIMIT $1",
                         kBatch);
    if (!rows.ok()) return rows.status();
    const std::vector<ChunkRecord> batch = MapRows(*rows, ChunkRecordAt);
    for (const ChunkRecord& r : batch) {
      if (!visit(r)) return Status::Ok();
    }
    if (batch.size() < static_cast<size_t>(kBatch)) return Status::Ok();
    last = batch.back().id;
  }
}

// ---------------------------------------------------------------------------------------------
// Extended attributes. Names must be non-empty; length limits are the kernel's and the FUSE
// layer's to enforce.

Result<std::string> PostgresCatalog::GetXattr(InodeId ino, const std::string& name) {
  // The inode comes along, so a miss says whether the inode or the attribute is missing.
  REEL_ASSIGN_OR_RETURN(
      PgRows rows,
      QueryOnce("SELECT x.value FROM inodes i LEFT JOIN xattrs x ON x.ino = i.ino AND x.name = $2 "
                "WHERE i.ino = $1",
                ino, AsBytes(name)));
  if (rows.empty()) return Status::NotFound("no inode " + std::to_string(ino));
  if (rows.IsNull(0, 0)) return NoSuchXattr(name);
  return rows.ByteaString(0, 0);
}

Status PostgresCatalog::SetXattr(InodeId ino, const std::string& name, const std::string& value,
                                 bool create_only, bool replace_only) {
  REEL_RETURN_IF_ERROR(CheckXattrFlags(name, create_only, replace_only));
  return Write([&](PgTxn& tx) -> Status {
    REEL_RETURN_IF_ERROR(tx.LoadInode(ino).status());
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        tx.conn().Query("SELECT 1 FROM xattrs WHERE ino = $1 AND name = $2", ino, AsBytes(name)));
    REEL_RETURN_IF_ERROR(CheckXattrPresence(name, !rows.empty(), create_only, replace_only));
    return tx.conn().Exec(
        "INSERT INTO xattrs (ino, name, value) VALUES ($1, $2, $3) "
        "ON CONFLICT (ino, name) DO UPDATE SET value = excluded.value",
        ino, AsBytes(name), AsBytes(value));
  });
}

Result<std::vector<std::string>> PostgresCatalog::ListXattrs(InodeId ino) {
  return ReadFor<std::vector<std::string>>([&](PgConn& c) -> Result<std::vector<std::string>> {
    REEL_RETURN_IF_ERROR(LoadInode(c, ino).status());
    REEL_ASSIGN_OR_RETURN(PgRows rows,
                          c.Query("SELECT name FROM xattrs WHERE ino = $1 ORDER BY name", ino));
    return MapRows(rows, [](const PgRows& rs, int r) { return rs.ByteaString(r, 0); });
  });
}

Result<std::vector<std::vector<std::string>>> PostgresCatalog::ListXattrsOf(
    const std::vector<InodeId>& inos) {
  std::vector<std::vector<std::string>> out(inos.size());
  if (inos.empty()) return out;
  std::vector<int64_t> ids(inos.begin(), inos.end());
  REEL_ASSIGN_OR_RETURN(PgRows rows,
                        QueryOnce("SELECT ino, name FROM xattrs WHERE ino = ANY($1::bigint[]) "
                                  "ORDER BY ino, name",
                                  IntArray(ids)));
  std::unordered_map<InodeId, std::vector<std::string>> by_ino;
  for (int r = 0; r < rows.size(); ++r) by_ino[rows.U64(r, 0)].push_back(rows.ByteaString(r, 1));
  for (size_t i = 0; i < inos.size(); ++i) {
    auto it = by_ino.find(inos[i]);
    if (it != by_ino.end()) out[i] = it->second;
  }
  return out;
}

Status PostgresCatalog::RemoveXattr(InodeId ino, const std::string& name) {
  return Write([&](PgTxn& tx) -> Status {
    REEL_RETURN_IF_ERROR(tx.LoadInode(ino).status());
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        tx.conn().Query("DELETE FROM xattrs WHERE ino = $1 AND name = $2", ino, AsBytes(name)));
    if (rows.Affected() == 0) return NoSuchXattr(name);
    return Status::Ok();
  });
}

}  // namespace reel::postgres
