// File versions of the SQLite catalog.

#include "catalog/sqlite/inode_queries.h"
#include "catalog/sqlite/sqlite_catalog.h"
#include "catalog/sqlite/sqlite_txn.h"

namespace reel::sqlite {

namespace {

VersionInfo ReadVersionInfo(const Stmt& st) {
  // Columns: number, created, size, kind, message, chunk_count, published, commit_id, id,
  // author.
  VersionInfo v;
  v.number = st.U64(0);
  v.created = st.Int(1);
  v.size = st.U64(2);
  v.kind = static_cast<VersionKind>(st.Int(3));
  v.message = st.Text(4);
  v.chunk_count = static_cast<uint32_t>(st.Int(5));
  v.published = st.Int(6);
  v.commit_id = st.U64(7);
  v.id = st.U64(8);
  v.author = st.Text(9);
  return v;
}

}  // namespace

Result<VersionInfo> SqliteCatalog::CommitVersion(InodeId ino, const NewVersion& v, TimeNs now) {
  REEL_ASSIGN_OR_RETURN(const ChunkUses uses, CheckNewVersion(v));
  VersionInfo info;
  Status s = Write([&](Db& db) -> Status {
    SqliteTxn tx(db);
    REEL_ASSIGN_OR_RETURN(info, CommitVersionIn(tx, ino, v, uses, now));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return info;
}

Result<std::vector<VersionInfo>> SqliteCatalog::ListVersions(InodeId ino) {
  std::vector<VersionInfo> out;
  Status s = Read([&](Db& db) -> Status {
    out.clear();
    REEL_RETURN_IF_ERROR(LoadInode(db, ino).status());
    Stmt st = db.Prepare(
        "SELECT number, created, size, kind, message, chunk_count, published, commit_id, id, "
        "author FROM versions WHERE ino = ?1 ORDER BY number");
    st.Bind(ino);
    while (true) {
      REEL_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Ok();
      out.push_back(ReadVersionInfo(st));
    }
  });
  if (!s.ok()) return s;
  return out;
}

Result<Version> SqliteCatalog::GetVersion(InodeId ino, uint64_t number) {
  Version out;
  Status s = Read([&](Db& db) -> Status {
    REEL_ASSIGN_OR_RETURN(Attributes attr, LoadInode(db, ino));
    uint64_t wanted = number != 0 ? number : attr.version;
    if (wanted == 0) return Status::NotFound("inode " + std::to_string(ino) + " has no version");
    Stmt st = db.Prepare(
        "SELECT number, created, size, kind, message, chunk_count, published, commit_id, id, "
        "author, chunks FROM versions WHERE ino = ?1 AND number = ?2");
    st.Bind(ino, wanted);
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return NoSuchVersion(ino, wanted);
    out.info = ReadVersionInfo(st);
    REEL_ASSIGN_OR_RETURN(out.chunks, DecodeChunkList(st.BlobView(10), out.info.chunk_count));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace reel::sqlite
