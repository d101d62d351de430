#include "catalog/sqlite/sqlite_txn.h"

#include "catalog/sqlite/inode_queries.h"

namespace reel::sqlite {

Result<Attributes> SqliteTxn::LoadInode(InodeId ino) { return sqlite::LoadInode(db_, ino); }

Result<std::optional<Dentry>> SqliteTxn::FindDentry(InodeId parent, std::string_view name) {
  Stmt st = db_.Prepare("SELECT id, child FROM dentries WHERE parent = ?1 AND name = ?2");
  st.Bind(parent, name);
  REEL_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<Dentry>();
  return std::optional<Dentry>(Dentry{st.Int(0), parent, std::string(name), st.U64(1)});
}

Result<std::optional<Dentry>> SqliteTxn::FirstName(InodeId child) {
  Stmt st =
      db_.Prepare("SELECT id, parent, name FROM dentries WHERE child = ?1 ORDER BY id LIMIT 1");
  st.Bind(child);
  REEL_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<Dentry>();
  return std::optional<Dentry>(Dentry{st.Int(0), st.U64(1), st.Text(2), child});
}

Result<bool> SqliteTxn::HasChildren(InodeId dir) {
  Stmt st = db_.Prepare("SELECT 1 FROM dentries WHERE parent = ?1 LIMIT 1");
  st.Bind(dir);
  return st.Step();
}

Result<std::optional<InodeId>> SqliteTxn::TrashedInode(uint64_t id) {
  Stmt st = db_.Prepare("SELECT ino FROM trash WHERE id = ?1");
  st.Bind(id);
  REEL_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return std::optional<InodeId>();
  return std::optional<InodeId>(st.U64(0));
}

Result<std::vector<std::pair<uint64_t, InodeId>>> SqliteTxn::TrashBefore(TimeNs cutoff) {
  std::vector<std::pair<uint64_t, InodeId>> out;
  Stmt st = db_.Prepare("SELECT id, ino FROM trash WHERE deleted < ?1 ORDER BY deleted, id");
  st.Bind(cutoff);
  while (true) {
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return out;
    out.emplace_back(st.U64(0), st.U64(1));
  }
}

Result<uint64_t> SqliteTxn::NextVersionNumber(InodeId ino) {
  Stmt st = db_.Prepare("SELECT coalesce(max(number), 0) + 1 FROM versions WHERE ino = ?1");
  st.Bind(ino);
  REEL_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::Internal("no next version number");
  return st.U64(0);
}

Result<uint64_t> SqliteTxn::VersionId(InodeId ino, uint64_t number) {
  Stmt st = db_.Prepare("SELECT id FROM versions WHERE ino = ?1 AND number = ?2");
  st.Bind(ino, number);
  REEL_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.U64(0) : uint64_t{0};
}

// Inode numbers come from AUTOINCREMENT: sqlite_sequence holds the highest ever given out (a
// reservation raises it, see SqliteCatalog::ReserveInodes).
Result<bool> SqliteTxn::InodeNumberIssued(InodeId ino) {
  Stmt st = db_.Prepare("SELECT seq FROM sqlite_sequence WHERE name = 'inodes'");
  REEL_ASSIGN_OR_RETURN(bool row, st.Step());
  return row && ino <= st.U64(0);
}

Result<InodeId> SqliteTxn::InsertInode(const Attributes& attr, const std::string& symlink_target) {
  // ?13 NULL: AUTOINCREMENT picks a new number.
  Stmt st = db_.Prepare(
      "INSERT INTO inodes (type, mode, uid, gid, nlink, size, atime, mtime, ctime, version, "
      "symlink_target, rdev, ino) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  st.Bind(static_cast<int>(attr.type), attr.mode, attr.uid, attr.gid, attr.nlink, attr.size,
          attr.atime, attr.mtime, attr.ctime, attr.version);
  if (attr.type == FileType::kSymlink) {
    st.BindOne(11, symlink_target);
  } else {
    st.BindOne(11, nullptr);
  }
  st.BindOne(12, attr.rdev);
  if (attr.ino != 0) {
    st.BindOne(13, attr.ino);
  } else {
    st.BindOne(13, nullptr);
  }
  REEL_RETURN_IF_ERROR(st.Run());
  return static_cast<InodeId>(db_.LastInsertRowid());
}

Status SqliteTxn::InsertDentry(InodeId parent, std::string_view name, InodeId child) {
  return db_.Prepare("INSERT INTO dentries (parent, name, child) VALUES (?1, ?2, ?3)")
      .Bind(parent, name, child)
      .Run();
}

Status SqliteTxn::DeleteDentry(int64_t id) {
  return db_.Prepare("DELETE FROM dentries WHERE id = ?1").Bind(id).Run();
}

Status SqliteTxn::MoveDentry(int64_t id, InodeId parent, std::string_view name) {
  return db_.Prepare("UPDATE dentries SET parent = ?2, name = ?3 WHERE id = ?1")
      .Bind(id, parent, name)
      .Run();
}

Status SqliteTxn::SetDentryChild(int64_t id, InodeId child) {
  return db_.Prepare("UPDATE dentries SET child = ?2 WHERE id = ?1").Bind(id, child).Run();
}

Status SqliteTxn::TouchDirectory(InodeId dir, TimeNs now, int nlink_delta) {
  return db_.Prepare("UPDATE inodes SET mtime = ?2, ctime = ?2, nlink = nlink + ?3 WHERE ino = ?1")
      .Bind(dir, now, nlink_delta)
      .Run();
}

Status SqliteTxn::SetLinkCount(const Attributes& attr, uint32_t nlink, TimeNs now) {
  return db_.Prepare("UPDATE inodes SET nlink = ?2, ctime = ?3 WHERE ino = ?1")
      .Bind(attr.ino, nlink, now)
      .Run();
}

Status SqliteTxn::SetCtime(InodeId ino, TimeNs now) {
  return db_.Prepare("UPDATE inodes SET ctime = ?2 WHERE ino = ?1").Bind(ino, now).Run();
}

Result<uint64_t> SqliteTxn::InsertTrash(const Attributes& attr, const std::string& original_path,
                                        TimeNs now) {
  REEL_RETURN_IF_ERROR(
      db_.Prepare("INSERT INTO trash (ino, original_path, deleted, size) VALUES (?1, ?2, ?3, ?4)")
          .Bind(attr.ino, original_path, now, attr.size)
          .Run());
  return static_cast<uint64_t>(db_.LastInsertRowid());
}

Status SqliteTxn::DeleteTrash(uint64_t id) {
  return db_.Prepare("DELETE FROM trash WHERE id = ?1").Bind(id).Run();
}

Status SqliteTxn::DeleteInode(InodeId ino, TimeNs now) {
  return sqlite::DeleteInode(db_, ino, now);
}

Status SqliteTxn::MoveHistory(InodeId from, InodeId to) {
  uint64_t shift = 0;
  {
    Stmt st = db_.Prepare("SELECT COALESCE(MAX(number), 0) FROM versions WHERE ino = ?1");
    st.Bind(from);
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) shift = st.U64(0);
  }
  if (shift == 0) return Status::Ok();
  // Two steps through negative numbers keep (ino, number) unique at every row update.
  REEL_RETURN_IF_ERROR(db_.Prepare("UPDATE versions SET number = -(number + ?2) WHERE ino = ?1")
                           .Bind(to, shift)
                           .Run());
  REEL_RETURN_IF_ERROR(
      db_.Prepare("UPDATE versions SET number = -number WHERE ino = ?1 AND number < 0")
          .Bind(to)
          .Run());
  REEL_RETURN_IF_ERROR(
      db_.Prepare("UPDATE versions SET ino = ?2 WHERE ino = ?1").Bind(from, to).Run());
  return db_.Prepare("UPDATE inodes SET version = version + ?2 WHERE ino = ?1 AND version > 0")
      .Bind(to, shift)
      .Run();
}

Result<uint64_t> SqliteTxn::InsertVersion(InodeId ino, const VersionInfo& info,
                                          const std::vector<ChunkRef>& chunks,
                                          const ChunkUses& uses) {
  const std::string blob = EncodeChunkList(chunks);
  REEL_RETURN_IF_ERROR(
      db_.Prepare("INSERT INTO versions (ino, number, created, size, kind, message, "
                  "chunk_count, chunks, commit_id, author) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
          .Bind(ino, info.number, info.created, info.size, static_cast<int>(info.kind),
                info.message, info.chunk_count, Blob{blob.data(), blob.size()},
                static_cast<int64_t>(info.commit_id), info.author)
          .Run());
  const auto id = static_cast<uint64_t>(db_.LastInsertRowid());
  REEL_RETURN_IF_ERROR(AddChunkReferences(db_, uses));
  return id;
}

Status SqliteTxn::SetCurrentVersion(const Attributes& attr, uint64_t number, uint64_t size,
                                    TimeNs mtime, TimeNs ctime) {
  REEL_RETURN_IF_ERROR(
      db_.Prepare("UPDATE inodes SET size = ?2, mtime = ?3, ctime = ?4, version = ?5 "
                  "WHERE ino = ?1")
          .Bind(attr.ino, size, mtime, ctime, number)
          .Run());
  if (attr.nlink != 0) return Status::Ok();
  return db_.Prepare("UPDATE trash SET size = ?2 WHERE ino = ?1").Bind(attr.ino, size).Run();
}

}  // namespace reel::sqlite
