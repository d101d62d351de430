// Queries shared by the SQLite catalog's operation families. Each runs on the Db it is given:
// the writer inside a write transaction, or a reader connection.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "catalog/sqlite/chunk_id_blob.h"
#include "catalog/sqlite/chunk_list.h"
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

struct Dentry {
  int64_t id = 0;  // the ReadDir cookie
  InodeId parent = 0;
  std::string name;
  InodeId child = 0;
};

// NotFound if `ino` does not exist.
[[nodiscard]] Result<Attributes> LoadInode(Db& db, InodeId ino);
// NotFound / NotDirectory unless `ino` is a directory.
[[nodiscard]] Result<Attributes> LoadDirectory(Db& db, InodeId ino);
// The entry `name` in `parent`, if any.
[[nodiscard]] Result<std::optional<Dentry>> FindDentry(Db& db, InodeId parent,
                                                       std::string_view name);
[[nodiscard]] Result<bool> HasChildren(Db& db, InodeId dir);

// Sets mtime = ctime = now on a directory whose entries changed, adding `nlink_delta`.
[[nodiscard]] Status TouchDirectory(Db& db, InodeId dir, TimeNs now, int nlink_delta = 0);
// Sets nlink and ctime of an inode.
[[nodiscard]] Status SetLinkCount(Db& db, InodeId ino, uint32_t nlink, TimeNs now);
[[nodiscard]] Status SetCtime(Db& db, InodeId ino, TimeNs now);

// Path of `ino` from the root through each inode's first name (lowest dentry id); "" for the root.
// NotFound if the inode has no name (in the trash).
[[nodiscard]] Result<std::string> ComputePath(Db& db, InodeId ino);
// Whether `dir` is `ancestor` or lies below it.
[[nodiscard]] Result<bool> IsSameOrBelow(Db& db, InodeId dir, InodeId ancestor);

// Removes the name `entry` of the non-directory `attr` (whose nlink counts that name). When it was
// the last name, a regular file goes to the trash (original path computed before the name goes)
// and a symlink is deleted. Does not touch the parent directory's times.
[[nodiscard]] Result<UnlinkResult> DropName(Db& db, const Dentry& entry, const Attributes& attr,
                                            TimeNs now);

// Deletes an inode row with its xattrs and versions; the versions' chunk references are released.
// The caller has removed its names and trash row.
[[nodiscard]] Status DeleteInode(Db& db, InodeId ino, TimeNs now);
// Adds `uses` references (inserting unknown chunks with refcount = uses).
[[nodiscard]] Status AddChunkReferences(Db& db, const ChunkUses& uses);
// Removes `uses` references; a chunk reaching 0 gets unreferenced_since = now.
[[nodiscard]] Status ReleaseChunkReferences(Db& db, const ChunkUses& uses, TimeNs now);

// Gives `to` the versions of `from`, numbered before `to`'s own (which shift up by from's count).
Status MoveHistory(Db& db, InodeId from, InodeId to);

}  // namespace reel::sqlite
