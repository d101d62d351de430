// Packs in the PostgreSQL catalog: where chunks are inside pack objects on the shared tiers.
#include <algorithm>

#include "catalog/postgres/postgres_catalog.h"

namespace reel::postgres {

namespace {

#define REEL_PG_LOCATION_COLUMNS "chunk, tier, pack, pack_offset, length"

ChunkLocation ReadLocation(const PgRows& rows, int r) {
  ChunkLocation loc;
  loc.member.chunk = ChunkIdAt(rows, r, 0);
  loc.tier = static_cast<TierMask>(rows.Int(r, 1));
  loc.pack = rows.Text(r, 2);
  loc.member.offset = rows.U64(r, 3);
  loc.member.length = static_cast<uint32_t>(rows.Int(r, 4));
  return loc;
}

}  // namespace

Status PostgresCatalog::RecordPackUpload(TierMask tier, const std::string& pack,
                                         const std::vector<PackMember>& members) {
  REEL_RETURN_IF_ERROR(CheckPackUpload(tier, pack));
  std::vector<ChunkId> ids;
  std::vector<int64_t> offsets, lengths;
  for (const PackMember& m : members) {
    ids.push_back(m.chunk);
    offsets.push_back(static_cast<int64_t>(m.offset));
    lengths.push_back(m.length);
  }
  return Write([&](PgTxn& tx) -> Status {
    // Only for chunks the catalog still knows (and the collector is not deleting): a collected
    // chunk must not pin the pack. A member that already has a location on this tier keeps it.
    REEL_RETURN_IF_ERROR(tx.conn().Exec(
        "INSERT INTO chunk_packs (chunk, tier, pack, pack_offset, length) "
        "SELECT decode(u.id, 'hex'), $4, $5, u.pack_offset, u.length "
        "FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS u (id, pack_offset, length) "
        "WHERE EXISTS (SELECT 1 FROM chunks c WHERE c.id = decode(u.id, 'hex') "
        "AND c.collecting = 0) "
        "ON CONFLICT (chunk, tier) DO NOTHING",
        HexArray(ids), IntArray(offsets), IntArray(lengths), tier, pack));
    return tx.AddChunkTiers(ids, tier);
  });
}

Result<std::vector<ChunkLocation>> PostgresCatalog::GetChunkLocations(
    const std::vector<ChunkId>& ids) {
  // In the order of `ids`, each chunk's locations by tier.
  REEL_ASSIGN_OR_RETURN(
      PgRows rows,
      QueryOnce("SELECT p.chunk, p.tier, p.pack, p.pack_offset, p.length "
                "FROM unnest($1::text[]) WITH ORDINALITY AS u (id, n) "
                "JOIN chunk_packs p ON p.chunk = decode(u.id, 'hex') ORDER BY u.n, p.tier",
                HexArray(ids)));
  return MapRows(rows, ReadLocation);
}

Result<std::vector<ChunkLocation>> PostgresCatalog::ListPackMembers(TierMask tier,
                                                                    const std::string& pack) {
  REEL_ASSIGN_OR_RETURN(PgRows rows,
                        QueryOnce("SELECT " REEL_PG_LOCATION_COLUMNS " FROM chunk_packs "
                                  "WHERE tier = $1 AND pack = $2 ORDER BY pack_offset",
                                  tier, pack));
  return MapRows(rows, ReadLocation);
}

Result<uint64_t> PostgresCatalog::CountPackMembers(TierMask tier, const std::string& pack) {
  REEL_ASSIGN_OR_RETURN(
      PgRows rows,
      QueryOnce("SELECT count(*) FROM chunk_packs WHERE tier = $1 AND pack = $2", tier, pack));
  return rows.U64(0, 0);
}

Result<std::vector<ChunkLocation>> PostgresCatalog::RemoveChunkLocations(const ChunkId& id) {
  return WriteFor<std::vector<ChunkLocation>>([&](PgTxn& tx) -> Result<std::vector<ChunkLocation>> {
    REEL_ASSIGN_OR_RETURN(PgRows rows, tx.conn().Query("DELETE FROM chunk_packs WHERE chunk = $1 "
                                                       "RETURNING " REEL_PG_LOCATION_COLUMNS,
                                                       IdBytes(id)));
    std::vector<ChunkLocation> removed = MapRows(rows, ReadLocation);
    std::sort(removed.begin(), removed.end(),
              [](const ChunkLocation& a, const ChunkLocation& b) { return a.tier < b.tier; });
    return removed;
  });
}

}  // namespace reel::postgres
