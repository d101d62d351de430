// Catalog: the drive's shared metadata (namespace tree, file versions, chunk reference counts and
// their places on the shared tiers, xattrs, trash): what a team shares. What belongs to one
// machine (the transfer queue, pins) is in MachineState (machine/machine_state.h). An
// implementation is a transactional store: every method is atomic and thread-safe, and a method
// that returns OK has committed. SQLite now; PostgreSQL and a remote catalog (through
// `reel server`) implement the same interface.
//
// Errors: NotFound (no such inode/name/version), AlreadyExists, NotDirectory, IsDirectory,
// NotEmpty, InvalidArgument (bad name, rename into own subtree), NoData (missing xattr), Busy
// (contention that survived the retries), IOError/Corruption from the database.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/types.h"
#include "common/status.h"

namespace reel {

class Catalog {
 public:
  virtual ~Catalog() = default;

  // --- namespace ---
  virtual Result<Attributes> Lookup(InodeId parent, const std::string& name) = 0;
  virtual Result<Attributes> GetAttributes(InodeId ino) = 0;
  // Up to `limit` entries of `parent` after cookie `after` (0 = from the start), in a stable
  // order; "." and ".." are not included.
  virtual Result<std::vector<DirEntry>> ReadDir(InodeId parent, uint64_t after, size_t limit) = 0;
  // Creates a file, directory or symlink named `name` in `parent`. AlreadyExists if taken.
  // Updates the parent's mtime/ctime (and nlink for a directory).
  virtual Result<Attributes> CreateNode(InodeId parent, const std::string& name,
                                        const NewNode& node, TimeNs now) = 0;
  // Adds a hard link to a non-directory (PermissionDenied for a directory, as link(2)'s EPERM;
  // NotFound for a file in the trash).
  // Creates made ahead: `count` (1..kMaxReserveInodes) inode numbers nobody else will get, for
  // CreateNodes. Numbers reserved and never used are simply skipped.
  virtual Result<std::vector<InodeId>> ReserveInodes(uint32_t count) = 0;
  // Records creates an instance made ahead with reserved numbers (up to kMaxNodeCreates), in
  // order and in one transaction, as CreateNode would, except that nothing made ahead is refused
  // for what changed meanwhile (see CreateOutcome): a name taken meanwhile gets ConflictName(),
  // a node whose parent is gone goes to the refuge directory. InvalidArgument for a number never
  // reserved or a bad name or node; a create whose inode exists is answered kExisting (a retry
  // or a replayed journal is harmless).
  virtual Result<std::vector<NodeCreated>> CreateNodes(const std::vector<NodeCreate>& creates) = 0;
  virtual Result<Attributes> Link(InodeId ino, InodeId new_parent, const std::string& new_name,
                                  TimeNs now) = 0;
  // Removes a name of a non-directory (IsDirectory for a directory). When the last name of a
  // regular file goes, the file moves to the trash with its versions; a symlink is deleted.
  virtual Result<UnlinkResult> Unlink(InodeId parent, const std::string& name, TimeNs now) = 0;
  // Removes an empty directory (NotEmpty otherwise, NotDirectory for a non-directory).
  virtual Status RemoveDir(InodeId parent, const std::string& name, TimeNs now) = 0;
  // POSIX rename with RENAME_NOREPLACE (AlreadyExists) and RENAME_EXCHANGE semantics. A replaced
  // file is handled as by Unlink; a replaced directory must be empty. Moving a directory into its
  // own subtree is InvalidArgument. Renaming a name onto itself, or onto another name of the same
  // inode, is a no-op (RENAME_NOREPLACE still answers AlreadyExists for the latter, as Linux does).
  virtual Result<RenameResult> Rename(InodeId old_parent, const std::string& old_name,
                                      InodeId new_parent, const std::string& new_name,
                                      RenameMode mode, TimeNs now) = 0;
  virtual Result<Attributes> SetAttributes(InodeId ino, const AttrUpdate& update, TimeNs now) = 0;
  // InvalidArgument for a non-symlink (readlink(2)'s EINVAL).
  virtual Result<std::string> ReadSymlink(InodeId ino) = 0;
  // A path of `ino` relative to the root ("" for the root), through its first name. NotFound for
  // an inode without a name (in the trash).
  virtual Result<std::string> PathOf(InodeId ino) = 0;

  // --- versions ---
  // Records a new version of a regular file and makes it current, in one transaction: the version
  // row, +1 reference for every chunk in `v.chunks` (inserting unknown chunks), and the inode's
  // size/mtime/ctime/version. ctime becomes max(ctime, v.mtime) when v.mtime is set (a background
  // commit of a closed file must not look like a later change), else the commit time. The chunks
  // must already be durable in the store.
  // IsDirectory for a directory, InvalidArgument for a symlink or when the chunk lengths do not add
  // up to v.size (or a chunk's length differs from its record's). Conflict when v.base is set and
  // is not the id of the file's current version (nothing is written then). The all-zero ChunkId is a hole
  // (zeros stored nowhere, see store/chunk_keys.h): it stays in the chunk list but gets no chunk
  // record and no reference.
  virtual Result<VersionInfo> CommitVersion(InodeId ino, const NewVersion& v, TimeNs now) = 0;
  virtual Result<std::vector<VersionInfo>> ListVersions(InodeId ino) = 0;
  // Version `number` of `ino`; number 0 means the current one (NotFound if there is none).
  virtual Result<Version> GetVersion(InodeId ino, uint64_t number) = 0;
  // For each of `inos`, in order: its newest version that is not rejected and is published or
  // was made by `author` (what that member sees of the file in a workspace whose members see each
  // other's published versions only); nullopt when it has none, or is not a regular file, or is
  // gone. The default asks ListVersions of each.
  virtual Result<std::vector<std::optional<VersionInfo>>> NewestSharedVersions(
      const std::vector<InodeId>& inos, const std::string& author);

  // --- extended attributes ---
  virtual Result<std::string> GetXattr(InodeId ino, const std::string& name) = 0;
  // create_only: AlreadyExists if present; replace_only: NoData if absent; both: InvalidArgument.
  virtual Status SetXattr(InodeId ino, const std::string& name, const std::string& value,
                          bool create_only, bool replace_only) = 0;
  virtual Result<std::vector<std::string>> ListXattrs(InodeId ino) = 0;
  // ListXattrs of each of `inos`, in order (an inode that is gone has none): for the entries of a
  // listing at once, since `ls -l` probes every file's attributes. The default asks one by one.
  virtual Result<std::vector<std::vector<std::string>>> ListXattrsOf(
      const std::vector<InodeId>& inos);
  virtual Status RemoveXattr(InodeId ino, const std::string& name) = 0;

  // --- trash ---
  virtual Result<std::vector<TrashEntry>> ListTrash() = 0;
  // Gives a trashed file the name `name` in `parent` again (AlreadyExists if taken).
  virtual Result<Attributes> RestoreFromTrash(uint64_t trash_id, InodeId parent,
                                              const std::string& name, TimeNs now) = 0;
  // Deletes trash entries deleted before `cutoff`, with their inodes and versions; chunks lose
  // their references. Entries whose inode is in `keep` (files still open) are left. Returns how
  // many entries were purged.
  virtual Result<uint64_t> PurgeTrash(TimeNs cutoff, const std::vector<InodeId>& keep,
                                      TimeNs now) = 0;

  // --- chunks ---
  // Whether the catalog has a record of this chunk (referenced or not yet collected). The
  // PostgreSQL catalog, which a team shares, also restarts the grace period of an unreferenced
  // record (the caller is about to reference it) and says no for a record its collector is
  // deleting (postgres/pg_schema.cc, schema 14).
  virtual Result<bool> HasChunk(const ChunkId& id) = 0;
  // Chunks whose refcount has been 0 since before `cutoff`.
  virtual Result<std::vector<ChunkRecord>> ListUnreferencedChunks(TimeNs cutoff) = 0;
  // Deletes the record if its refcount is still 0; returns whether it was deleted.
  virtual Result<bool> DeleteChunkIfUnreferenced(const ChunkId& id) = 0;
  // Calls `visit` for every chunk record until it returns false.
  virtual Status ForEachChunk(const std::function<bool(const ChunkRecord&)>& visit) = 0;

  // --- tiers ---
  // ORs `tiers` into the records of `ids` (unknown ids are ignored).
  virtual Status AddChunkTiers(const std::vector<ChunkId>& ids, TierMask tiers) = 0;
  // The tier bits of each id, in order (0 for an unknown id).
  virtual Result<std::vector<TierMask>> GetChunkTiers(const std::vector<ChunkId>& ids) = 0;
  // Records that version `number` of `ino` is to be published (VersionInfo::published becomes -1
  // unless it is already published). NotFound if there is no such version.
  virtual Status RequestPublish(InodeId ino, uint64_t number) = 0;
  // Versions requested and not yet published: (ino, number) pairs.
  virtual Result<std::vector<std::pair<InodeId, uint64_t>>> ListPendingPublishes() = 0;
  // Marks version `number` of `ino` published at `now` (NotFound if there is no such version).
  virtual Status MarkPublished(InodeId ino, uint64_t number, TimeNs now) = 0;

  // --- packs: chunks stored inside pack objects on shared tiers ---
  // Records that pack `pack` on `tier` (one bit) holds `members`, in one transaction with the
  // tier bit of every member. A member without a chunk record gets no location (it was
  // collected); a member that already has a location on `tier` keeps it. InvalidArgument if
  // `tier` is not one bit or `pack` is empty.
  virtual Status RecordPackUpload(TierMask tier, const std::string& pack,
                                  const std::vector<PackMember>& members) = 0;
  // Every recorded pack location of each of `ids` (on any tier); a chunk stored loose (or
  // nowhere) has none.
  virtual Result<std::vector<ChunkLocation>> GetChunkLocations(const std::vector<ChunkId>& ids) = 0;
  // The chunks recorded in pack `pack` on `tier`, by offset.
  virtual Result<std::vector<ChunkLocation>> ListPackMembers(TierMask tier,
                                                             const std::string& pack) = 0;
  virtual Result<uint64_t> CountPackMembers(TierMask tier, const std::string& pack) = 0;
  // Forgets every pack location of `id`; returns the locations removed.
  virtual Result<std::vector<ChunkLocation>> RemoveChunkLocations(const ChunkId& id) = 0;

  // --- drive identity and backups ---
  // The id of the drive this catalog belongs to; "" until SetDriveId.
  virtual Result<std::string> GetDriveId() = 0;
  // Binds the catalog to drive `id`; AlreadyExists if it belongs to another drive (OK if `id`).
  virtual Status SetDriveId(const std::string& id) = 0;
  // Writes a consistent snapshot of the whole catalog (one point in time, taken without stopping
  // writers) to the new local file `path`, durably. For SQLite the file is an SQLite database
  // that OpenCatalog("sqlite://" + path) opens.
  virtual Status BackupTo(const std::string& path) = 0;

  // --- change feed (docs/events.md) ---
  // Every change of the namespace, attributes and versions records an event in its own
  // transaction (created, linked, removed, trashed, renamed, restored, version, published,
  // changed). Events are
  // numbered at commit: in commit order, never reused, no gaps a reader could fall into.
  // InvalidArgument when limit is 0 or above kMaxEventsPerRead.
  virtual Result<EventPage> ReadEvents(const EventQuery& query) = 0;
  // Deletes the events made before `before`, except the newest (which keeps the numbering);
  // returns how many went.
  virtual Result<uint64_t> TrimEvents(TimeNs before) = 0;

  // --- whole catalog ---
  virtual Result<CatalogStats> Stats() = 0;
  // Makes everything committed so far durable against a machine crash.
  virtual Status Sync() = 0;
};

// Opens (creating and migrating if needed) a catalog by URI:
//   sqlite:///abs/path/catalog.db   an SQLite database file (WAL mode)
//   sqlite::memory:                  a private in-memory SQLite database (tests)
//   postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?OPTIONS]   (or postgres://) an existing
//                                    PostgreSQL database; the catalog makes its tables in it
// A new catalog gets a root directory (inode 1) owned by `root_uid`/`root_gid`, mode 0755.
// A database file that is not a sound SQLite catalog (garbage, truncated) is Corruption.
[[nodiscard]] Result<std::unique_ptr<Catalog>> OpenCatalog(const std::string& uri,
                                                           uint32_t root_uid, uint32_t root_gid);

}  // namespace reel
