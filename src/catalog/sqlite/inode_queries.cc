#include "catalog/sqlite/inode_queries.h"

#include <algorithm>

#include <vector>

namespace reel::sqlite {

namespace {
// Deeper than any real tree; a longer walk means a cycle in the dentries (corruption).
constexpr int kMaxDepth = 4096;
}  // namespace

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
  if (a.type != FileType::kDirectory) {
    return Status::NotDirectory("inode " + std::to_string(ino) + " is not a directory");
  }
  return a;
}

Result<std::optional<Dentry>> FindDentry(Db& db, InodeId parent, std::string_view name) {
  Stmt st = db.Prepare("SELECT id, child FROM dentries WHERE parent = ?1 AND name = ?2");
  st.Bind(parent, name);
  REEL_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<Dentry>();
  return std::optional<Dentry>(Dentry{st.Int(0), parent, std::string(name), st.U64(1)});
}

Result<bool> HasChildren(Db& db, InodeId dir) {
  Stmt st = db.Prepare("SELECT 1 FROM dentries WHERE parent = ?1 LIMIT 1");
  st.Bind(dir);
  return st.Step();
}

Status TouchDirectory(Db& db, InodeId dir, TimeNs now, int nlink_delta) {
  return db.Prepare("UPDATE inodes SET mtime = ?2, ctime = ?2, nlink = nlink + ?3 WHERE ino = ?1")
      .Bind(dir, now, nlink_delta)
      .Run();
}

Status SetLinkCount(Db& db, InodeId ino, uint32_t nlink, TimeNs now) {
  return db.Prepare("UPDATE inodes SET nlink = ?2, ctime = ?3 WHERE ino = ?1")
      .Bind(ino, nlink, now)
      .Run();
}

Status SetCtime(Db& db, InodeId ino, TimeNs now) {
  return db.Prepare("UPDATE inodes SET ctime = ?2 WHERE ino = ?1").Bind(ino, now).Run();
}

Result<std::string> ComputePath(Db& db, InodeId ino) {
  if (ino == kRootInode) return std::string();
  std::vector<std::string> parts;
  InodeId at = ino;
  while (at != kRootInode) {
    if (parts.size() > kMaxDepth) return Status::Corruption("directory cycle above inode " +
                                                            std::to_string(ino));
    Stmt st = db.Prepare(
        "SELECT parent, name FROM dentries WHERE child = ?1 ORDER BY id LIMIT 1");
    st.Bind(at);
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) {
      if (at == ino) {
        // Distinguish "no such inode" from "inode without a name" (trashed) for the message.
        REEL_RETURN_IF_ERROR(LoadInode(db, ino).status());
        return Status::NotFound("inode " + std::to_string(ino) + " has no name");
      }
      return Status::Corruption("directory inode " + std::to_string(at) + " has no name");
    }
    parts.push_back(st.Text(1));
    at = st.U64(0);
  }
  std::string path;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!path.empty()) path += '/';
    path += *it;
  }
  return path;
}

Result<bool> IsSameOrBelow(Db& db, InodeId dir, InodeId ancestor) {
  InodeId at = dir;
  for (int depth = 0; depth <= kMaxDepth; ++depth) {
    if (at == ancestor) return true;
    if (at == kRootInode) return false;
    Stmt st = db.Prepare("SELECT parent FROM dentries WHERE child = ?1 ORDER BY id LIMIT 1");
    st.Bind(at);
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return Status::Corruption("directory inode " + std::to_string(at) + " has no name");
    at = st.U64(0);
  }
  return Status::Corruption("directory cycle above inode " + std::to_string(dir));
}

Result<UnlinkResult> DropName(Db& db, const Dentry& entry, const Attributes& attr, TimeNs now) {
  UnlinkResult result;
  result.ino = attr.ino;
  result.nlink = attr.nlink > 0 ? attr.nlink - 1 : 0;
  std::string original_path;
  if (result.nlink == 0 && attr.type == FileType::kRegular) {
    REEL_ASSIGN_OR_RETURN(original_path, ComputePath(db, attr.ino));
  }
  REEL_RETURN_IF_ERROR(db.Prepare("DELETE FROM dentries WHERE id = ?1").Bind(entry.id).Run());
  if (result.nlink > 0) {
    REEL_RETURN_IF_ERROR(SetLinkCount(db, attr.ino, result.nlink, now));
  } else if (attr.type == FileType::kRegular) {
    REEL_RETURN_IF_ERROR(SetLinkCount(db, attr.ino, 0, now));
    REEL_RETURN_IF_ERROR(
        db.Prepare("INSERT INTO trash (ino, original_path, deleted, size) VALUES (?1, ?2, ?3, ?4)")
            .Bind(attr.ino, original_path, now, attr.size)
            .Run());
    result.trash_id = static_cast<uint64_t>(db.LastInsertRowid());
  } else {
    REEL_RETURN_IF_ERROR(DeleteInode(db, attr.ino, now));
  }
  return result;
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

Status MoveHistory(Db& db, InodeId from, InodeId to) {
  uint64_t shift = 0;
  {
    Stmt st = db.Prepare("SELECT COALESCE(MAX(number), 0) FROM versions WHERE ino = ?1");
    st.Bind(from);
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) shift = st.U64(0);
  }
  if (shift == 0) return Status::Ok();
  // Two steps through negative numbers keep (ino, number) unique at every row update.
  REEL_RETURN_IF_ERROR(db.Prepare("UPDATE versions SET number = -(number + ?2) WHERE ino = ?1")
                           .Bind(to, shift)
                           .Run());
  REEL_RETURN_IF_ERROR(
      db.Prepare("UPDATE versions SET number = -number WHERE ino = ?1 AND number < 0").Bind(to).Run());
  REEL_RETURN_IF_ERROR(db.Prepare("UPDATE versions SET ino = ?2 WHERE ino = ?1").Bind(from, to).Run());
  return db.Prepare("UPDATE inodes SET version = version + ?2 WHERE ino = ?1 AND version > 0")
      .Bind(to, shift)
      .Run();
}

}  // namespace reel::sqlite
