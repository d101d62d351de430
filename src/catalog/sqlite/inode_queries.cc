#include "catalog/sqlite/inode_queries.h"

#include <algorithm>
#include <vector>

namespace reel::sqlite {

Attributes ReadAttributes(const Stmt& st, int first) {
  Attributes a;
  a.ino = st.U64(first + 0);
  a.type = static_cast<FileType>(st.Int(first + 1));
  a.mode = static_cast<uint32_t>(st.Int(first + 2));
  a.uid = static_cast<uint32_t>(st.Int(first + 3));
  a.gid = static_cast<uint32_t>(st.Int(first + 4));
  a.nlink = static_cast<uint32_t>(st.Int(first + 5));
  a.size = st.U64(first + 6);
  a.atime = st.Int(first + 7);
  a.mtime = st.Int(first + 8);
  a.ctime = st.Int(first + 9);
  a.version = st.U64(first + 10);
  a.rdev = st.U64(first + 11);
  return a;
}

Result<Attributes> LoadInode(Db& db, InodeId ino) {
  Stmt st = db.Prepare("SELECT " REEL_INODE_COLUMNS " FROM inodes WHERE ino = ?1");
  st.Bind(ino);
  REEL_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::NotFound("no inode " + std::to_string(ino));
  return ReadAttributes(st);
}

Result<Attributes> LoadDirectory(Db& db, InodeId ino) {
  REEL_ASSIGN_OR_RETURN(Attributes a, LoadInode(db, ino));
  REEL_RETURN_IF_ERROR(CheckDirectory(a));
  return a;
}

Status DeleteInode(Db& db, InodeId ino, TimeNs now) {
  ChunkUses uses;
  {
    Stmt st = db.Prepare("SELECT chunk_count, chunks FROM versions WHERE ino = ?1");
    st.Bind(ino);
    while (true) {
      REEL_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      REEL_ASSIGN_OR_RETURN(auto chunks, DecodeChunkList(st.BlobView(1), st.U64(0)));
      AddChunkUses(chunks, uses);
    }
  }
  REEL_RETURN_IF_ERROR(ReleaseChunkReferences(db, uses, now));
  REEL_RETURN_IF_ERROR(db.Prepare("DELETE FROM versions WHERE ino = ?1").Bind(ino).Run());
  REEL_RETURN_IF_ERROR(db.Prepare("DELETE FROM xattrs WHERE ino = ?1").Bind(ino).Run());
  return db.Prepare("DELETE FROM inodes WHERE ino = ?1").Bind(ino).Run();
}

Status AddChunkReferences(Db& db, const ChunkUses& uses) {
  for (const auto& [id, use] : uses) {
    REEL_RETURN_IF_ERROR(
        db.Prepare("INSERT INTO chunks (id, size, refcount, unreferenced_since) "
                   "VALUES (?1, ?2, ?3, 0) ON CONFLICT (id) DO UPDATE SET "
                   "refcount = refcount + excluded.refcount, unreferenced_since = 0 "
                   "WHERE size = excluded.size")
            .Bind(IdBlob(id), use.length, use.count)
            .Run());
    if (db.Changes() == 0) {
      return Status::InvalidArgument("chunk " + id.Hex() + " is recorded with another size than " +
                                     std::to_string(use.length));
    }
  }
  return Status::Ok();
}

Status ReleaseChunkReferences(Db& db, const ChunkUses& uses, TimeNs now) {
  for (const auto& [id, use] : uses) {
    Stmt st = db.Prepare(
        "UPDATE chunks SET refcount = refcount - ?2, "
        "unreferenced_since = CASE WHEN refcount = ?2 THEN ?3 ELSE unreferenced_since END "
        "WHERE id = ?1 AND refcount >= ?2");
    st.Bind(IdBlob(id), use.count, now);
    REEL_RETURN_IF_ERROR(st.Run());
    if (db.Changes() == 0) {
      return Status::Corruption("chunk " + id.Hex() + " has fewer references than its versions");
    }
  }
  return Status::Ok();
}


}  // namespace reel::sqlite
