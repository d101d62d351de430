// File versions of the SQLite catalog.
#include <algorithm>

#include "catalog/sqlite/chunk_list.h"
#include "catalog/sqlite/inode_queries.h"
#include "catalog/sqlite/sqlite_catalog.h"

namespace reel::sqlite {

namespace {

VersionInfo ReadVersionInfo(const Stmt& st) {
  // Columns: number, created, size, kind, message, chunk_count, published, commit_id, id.
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
  return v;
}

// Conflict unless the version with id `base` (0: none) is the current version `current` of `ino`.
Status CheckBase(Db& db, InodeId ino, uint64_t current, uint64_t base) {
  uint64_t head = 0;
  if (current != 0) {
    Stmt st = db.Prepare("SELECT id FROM versions WHERE ino = ?1 AND number = ?2");
    st.Bind(ino, current);
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) head = st.U64(0);
  }
  if (head == base) return Status::Ok();
  return Status(Code::kConflict,
                "inode " + std::to_string(ino) + " changed since this commit's base: its current "
                "version is " + (current != 0 ? std::to_string(current) : "none") +
                (base == 0 ? ", the commit was made on no version" : ""));
}

}  // namespace

// Validation: the inode must be a regular file (IsDirectory for a directory, InvalidArgument for
// a symlink) and the chunk lengths must add up to v.size (InvalidArgument). v.mtime == 0 means
// "now". A file in the trash (still open somewhere) may get versions; its trash size follows.
Result<VersionInfo> SqliteCatalog::CommitVersion(InodeId ino, const NewVersion& v, TimeNs now) {
  uint64_t total = 0;
  for (const ChunkRef& c : v.chunks) total += c.length;
  if (total != v.size) {
    return Status::InvalidArgument("chunk lengths add up to " + std::to_string(total) +
                                   ", version size is " + std::to_string(v.size));
  }
  if (v.chunks.size() > UINT32_MAX) return Status::InvalidArgument("too many chunks");
  const std::string blob = EncodeChunkList(v.chunks);
  ChunkUses uses;
  AddChunkUses(v.chunks, uses);

  VersionInfo info;
  Status s = Write([&](Db& db) -> Status {
    REEL_ASSIGN_OR_RETURN(Attributes attr, LoadInode(db, ino));
    if (attr.type == FileType::kDirectory) {
      return Status::IsDirectory("inode " + std::to_string(ino) + " is a directory");
    }
    if (attr.type != FileType::kRegular) {
      return Status::InvalidArgument("inode " + std::to_string(ino) + " is not a regular file");
    }
    if (v.base) REEL_RETURN_IF_ERROR(CheckBase(db, ino, attr.version, *v.base));
    {
      Stmt st = db.Prepare("SELECT coalesce(max(number), 0) + 1 FROM versions WHERE ino = ?1");
      st.Bind(ino);
      REEL_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) return Status::Internal("no next version number");
      info.number = st.U64(0);
    }
    info.created = now;
    info.size = v.size;
    info.kind = v.kind;
    info.message = v.message;
    info.chunk_count = static_cast<uint32_t>(v.chunks.size());
    info.commit_id = v.commit_id;
    REEL_RETURN_IF_ERROR(
        db.Prepare("INSERT INTO versions (ino, number, created, size, kind, message, "
                   "chunk_count, chunks, commit_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
            .Bind(ino, info.number, info.created, info.size, static_cast<int>(info.kind),
                  info.message, info.chunk_count, Blob{blob.data(), blob.size()},
                  static_cast<int64_t>(info.commit_id))
            .Run());
    info.id = static_cast<uint64_t>(db.LastInsertRowid());
    REEL_RETURN_IF_ERROR(AddChunkReferences(db, uses));
    REEL_RETURN_IF_ERROR(
        db.Prepare("UPDATE inodes SET size = ?2, mtime = ?3, ctime = ?4, version = ?5 "
                   "WHERE ino = ?1")
            .Bind(ino, v.size, v.mtime != 0 ? v.mtime : now,
                  v.mtime != 0 ? std::max(attr.ctime, v.mtime) : now, info.number)
            .Run());
    if (attr.nlink == 0) {
      REEL_RETURN_IF_ERROR(
          db.Prepare("UPDATE trash SET size = ?2 WHERE ino = ?1").Bind(ino, v.size).Run());
    }
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
        "SELECT number, created, size, kind, message, chunk_count, published, commit_id, id "
        "FROM versions WHERE ino = ?1 ORDER BY number");
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
        "chunks FROM versions WHERE ino = ?1 AND number = ?2");
    st.Bind(ino, wanted);
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) {
      return Status::NotFound("inode " + std::to_string(ino) + " has no version " +
                              std::to_string(wanted));
    }
    out.info = ReadVersionInfo(st);
    REEL_ASSIGN_OR_RETURN(out.chunks, DecodeChunkList(st.BlobView(9), out.info.chunk_count));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace reel::sqlite
