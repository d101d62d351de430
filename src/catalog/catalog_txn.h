// The catalog operations that are the same for every backend, written once over CatalogTxn: the
// row-level steps of one open write transaction, which each backend (sqlite/sqlite_txn.h,
// postgres/pg_txn.h) implements with its own SQL. The operations here decide (checks, their
// order, the error codes catalog.h documents, link counts, times); the backend only reads and
// writes rows. Each function runs inside the caller's transaction and may be run again when the
// backend retries it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/chunk_list.h"
#include "catalog/types.h"
#include "common/status.h"

namespace reel {

// One directory entry row.
struct Dentry {
  int64_t id = 0;  // the ReadDir cookie
  InodeId parent = 0;
  std::string name;
  InodeId child = 0;
};

class CatalogTxn {
 public:
  virtual ~CatalogTxn() = default;

  // --- reads ---
  // NotFound if `ino` does not exist.
  virtual Result<Attributes> LoadInode(InodeId ino) = 0;
  // The entry `name` in `parent`, if any.
  virtual Result<std::optional<Dentry>> FindDentry(InodeId parent, std::string_view name) = 0;
  // The first name of `child` (lowest dentry id), if it has one.
  virtual Result<std::optional<Dentry>> FirstName(InodeId child) = 0;
  virtual Result<bool> HasChildren(InodeId dir) = 0;
  // The inode of trash entry `id`, if there is one.
  virtual Result<std::optional<InodeId>> TrashedInode(uint64_t id) = 0;
  // Trash entries deleted before `cutoff` as (id, ino), oldest first.
  virtual Result<std::vector<std::pair<uint64_t, InodeId>>> TrashBefore(TimeNs cutoff) = 0;
  // The number the next version of `ino` gets (1 + the highest so far).
  virtual Result<uint64_t> NextVersionNumber(InodeId ino) = 0;
  // The id (VersionInfo::id) of version `number` of `ino`; 0 if there is none.
  virtual Result<uint64_t> VersionId(InodeId ino, uint64_t number) = 0;
  // Whether `ino` was handed out by the backend's inode numbering (it need not exist).
  virtual Result<bool> InodeNumberIssued(InodeId ino) = 0;

  // --- writes ---
  // Inserts an inode with `attr` and returns its number: attr.ino when set (a reserved number),
  // otherwise a new, never used one.
  virtual Result<InodeId> InsertInode(const Attributes& attr,
                                      const std::string& symlink_target) = 0;
  virtual Status InsertDentry(InodeId parent, std::string_view name, InodeId child) = 0;
  virtual Status DeleteDentry(int64_t id) = 0;
  // Gives entry `id` a new parent and name; it keeps its id (cookie).
  virtual Status MoveDentry(int64_t id, InodeId parent, std::string_view name) = 0;
  virtual Status SetDentryChild(int64_t id, InodeId child) = 0;
  // Sets mtime = ctime = now on a directory whose entries changed, adding `nlink_delta`.
  virtual Status TouchDirectory(InodeId dir, TimeNs now, int nlink_delta) = 0;
  // Sets the link count of the inode whose attributes were `attr` to `nlink`, and its ctime.
  virtual Status SetLinkCount(const Attributes& attr, uint32_t nlink, TimeNs now) = 0;
  virtual Status SetCtime(InodeId ino, TimeNs now) = 0;
  // Records the regular file `attr` (no name left) in the trash; returns the entry's id.
  virtual Result<uint64_t> InsertTrash(const Attributes& attr, const std::string& original_path,
                                       TimeNs now) = 0;
  virtual Status DeleteTrash(uint64_t id) = 0;
  // Deletes an inode row with its xattrs and versions; the versions' chunk references are
  // released. The caller has removed its names and trash row.
  virtual Status DeleteInode(InodeId ino, TimeNs now) = 0;
  // Gives `to` the versions of `from`, numbered before `to`'s own (which shift up by from's count).
  virtual Status MoveHistory(InodeId from, InodeId to) = 0;
  // Inserts version `info` of `ino` with its chunk list and adds its chunk references (`uses`):
  // InvalidArgument if a chunk is recorded with another length. Returns the version's new id.
  virtual Result<uint64_t> InsertVersion(InodeId ino, const VersionInfo& info,
                               const std::vector<ChunkRef>& chunks, const ChunkUses& uses) = 0;
  // Makes version `number` (of size `size`) current on the regular file `attr`, with its new
  // mtime and ctime; a trashed file's trash entry follows the size.
  virtual Status SetCurrentVersion(const Attributes& attr, uint64_t number, uint64_t size,
                                   TimeNs mtime, TimeNs ctime) = 0;

  // --- the change feed ---
  // Adds `e` (its seq is the backend's to give, at commit) to this transaction's events; `scope`
  // is the name of the top-level directory it happened under ("" at the root).
  virtual Status AppendEvent(const ChangeEvent& e, std::string_view scope) = 0;

  // The path of directory `dir` (ComputePath), remembered for the last directory asked, so the
  // events of many creates in one directory walk up once. ForgetPaths when a directory moves.
  [[nodiscard]] Result<std::string> DirectoryPath(InodeId dir);
  void ForgetPaths() { last_path_.reset(); }

 private:
  std::optional<std::pair<InodeId, std::string>> last_path_;
};

// NotFound / NotDirectory unless `a` is a directory.
[[nodiscard]] Status CheckDirectory(const Attributes& a);
[[nodiscard]] Result<Attributes> LoadDirectory(CatalogTxn& tx, InodeId ino);

// Path of `ino` from the root through each inode's first name; "" for the root. NotFound if the
// inode has no name (in the trash).
[[nodiscard]] Result<std::string> ComputePath(CatalogTxn& tx, InodeId ino);

// Records that version `number` of the file `ino` was published (MarkPublished of a backend).
[[nodiscard]] Status RecordPublished(CatalogTxn& tx, InodeId ino, uint64_t number, TimeNs now);
// Records that an instance took its first lock on the file `ino` or let go of its last
// (ChangeKind::kLockTaken / kLockReleased), under the file's first name.
[[nodiscard]] Status RecordLockEvent(CatalogTxn& tx, InodeId ino, bool taken, TimeNs now);
// Records that task `task` was sent to an instance of the workspace whose directory is `dir`.
[[nodiscard]] Status RecordTaskEvent(CatalogTxn& tx, InodeId dir, uint64_t task, TimeNs now);
// Records that the attributes of `attr` changed (SetAttributes of a backend).
[[nodiscard]] Status RecordChanged(CatalogTxn& tx, const Attributes& attr, TimeNs now);
// InvalidArgument unless 1 <= query.limit <= kMaxEventsPerRead.
[[nodiscard]] Status CheckEventQuery(const EventQuery& query);

// Applies `update` to `attr` (ctime becomes `now`).
void ApplyAttrUpdate(const AttrUpdate& update, TimeNs now, Attributes& attr);

// The operations of catalog.h with the same name, inside `tx`. Names are validated by the callers
// (before their transaction).
[[nodiscard]] Result<Attributes> CreateNodeIn(CatalogTxn& tx, InodeId parent,
                                              const std::string& name, const NewNode& node,
                                              TimeNs now);
// The attributes CreateNode gives a new node in the directory `dir` (ino 0), and CreateNodeIn's
// checks of that directory (NotFound/NotDirectory) left to the caller.
[[nodiscard]] Attributes NewNodeAttributes(const Attributes& dir, const NewNode& node, TimeNs now);
// The name a create made ahead gets when its own was taken meanwhile: "NAME.conflict-INO", the
// name shortened to keep it within the name limit.
[[nodiscard]] std::string ConflictName(const std::string& name, InodeId ino);
// InvalidArgument unless 1 <= count <= kMaxReserveInodes.
[[nodiscard]] Status CheckReserveCount(uint32_t count);
// CreateNodes' checks that need no transaction (names, nodes, numbers given, the call's limit).
[[nodiscard]] Status CheckNodeCreates(const std::vector<NodeCreate>& creates);
[[nodiscard]] Result<std::vector<NodeCreated>> CreateNodesIn(CatalogTxn& tx,
                                                             const std::vector<NodeCreate>& creates);
[[nodiscard]] Result<Attributes> LinkIn(CatalogTxn& tx, InodeId ino, InodeId new_parent,
                                        const std::string& new_name, TimeNs now);
[[nodiscard]] Result<UnlinkResult> UnlinkIn(CatalogTxn& tx, InodeId parent, const std::string& name,
                                            TimeNs now);
[[nodiscard]] Status RemoveDirIn(CatalogTxn& tx, InodeId parent, const std::string& name,
                                 TimeNs now);
[[nodiscard]] Result<RenameResult> RenameIn(CatalogTxn& tx, InodeId old_parent,
                                            const std::string& old_name, InodeId new_parent,
                                            const std::string& new_name, RenameMode mode,
                                            TimeNs now);
[[nodiscard]] Result<Attributes> RestoreFromTrashIn(CatalogTxn& tx, uint64_t trash_id,
                                                    InodeId parent, const std::string& name,
                                                    TimeNs now);
[[nodiscard]] Result<uint64_t> PurgeTrashIn(CatalogTxn& tx, TimeNs cutoff,
                                            const std::vector<InodeId>& keep, TimeNs now);

// CommitVersion's checks that need no transaction: InvalidArgument when the chunk lengths do not
// add up to v.size. Returns the version's chunk uses.
[[nodiscard]] Result<ChunkUses> CheckNewVersion(const NewVersion& v);
// keep-both's copy of `name`: "NAME (conflict AUTHOR YYYY-MM-DD HHMM).EXT" (UTC; the n-th that
// minute adds " n" before the parenthesis closes), cut to the longest name allowed.
[[nodiscard]] std::string ConflictCopyName(const std::string& name, const std::string& author,
                                           TimeNs now, int n);
[[nodiscard]] Result<VersionInfo> CommitVersionIn(CatalogTxn& tx, InodeId ino, const NewVersion& v,
                                                  const ChunkUses& uses, TimeNs now);

// CreateNode's checks that need no transaction (the name is checked separately).
[[nodiscard]] Status CheckNewNode(const NewNode& node);
// SetXattr's argument checks.
[[nodiscard]] Status CheckXattrFlags(const std::string& name, bool create_only, bool replace_only);
// SetXattr's answer for an attribute that `exists`: AlreadyExists / NoData, or OK to write.
[[nodiscard]] Status CheckXattrPresence(const std::string& name, bool exists, bool create_only,
                                        bool replace_only);
// Whether `tier` is exactly one tier bit.
inline bool IsOneTier(TierMask tier) { return tier != 0 && (tier & (tier - 1)) == 0; }
// InvalidArgument unless a pack upload names one tier and a pack key.
[[nodiscard]] Status CheckPackUpload(TierMask tier, const std::string& pack);

// Standard messages.
Status NoSuchVersion(InodeId ino, uint64_t number);
Status NoSuchXattr(const std::string& name);

}  // namespace reel
