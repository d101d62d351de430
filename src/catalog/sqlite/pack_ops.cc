// Packs in the SQLite catalog: where chunks are inside pack objects on the shared tiers.
#include "catalog/sqlite/inode_queries.h"
#include "catalog/sqlite/sqlite_catalog.h"

namespace reel::sqlite {

namespace {

// Columns: chunk, tier, pack, offset, length.
ChunkLocation ReadLocation(const Stmt& st) {
  ChunkLocation loc;
  loc.member.chunk = ChunkIdFromBlob(st.BlobView(0));
  loc.tier = static_cast<TierMask>(st.Int(1));
  loc.pack = st.Text(2);
  loc.member.offset = st.U64(3);
  loc.member.length = static_cast<uint32_t>(st.Int(4));
  return loc;
}

Status ReadLocations(Stmt& st, std::vector<ChunkLocation>* out) {
  while (true) {
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::Ok();
    out->push_back(ReadLocation(st));
  }
}

// Every location of `id`, by tier.
Status LocationsOf(Db& db, const ChunkId& id, std::vector<ChunkLocation>* out) {
  Stmt st = db.Prepare(
      "SELECT chunk, tier, pack, offset, length FROM chunk_packs WHERE chunk = ?1 ORDER BY tier");
  st.Bind(IdBlob(id));
  return ReadLocations(st, out);
}

}  // namespace

Status SqliteCatalog::RecordPackUpload(TierMask tier, const std::string& pack,
                                       const std::vector<PackMember>& members) {
  REEL_RETURN_IF_ERROR(CheckPackUpload(tier, pack));
  return Write([&](Db& db) -> Status {
    for (const PackMember& m : members) {
      // Only for chunks the catalog still knows: a collected chunk must not pin the pack.
      REEL_RETURN_IF_ERROR(
          db.Prepare("INSERT OR IGNORE INTO chunk_packs (chunk, tier, pack, offset, length) "
                     "SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM chunks WHERE id = ?1)")
              .Bind(IdBlob(m.chunk), static_cast<int64_t>(tier), pack,
                    static_cast<int64_t>(m.offset), static_cast<int64_t>(m.length))
              .Run());
      REEL_RETURN_IF_ERROR(db.Prepare("UPDATE chunks SET tiers = tiers | ?2 WHERE id = ?1")
                               .Bind(IdBlob(m.chunk), static_cast<int64_t>(tier))
                               .Run());
    }
    return Status::Ok();
  });
}

Result<std::vector<ChunkLocation>> SqliteCatalog::GetChunkLocations(
    const std::vector<ChunkId>& ids) {
  std::vector<ChunkLocation> out;
  Status s = Read([&](Db& db) -> Status {
    out.clear();
    for (const ChunkId& id : ids) REEL_RETURN_IF_ERROR(LocationsOf(db, id, &out));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<ChunkLocation>> SqliteCatalog::ListPackMembers(TierMask tier,
                                                                  const std::string& pack) {
  std::vector<ChunkLocation> out;
  Status s = Read([&](Db& db) -> Status {
    out.clear();
    Stmt st = db.Prepare(
        "SELECT chunk, tier, pack, offset, length FROM chunk_packs WHERE tier = ?1 AND pack = ?2 "
        "ORDER BY offset");
    st.Bind(static_cast<int64_t>(tier), pack);
    return ReadLocations(st, &out);
  });
  if (!s.ok()) return s;
  return out;
}

Result<uint64_t> SqliteCatalog::CountPackMembers(TierMask tier, const std::string& pack) {
  uint64_t n = 0;
  Status s = Read([&](Db& db) -> Status {
    Stmt st = db.Prepare("SELECT count(*) FROM chunk_packs WHERE tier = ?1 AND pack = ?2");
    st.Bind(static_cast<int64_t>(tier), pack);
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    n = row ? st.U64(0) : 0;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return n;
}

Result<std::vector<ChunkLocation>> SqliteCatalog::RemoveChunkLocations(const ChunkId& id) {
  std::vector<ChunkLocation> removed;
  Status s = Write([&](Db& db) -> Status {
    removed.clear();
    REEL_RETURN_IF_ERROR(LocationsOf(db, id, &removed));
    return db.Prepare("DELETE FROM chunk_packs WHERE chunk = ?1").Bind(IdBlob(id)).Run();
  });
  if (!s.ok()) return s;
  return removed;
}

}  // namespace reel::sqlite
