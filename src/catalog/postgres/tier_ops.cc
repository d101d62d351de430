// Tiers in the PostgreSQL catalog: chunk tier bits and published versions.
#include <unordered_map>

#include "catalog/postgres/postgres_catalog.h"

namespace reel::postgres {

Status PostgresCatalog::AddChunkTiers(const std::vector<ChunkId>& ids, TierMask tiers) {
  if (ids.empty() || tiers == 0) return Status::Ok();
  return Write([&](PgTxn& tx) { return tx.AddChunkTiers(ids, tiers); });
}

Result<std::vector<TierMask>> PostgresCatalog::GetChunkTiers(const std::vector<ChunkId>& ids) {
  REEL_ASSIGN_OR_RETURN(PgRows rows,
                        QueryOnce("SELECT id, tiers FROM chunks "
                                  "WHERE id IN (SELECT decode(unnest($1::text[]), 'hex'))",
                                  HexArray(ids)));
  std::unordered_map<ChunkId, TierMask, ChunkIdHash> found;
  for (int r = 0; r < rows.size(); ++r) {
    found[ChunkIdAt(rows, r, 0)] = static_cast<TierMask>(rows.Int(r, 1));
  }
  std::vector<TierMask> out;
  for (const ChunkId& id : ids) {
    auto it = found.find(id);
    out.push_back(it == found.end() ? 0 : it->second);
  }
  return out;
}

Status PostgresCatalog::RequestPublish(InodeId ino, uint64_t number) {
  return Write([&](PgTxn& tx) -> Status {
    // An already published (or requested) version stays as it is.
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        tx.conn().Query("UPDATE versions SET published = CASE WHEN published = 0 THEN -1 "
                        "ELSE published END WHERE ino = $1 AND number = $2",
                        ino, number));
    if (rows.Affected() == 0) return NoSuchVersion(ino, number);
    return Status::Ok();
  });
}

Result<std::vector<std::pair<InodeId, uint64_t>>> PostgresCatalog::ListPendingPublishes() {
  REEL_ASSIGN_OR_RETURN(
      PgRows rows, QueryOnce("SELECT ino, number FROM versions WHERE published = -1 ORDER BY id"));
  return MapRows(rows,
                 [](const PgRows& rs, int r) { return std::pair(rs.U64(r, 0), rs.U64(r, 1)); });
}

Status PostgresCatalog::MarkPublished(InodeId ino, uint64_t number, TimeNs now) {
  return Write([&](PgTxn& tx) -> Status {
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        tx.conn().Query("UPDATE versions SET published = $3 WHERE ino = $1 AND number = $2", ino,
                        number, now));
    if (rows.Affected() == 0) return NoSuchVersion(ino, number);
    return RecordPublished(tx, ino, number, now);
  });
}

}  // namespace reel::postgres
