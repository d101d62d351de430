// Queries shared by the SQLite catalog's operation families (the row-level steps of the
// operations shared with other backends are in sqlite_txn.h). Each runs on the Db it is given:
// the writer inside a write transaction, or a reader connection.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "catalog/catalog_txn.h"
#include "catalog/sqlite/chunk_id_blob.h"
#include "catalog/sqlite/sqlite_db.h"
#include "catalog/types.h"
#include "common/status.h"

namespace reel::sqlite {

// Column lists matching ReadAttributes (string literals, so statements stay cacheable).
#define REEL_INODE_COLUMNS \
  "ino, type, mode, uid, gid, nlink, size, atime, mtime, ctime, version, rdev"
#define REEL_INODE_COLUMNS_I                                                                  \
  "i.ino, i.type, i.mode, i.uid, i.gid, i.nlink, i.size, i.atime, i.mtime, i.ctime, i.version, " \
  "i.rdev"
inline constexpr int kInodeColumnCount = 12;

// Attributes from REEL_INODE_COLUMNS starting at column `first`.
Attributes ReadAttributes(const Stmt& st, int first = 0);

// NotFound if `ino` does not exist.
[[nodiscard]] Result<Attributes> LoadInode(Db& db, InodeId ino);
// NotFound / NotDirectory unless `ino` is a directory.
[[nodiscard]] Result<Attributes> LoadDirectory(Db& db, InodeId ino);
// Deletes an inode row with its xattrs and versions; the versions' chunk references are released.
// The caller has removed its names and trash row.
[[nodiscard]] Status DeleteInode(Db& db, InodeId ino, TimeNs now);
// Adds `uses` references (inserting unknown chunks with refcount = uses).
[[nodiscard]] Status AddChunkReferences(Db& db, const ChunkUses& uses);
// Removes `uses` references; a chunk reaching 0 gets unreferenced_since = now.
[[nodiscard]] Status ReleaseChunkReferences(Db& db, const ChunkUses& uses, TimeNs now);

}  // namespace reel::sqlite
