// Plain data types of the catalog: inodes, entries, versions, trash, chunk records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/chunk_id.h"

namespace reel {

using InodeId = uint64_t;
inline constexpr InodeId kRootInode = 1;

// Special files (fifos, devices, sockets) are metadata only: the kernel serves their I/O, so they
// have no content and no versions; like symlinks, their last unlink deletes them (no trash).
enum class FileType : uint8_t {
  kRegular = 1,
  kDirectory = 2,
  kSymlink = 3,
  kFifo = 4,
  kCharDevice = 5,
  kBlockDevice = 6,
  kSocket = 7,
};

inline bool IsSpecialFile(FileType t) {
  return t == FileType::kFifo || t == FileType::kCharDevice || t == FileType::kBlockDevice ||
         t == FileType::kSocket;
}

// Nanoseconds since the Unix epoch.
using TimeNs = int64_t;

struct Attributes {
  InodeId ino = 0;
  FileType type = FileType::kRegular;
  uint32_t mode = 0;   // permission bits only (07777); the type is in `type`
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t nlink = 0;  // directories: 2 + number of subdirectories
  uint64_t size = 0;   // regular: bytes of the current version; symlink: target length
  TimeNs atime = 0;
  TimeNs mtime = 0;
  TimeNs ctime = 0;
  uint64_t version = 0;  // regular files: current version number (0 = no version yet)
  uint64_t rdev = 0;     // devices: the device number (as st_rdev); 0 for other types
};

struct DirEntry {
  std::string name;
  Attributes attr;
  uint64_t cookie = 0;  // pass to ReadDir as `after` to continue after this entry (never 0)
};

struct NewNode {
  FileType type = FileType::kRegular;
  uint32_t mode = 0644;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string symlink_target;  // for kSymlink
  uint64_t rdev = 0;           // for kCharDevice and kBlockDevice
};

// Limits of Catalog::ReserveInodes and Catalog::CreateNodes per call.
inline constexpr uint32_t kMaxReserveInodes = 4096;
inline constexpr size_t kMaxNodeCreates = 1024;

// One create made ahead on an instance (Catalog::CreateNodes): the inode number it took from
// Catalog::ReserveInodes, and what CreateNode would have been given.
struct NodeCreate {
  InodeId ino = 0;
  InodeId parent = 0;
  std::string name;
  NewNode node;
  TimeNs now = 0;
  // Where the node goes when its parent is gone (0: the root). Set by the catalog a call goes
  // through (a workspace's root), never taken from a client.
  InodeId refuge = 0;
};

// What became of one NodeCreate.
enum class CreateOutcome {
  kCreated = 0,   // under its name
  kRenamed = 1,   // its name was taken meanwhile: made as ConflictName(name, ino)
  kRefuge = 2,    // its parent was gone: made in the refuge directory as ConflictName(name, ino)
  kExisting = 3,  // the inode was recorded before (a retry, a journal replayed): nothing changed
};

struct NodeCreated {
  CreateOutcome outcome = CreateOutcome::kCreated;
  InodeId parent = 0;  // where it is (its first name's directory for kExisting)
  std::string name;    // the name it has there
  Attributes attr;     // as recorded
};

// Which attributes SetAttributes changes; unset fields keep their value. ctime is always set to now.
struct AttrUpdate {
  std::optional<uint32_t> mode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::optional<TimeNs> atime;
  std::optional<TimeNs> mtime;
};

enum class VersionKind : uint8_t {
  kAutosave = 1,    // made when a written file was closed (or by the interval policy)
  kCheckpoint = 2,  // `reel save -m`
  kRestore = 3,     // `reel restore --version N`
  kRecovered = 4,   // staged writes recovered after a crash
  // A commit set aside by a workspace's `reject` policy: kept, never current unless restored.
  // Only the catalog makes one (a commit asking for this kind is refused).
  kRejected = 5,
};

// What a commit whose base is no longer the file's current version does (a conflict: another
// machine committed meanwhile). Nothing is lost under any of them. A team workspace chooses one;
// a drive of one's own uses the first.
enum class ConflictPolicy : uint8_t {
  kLastWriterWins = 1,  // the later commit becomes current; the earlier stays a version
  kKeepBoth = 2,        // the later content becomes a conflict copy next to the file
  kReject = 3,          // the current version stays; the later is kept as a rejected version
};

struct VersionInfo {
  // Names this version in the whole catalog, for as long as it exists: unlike `number`, which a
  // rename that keeps history shifts, it never changes. A commit names its base by it.
  uint64_t id = 0;
  uint64_t number = 0;  // 1, 2, 3 ... per file
  TimeNs created = 0;
  uint64_t size = 0;
  VersionKind kind = VersionKind::kAutosave;
  std::string message;
  uint32_t chunk_count = 0;
  // When every chunk was on the cloud tier and the version was marked; 0: not published;
  // -1: requested (`reel publish`), waiting for uploads.
  TimeNs published = 0;
  // The id of the staging record this version was committed from (0: none, e.g. a restore or
  // a checkpoint of unchanged content). Crash recovery matches staging records by it.
  uint64_t commit_id = 0;
  // Who made it: the team member a team server committed it for (NewVersion::author); "" on a
  // drive of one's own. In a workspace with `share = "on-publish"`, the other members see a
  // version only once it is published (server/workspace_catalog.h).
  std::string author;
  // CommitVersion's answer only. Set when the commit's base was no longer current: what the
  // policy did. With kKeepBoth this describes the conflict copy's first version, and
  // `conflict_copy` is the copy; `head` is the file's current version number afterwards.
  std::optional<ConflictPolicy> conflict;
  uint64_t head = 0;
  InodeId conflict_copy = 0;
  std::string conflict_copy_name;
};

struct Version {
  VersionInfo info;
  std::vector<ChunkRef> chunks;  // ordered; lengths add up to info.size
};

struct NewVersion {
  uint64_t size = 0;
  std::vector<ChunkRef> chunks;
  VersionKind kind = VersionKind::kAutosave;
  std::string message;
  TimeNs mtime = 0;  // the file's mtime after this version (0 = the commit time)
  uint64_t commit_id = 0;  // see VersionInfo::commit_id
  // The version this one was made from (VersionInfo::id; 0: the file had none). When set, the
  // commit is refused with Conflict unless that is still the file's current version, so no
  // commit silently replaces one it never saw (another machine's). Unset: no check (crash
  // recovery putting this machine's acknowledged writes on whatever is current).
  std::optional<uint64_t> base;
  // When `base` is no longer current. A team server sets it from the workspace (a client's
  // request never carries it).
  ConflictPolicy on_conflict = ConflictPolicy::kLastWriterWins;
  // Who commits: recorded as VersionInfo::author and names a conflict copy. A team server sets
  // it to the signed-in user.
  std::string author;
  // The lock session (fencing token) under which this machine held a write lock on the file
  // while it wrote this content (0: none). A team server refuses to make current a commit whose
  // session lapsed (the holder was gone longer than its lease, so another may have taken the
  // lock): it sets `fenced`, and the content is kept as a rejected version, as under kReject.
  uint64_t fence = 0;
  bool fenced = false;  // set by a team server only
};

struct TrashEntry {
  uint64_t id = 0;
  InodeId ino = 0;
  std::string original_path;  // relative to the drive root, e.g. "shots/a.exr"
  TimeNs deleted = 0;
  uint64_t size = 0;
};

struct UnlinkResult {
  InodeId ino = 0;
  uint32_t nlink = 0;          // links left
  std::optional<uint64_t> trash_id;  // set when the file went to the trash
};

struct RenameResult {
  // The inode that lost its name because the target existed (not for RENAME_EXCHANGE).
  std::optional<UnlinkResult> replaced;
};

enum class RenameMode {
  kReplace,
  kNoReplace,
  kExchange,
  // Like kReplace, but when a regular file replaces a regular file with a single name, the
  // replaced file's versions become the first versions of the moved file (renumbered before its
  // own) and the replaced inode is deleted instead of trashed: history follows the name when an
  // application saves by writing a temp file and renaming it over the original.
  kReplaceKeepHistory,
};

// The shared tiers a chunk is durable on, as bits. The local cache is not recorded: it belongs
// to one machine, and the catalog describes the drive for every machine.
using TierMask = uint32_t;
inline constexpr TierMask kTierEdge = 1u << 1;
inline constexpr TierMask kTierCloud = 1u << 2;

struct ChunkRecord {
  ChunkId id;
  uint32_t size = 0;
  uint64_t refcount = 0;  // references from versions (a chunk used twice in a version counts 2)
  TimeNs unreferenced_since = 0;  // when refcount last dropped to 0 (0 while referenced)
  TierMask tiers = 0;             // shared tiers that acknowledged a copy
};

// A chunk inside a pack object on a shared tier: uploads to a shared tier concatenate many chunks
// into one object (tiers/pack_upload.h), so a streaming read is one ranged GET of many chunks.
struct PackMember {
  ChunkId chunk;
  uint64_t offset = 0;  // where the chunk's bytes start in the pack
  uint32_t length = 0;
};

struct ChunkLocation {
  TierMask tier = 0;  // one shared tier bit
  std::string pack;   // the pack's object key on that tier
  PackMember member;
};

struct CatalogStats {
  uint64_t files = 0;        // regular files with a name
  uint64_t directories = 0;  // including the root
  uint64_t logical_bytes = 0;  // sum of current sizes of named files
  uint64_t chunks = 0;         // distinct chunks referenced by the catalog (refcount > 0)
  uint64_t chunk_bytes = 0;    // bytes of those chunks
  uint64_t versions = 0;
  uint64_t trash_entries = 0;
};

// --- the change feed (Catalog::ReadEvents; docs/events.md) ---
// What a change event reports. The numbers are stored: never renumber.
enum class ChangeKind : uint8_t {
  kCreated = 1,    // a file, directory, symlink or special file was made
  kLinked = 2,     // a hard link: another name of an existing file
  kRemoved = 3,    // a name went: a directory, a symlink or special file, or one of several links
  kTrashed = 4,    // the last name of a regular file went: the file is in the trash
  kRenamed = 5,    // moved from old_path to path
  kRestored = 6,   // a trashed file got a name again
  kVersion = 7,    // a new version became current (version, version_kind, size)
  kPublished = 8,  // a version reached the cloud tier and was marked published
  kChanged = 9,    // attributes changed: mode, owner, times (SetAttributes)
  // A commit was made on a version that was no longer current (ConflictPolicy). `version`: the
  // later commit's version of this file (the new current one, or the rejected one; 0 when it
  // became a conflict copy, whose path is then `old_path`); `version_kind`: its kind.
  kConflict = 10,
  // An instance (the event's `instance`) took its first lock on the file (flock, a POSIX
  // byte-range lock or a lock-on-open), or let go of its last one (or its lease lapsed).
  kLockTaken = 11,
  kLockReleased = 12,
  // A task was sent to an instance of the workspace (`version`: the task's id), under the
  // workspace's directory: its instances look at their queues at once.
  kTask = 13,
};

// Whether an event of `kind` made or took away a name (not only changed a file's content or
// attributes).
inline bool ChangesNames(ChangeKind kind) {
  return kind != ChangeKind::kVersion && kind != ChangeKind::kPublished &&
         kind != ChangeKind::kChanged && kind != ChangeKind::kConflict &&
         kind != ChangeKind::kLockTaken && kind != ChangeKind::kLockReleased &&
         kind != ChangeKind::kTask;
}

struct ChangeEvent {
  // Position in the feed: given at commit, increasing in commit order, never reused. A reader
  // that has read up to N never later finds an event numbered N or below that it did not see.
  uint64_t seq = 0;
  TimeNs time = 0;  // the catalog's time of the change
  ChangeKind kind = ChangeKind::kCreated;
  InodeId ino = 0;
  FileType type = FileType::kRegular;
  std::string path;      // from the catalog's root, when the change was made ("" for the root)
  std::string old_path;  // kRenamed: where it was
  // The directory the name in `path` is in (0 when there is none: the root, a file in the
  // trash). For a change of content or attributes of a file with several names: its first.
  InodeId parent = 0;
  InodeId old_parent = 0;  // kRenamed: the directory of `old_path`'s name
  uint64_t version = 0;  // kVersion, kPublished: the version's number
  VersionKind version_kind = VersionKind::kAutosave;  // kVersion
  uint64_t size = 0;     // kVersion: the version's size
  std::string actor;     // who made the change (a team user); "" on a single-user drive
  // The mount (or other client) that made it, as it named itself ("" when unnamed), so that an
  // instance following the feed can skip its own changes.
  std::string instance;
};

// At most this many events per ReadEvents.
inline constexpr size_t kMaxEventsPerRead = 1000;

// Catalog::ReadEvents: the events after `after`, at most `limit`; with `scope`, only those under
// the top-level directory of that name (a team workspace) and that directory itself.
struct EventQuery {
  uint64_t after = 0;
  size_t limit = kMaxEventsPerRead;
  std::string scope;
};

struct EventPage {
  std::vector<ChangeEvent> events;  // ascending seq
  uint64_t newest = 0;  // the newest seq in the whole feed when read (0: none yet)
  // The oldest seq still kept (0: none kept). Events are kept as long as deleted files (the
  // trash retention): a reader whose cursor is below oldest - 1 has missed the ones between.
  uint64_t oldest = 0;
};

}  // namespace reel
