// Chunk records and extended attributes of the SQLite catalog.
#include <algorithm>
#include <optional>

#include "catalog/sqlite/inode_queries.h"
#include "catalog/sqlite/sqlite_catalog.h"

namespace reel::sqlite {

namespace {

ChunkRecord ReadChunkRecord(const Stmt& st) {
  // Columns: id, size, refcount, unreferenced_since, tiers.
  ChunkRecord r;
  r.id = ChunkIdFromBlob(st.BlobView(0));
  r.size = static_cast<uint32_t>(st.Int(1));
  r.refcount = st.U64(2);
  r.unreferenced_since = st.Int(3);
  r.tiers = static_cast<TierMask>(st.Int(4));
  return r;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Chunks

Result<bool> SqliteCatalog::HasChunk(const ChunkId& id) {
  REEL_ASSIGN_OR_RETURN(ReadLease lease, AcquireReader());
  Stmt st = lease.db().Prepare("SELECT 1 FROM chunks WHERE id = ?1");
  st.Bind(IdBlob(id));
  return st.Step();
}

Result<std::vector<ChunkRecord>> SqliteCatalog::ListUnreferencedChunks(TimeNs cutoff) {
  REEL_ASSIGN_OR_RETURN(ReadLease lease, AcquireReader());
  // "refcount = 0" is spelled literally so the partial index chunks_unreferenced applies.
  Stmt st = lease.db().Prepare(
      "SELECT id, size, refcount, unreferenced_since, tiers FROM chunks "
      "WHERE refcount = 0 AND unreferenced_since < ?1 ORDER BY unreferenced_since");
  st.Bind(cutoff);
  std::vector<ChunkRecord> out;
  while (true) {
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    out.push_back(ReadChunkRecord(st));
  }
  return out;
}

Result<bool> SqliteCatalog::DeleteChunkIfUnreferenced(const ChunkId& id) {
  bool deleted = false;
  Status s = Write([&](Db& db) -> Status {
    REEL_RETURN_IF_ERROR(
        db.Prepare("DELETE FROM chunks WHERE id = ?1 AND refcount = 0").Bind(IdBlob(id)).Run());
    deleted = db.Changes() > 0;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return deleted;
}

// Pages through the chunks in id order, kBatch records per read, and calls `visit` with no
// connection held: a long scan does not pin a WAL snapshot (which would stop checkpoints), and the
// visitor may call back into the catalog (e.g. DeleteChunkIfUnreferenced) without deadlocking.
// Records added or removed during the walk may or may not be seen.
Status SqliteCatalog::ForEachChunk(const std::function<bool(const ChunkRecord&)>& visit) {
  constexpr int kBatch = 1024;
  std::vector<ChunkRecord> batch;
  std::optional<ChunkId> last;
  while (true) {
    batch.clear();
    {
      REEL_ASSIGN_OR_RETURN(ReadLease lease, AcquireReader());
      Stmt st = last ? lease.db().Prepare("SELECT id, size, refcount, unreferenced_since, tiers "
                                          "FROM chunks WHERE id > ?1 ORDER BY id LIMIT ?2")
                     : lease.db().Prepare("SELECT id, size, refcount, unreferenced_since, tiers "
                                          "FROM chunks ORDER BY id LIMIT ?2");
      if (last) st.BindOne(1, IdBlob(*last));
      st.BindOne(2, kBatch);
      while (true) {
        REEL_ASSIGN_OR_RETURN(bool row, st.Step());
        if (!row) break;
        batch.push_back(ReadChunkRecord(st));
      }
    }
    for (const ChunkRecord& r : batch) {
      if (!visit(r)) return Status::Ok();
    }
    if (batch.size() < static_cast<size_t>(kBatch)) return Status::Ok();
    last = batch.back().id;
  }
}

// ---------------------------------------------------------------------------------------------
// Extended attributes. Names must be non-empty; length limits (255-byte names, 64 KiB values)
// are the kernel's and the FUSE layer's to enforce.

Result<std::string> SqliteCatalog::GetXattr(InodeId ino, const std::string& name) {
  REEL_ASSIGN_OR_RETURN(ReadLease lease, AcquireReader());
  Db& db = lease.db();
  {
    Stmt st = db.Prepare("SELECT value FROM xattrs WHERE ino = ?1 AND name = ?2");
    st.Bind(ino, name);
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) {
      auto v = st.BlobView(0);
      return std::string(reinterpret_cast<const char*>(v.data()), v.size());
    }
  }
  REEL_RETURN_IF_ERROR(LoadInode(db, ino).status());
  return NoSuchXattr(name);
}

Status SqliteCatalog::SetXattr(InodeId ino, const std::string& name, const std::string& value,
                               bool create_only, bool replace_only) {
  REEL_RETURN_IF_ERROR(CheckXattrFlags(name, create_only, replace_only));
  return Write([&](Db& db) -> Status {
    REEL_RETURN_IF_ERROR(LoadInode(db, ino).status());
    bool exists = false;
    {
      Stmt st = db.Prepare("SELECT 1 FROM xattrs WHERE ino = ?1 AND name = ?2");
      st.Bind(ino, name);
      REEL_ASSIGN_OR_RETURN(exists, st.Step());
    }
    REEL_RETURN_IF_ERROR(CheckXattrPresence(name, exists, create_only, replace_only));
    return db
        .Prepare("INSERT INTO xattrs (ino, name, value) VALUES (?1, ?2, ?3) "
                 "ON CONFLICT (ino, name) DO UPDATE SET value = excluded.value")
        .Bind(ino, name, Blob{value.data(), value.size()})
        .Run();
  });
}

Result<std::vector<std::string>> SqliteCatalog::ListXattrs(InodeId ino) {
  std::vector<std::string> names;
  Status s = Read([&](Db& db) -> Status {
    names.clear();
    REEL_RETURN_IF_ERROR(LoadInode(db, ino).status());
    Stmt st = db.Prepare("SELECT name FROM xattrs WHERE ino = ?1 ORDER BY name");
    st.Bind(ino);
    while (true) {
      REEL_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      names.push_back(st.Text(0));
    }
  });
  if (!s.ok()) return s;
  return names;
}

Status SqliteCatalog::RemoveXattr(InodeId ino, const std::string& name) {
  return Write([&](Db& db) -> Status {
    REEL_RETURN_IF_ERROR(LoadInode(db, ino).status());
    REEL_RETURN_IF_ERROR(
        db.Prepare("DELETE FROM xattrs WHERE ino = ?1 AND name = ?2").Bind(ino, name).Run());
    if (db.Changes() == 0) return NoSuchXattr(name);
    return Status::Ok();
  });
}

}  // namespace reel::sqlite
