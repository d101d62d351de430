// Tiers in the SQLite catalog: chunk tier bits and published versions.
#include "catalog/sqlite/inode_queries.h"
#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/sqlite/sqlite_txn.h"

namespace reel::sqlite {

Status SqliteCatalog::AddChunkTiers(const std::vector<ChunkId>& ids, TierMask tiers) {
  if (ids.empty() || tiers == 0) return Status::Ok();
  return Write([&](Db& db) -> Status {
    for (const ChunkId& id : ids) {
      REEL_RETURN_IF_ERROR(db.Prepare("UPDATE chunks SET tiers = tiers | ?2 WHERE id = ?1")
                               .Bind(IdBlob(id), static_cast<int64_t>(tiers))
                               .Run());
    }
    return Status::Ok();
  });
}

Result<std::vector<TierMask>> SqliteCatalog::GetChunkTiers(const std::vector<ChunkId>& ids) {
  std::vector<TierMask> out;
  Status s = Read([&](Db& db) -> Status {
    out.assign(ids.size(), 0);
    for (size_t i = 0; i < ids.size(); ++i) {
      Stmt st = db.Prepare("SELECT tiers FROM chunks WHERE id = ?1");
      st.Bind(IdBlob(ids[i]));
      REEL_ASSIGN_OR_RETURN(bool row, st.Step());
      if (row) out[i] = static_cast<TierMask>(st.Int(0));
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Status SqliteCatalog::RequestPublish(InodeId ino, uint64_t number) {
  return Write([&](Db& db) -> Status {
    Stmt st = db.Prepare("SELECT published FROM versions WHERE ino = ?1 AND number = ?2");
    st.Bind(ino, number);
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) {
      return Status::NotFound("inode " + std::to_string(ino) + " has no version " +
                              std::to_string(number));
    }
    if (st.Int(0) != 0) return Status::Ok();
    return db.Prepare("UPDATE versions SET published = -1 WHERE ino = ?1 AND number = ?2")
        .Bind(ino, number)
        .Run();
  });
}

Result<std::vector<std::pair<InodeId, uint64_t>>> SqliteCatalog::ListPendingPublishes() {
  std::vector<std::pair<InodeId, uint64_t>> out;
  Status s = Read([&](Db& db) -> Status {
    out.clear();
    Stmt st = db.Prepare("SELECT ino, number FROM versions WHERE published = -1 ORDER BY id");
    while (true) {
      REEL_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      out.emplace_back(st.U64(0), st.U64(1));
    }
  });
  if (!s.ok()) return s;
  return out;
}

Status SqliteCatalog::MarkPublished(InodeId ino, uint64_t number, TimeNs now) {
  return Write([&](Db& db) -> Status {
    REEL_RETURN_IF_ERROR(
        db.Prepare("UPDATE versions SET published = ?3 WHERE ino = ?1 AND number = ?2")
            .Bind(ino, number, now)
            .Run());
    if (db.Changes() == 0) {
      return Status::NotFound("inode " + std::to_string(ino) + " has no version " +
                              std::to_string(number));
    }
    SqliteTxn tx(db);
    return RecordPublished(tx, ino, number, now);
  });
}

}  // namespace reel::sqlite
