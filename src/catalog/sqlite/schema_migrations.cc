// Schema of the SQLite catalog
// ===========================
//
// schema_version(version PK, description, applied_at)   one row per applied migration; the highest
//     version is the schema version (mirrored in PRAGMA user_version for external tools).
//
// inodes(ino INTEGER PRIMARY KEY AUTOINCREMENT, type, mode, uid, gid, nlink, size,
//        atime, mtime, ctime, version, symlink_target, rdev)
//     One row per file, directory, symlink or special file, named or in the trash. AUTOINCREMENT:
//     an inode number is never reused after a purge (the kernel and open handles may still know
//     the old one). type: 1 regular, 2 directory, 3 symlink, 4 fifo, 5 character device, 6 block
//     device, 7 socket (FileType). rdev: a device's number (0 otherwise). Times are ns since the
//     epoch.
//     nlink: names of a file (0 while it is in the trash); 2 + subdirectories for a directory.
//     size: bytes of the current version (regular), target length (symlink), 0 (directory).
//     version: current version number of a regular file (0 = none yet). The root is inode 1.
//
// dentries(id INTEGER PRIMARY KEY AUTOINCREMENT, parent -> inodes, name, child -> inodes,
//          UNIQUE(parent, name))
//     One row per name. `id` is the ReadDir cookie: entries are listed in id order and ids are
//     never reused, so paging with "id > cookie" never repeats an entry and never skips one that
//     existed throughout, whatever is added or removed in between. A rename updates the row in
//     place (same id). Names are TEXT bound with explicit lengths (bytes, BINARY collation).
//     Indexes: (parent, id) for ReadDir, (child, id) for PathOf / "first name" / subtree walks.
//
// versions(id INTEGER PRIMARY KEY, ino -> inodes, number, created, size, kind, message,
//          chunk_count, chunks BLOB, UNIQUE(ino, number))
//     Every saved version of a regular file; numbers are 1, 2, 3 ... per file. `chunks` is the
//     ordered chunk list as chunk_count packed 36-byte records (32-byte SHA-256 id, u32 length
//     little-endian) -- compact, read and written whole. It is the last column so listing versions
//     never touches the (possibly multi-page) blob.
//
// chunks(id BLOB PRIMARY KEY (32 bytes), size, refcount, unreferenced_since) WITHOUT ROWID
//     Every chunk the catalog knows. refcount = number of references from version chunk lists (a
//     chunk used twice in one version counts 2). unreferenced_since = when refcount last dropped
//     to 0 (0 while referenced); the garbage collector deletes records that stayed at 0 long
//     enough. Partial index on unreferenced_since WHERE refcount = 0 keeps that scan small.
//
// xattrs(ino -> inodes, name, value BLOB, PRIMARY KEY(ino, name)) WITHOUT ROWID
//
// trash(id INTEGER PRIMARY KEY AUTOINCREMENT, ino UNIQUE -> inodes, original_path, deleted, size)
//     Regular files whose last name was removed. The inode row, its versions and xattrs stay
//     until PurgeTrash. Index on deleted for purging by age.
//
// meta(key PK, value)   small named values; 'sync_count' is bumped by Sync() when it must make
//                       SQLite create the WAL (see there).
//
// stats(id = 1, files, directories, logical_bytes, chunks, chunk_bytes, versions, trash_entries)
//     A single row of counters kept exact by triggers on inodes/chunks/versions/trash, so Stats()
//     (which backs statfs) is one primary-key read instead of full-table aggregates.
//     files/logical_bytes: regular inodes with nlink > 0; directories: all (including the root);
//     chunks/chunk_bytes: chunk records with refcount > 0.
//
// chunk_packs(chunk BLOB, tier, pack TEXT, offset, length, PRIMARY KEY(chunk, tier)) WITHOUT ROWID
//     Where a chunk is inside a pack object on a shared tier (one row per chunk and tier; a chunk
//     uploaded before packs existed has no row and is its own object, chunks/...). Written in
//     the transaction that sets the chunk's tier bit; removed when the chunk is deleted from the
//     tiers. No foreign key to chunks: GC deletes the chunk record first, then the tiered store
//     uses these rows to find (and, once empty, delete) the packs. Index (tier, pack, offset)
//     lists and counts a pack's members.
//
// versions.commit_id (schema 5): the id of the staging record a version was committed from (0 for
//     none); crash recovery drops a staging record only when a version carries its id.
//
// versions.author (schema 10): who made the version (VersionInfo::author; "" on a drive of one's
//     own).
//
// drive_identity(id = 1, drive_id TEXT) (schema 5)
//     The drive this catalog belongs to (the manifest's [drive] id), set once when the drive is
//     first opened. A catalog without it that has no content is a new one: opening it over
//     stores that hold data is refused (drive/drive_identity.h).
//
// legacy_pins(ino), legacy_transfers(kind, chunk, size, tier, attempts, created, next_attempt,
//     last_error) (schema 7): what the pins and transfers tables held when per-machine state
//     moved out of the catalog, until the machine state next to this catalog copies and drops
//     them. pins and transfers (schema 3) are gone from schema 7 on.
//
// Foreign keys are enforced (PRAGMA foreign_keys = ON on every connection).
#include "catalog/sqlite/schema_migrations.h"

#include "catalog/sqlite/transfer_queue_sql.h"

#include <string>

namespace reel::sqlite {

namespace {

constexpr const char* kInitialSchema = R"sql(
CREATE TABLE inodes (
  ino            INTEGER PRIMARY KEY AUTOINCREMENT,
  type           INTEGER NOT NULL CHECK (type IN (1, 2, 3)),
  mode           INTEGER NOT NULL,
  uid            INTEGER NOT NULL,
  gid            INTEGER NOT NULL,
  nlink          INTEGER NOT NULL CHECK (nlink >= 0),
  size           INTEGER NOT NULL DEFAULT 0,
  atime          INTEGER NOT NULL,
  mtime          INTEGER NOT NULL,
  ctime          INTEGER NOT NULL,
  version        INTEGER NOT NULL DEFAULT 0,
  symlink_target TEXT
);

CREATE TABLE dentries (
  id     INTEGER PRIMARY KEY AUTOINCREMENT,
  parent INTEGER NOT NULL REFERENCES inodes (ino),
  name   TEXT NOT NULL,
  child  INTEGER NOT NULL REFERENCES inodes (ino),
  UNIQUE (parent, name)
);
CREATE INDEX dentries_by_parent ON dentries (parent, id);
CREATE INDEX dentries_by_child ON dentries (child, id);

CREATE TABLE versions (
  id          INTEGER PRIMARY KEY,
  ino         INTEGER NOT NULL REFERENCES inodes (ino),
  number      INTEGER NOT NULL,
  created     INTEGER NOT NULL,
  size        INTEGER NOT NULL,
  kind        INTEGER NOT NULL,
  message     TEXT NOT NULL DEFAULT '',
  chunk_count INTEGER NOT NULL,
  chunks      BLOB NOT NULL,
  UNIQUE (ino, number)
);

CREATE TABLE chunks (
  id                 BLOB PRIMARY KEY CHECK (length(id) = 32),
  size               INTEGER NOT NULL,
  refcount           INTEGER NOT NULL CHECK (refcount >= 0),
  unreferenced_since INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX chunks_unreferenced ON chunks (unreferenced_since) WHERE refcount = 0;

CREATE TABLE xattrs (
  ino   INTEGER NOT NULL REFERENCES inodes (ino),
  name  TEXT NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY (ino, name)
) WITHOUT ROWID;

CREATE TABLE trash (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  ino           INTEGER NOT NULL UNIQUE REFERENCES inodes (ino),
  original_path TEXT NOT NULL,
  deleted       INTEGER NOT NULL,
  size          INTEGER NOT NULL
);
CREATE INDEX trash_by_deleted ON trash (deleted);

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meta VALUES ('sync_count', 0);
)sql";

// Written as a separate migration (with a backfill) the way a later schema change would be.
constexpr const char* kStatsCounters = R"sql(
CREATE TABLE stats (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  files         INTEGER NOT NULL,
  directories   INTEGER NOT NULL,
  logical_bytes INTEGER NOT NULL,
  chunks        INTEGER NOT NULL,
  chunk_bytes   INTEGER NOT NULL,
  versions      INTEGER NOT NULL,
  trash_entries INTEGER NOT NULL
);
INSERT INTO stats VALUES (1,
  (SELECT count(*) FROM inodes WHERE type = 1 AND nlink > 0),
  (SELECT count(*) FROM inodes WHERE type = 2),
  (SELECT coalesce(sum(size), 0) FROM inodes WHERE type = 1 AND nlink > 0),
  (SELECT count(*) FROM chunks WHERE refcount > 0),
  (SELECT coalesce(sum(size), 0) FROM chunks WHERE refcount > 0),
  (SELECT count(*) FROM versions),
  (SELECT count(*) FROM trash));

CREATE TRIGGER stats_inode_insert AFTER INSERT ON inodes BEGIN
  UPDATE stats SET
    files = files + (NEW.type = 1 AND NEW.nlink > 0),
    directories = directories + (NEW.type = 2),
    logical_bytes = logical_bytes
      + CASE WHEN NEW.type = 1 AND NEW.nlink > 0 THEN NEW.size ELSE 0 END
  WHERE id = 1;
END;
CREATE TRIGGER stats_inode_update AFTER UPDATE OF nlink, size ON inodes BEGIN
  UPDATE stats SET
    files = files - (OLD.type = 1 AND OLD.nlink > 0) + (NEW.type = 1 AND NEW.nlink > 0),
    logical_bytes = logical_bytes
      - CASE WHEN OLD.type = 1 AND OLD.nlink > 0 THEN OLD.size ELSE 0 END
      + CASE WHEN NEW.type = 1 AND NEW.nlink > 0 THEN NEW.size ELSE 0 END
  WHERE id = 1;
END;
CREATE TRIGGER stats_inode_delete AFTER DELETE ON inodes BEGIN
  UPDATE stats SET
    files = files - (OLD.type = 1 AND OLD.nlink > 0),
    directories = directories - (OLD.type = 2),
    logical_bytes = logical_bytes
      - CASE WHEN OLD.type = 1 AND OLD.nlink > 0 THEN OLD.size ELSE 0 END
  WHERE id = 1;
END;

CREATE TRIGGER stats_chunk_insert AFTER INSERT ON chunks BEGIN
  UPDATE stats SET
    chunks = chunks + (NEW.refcount > 0),
    chunk_bytes = chunk_bytes + CASE WHEN NEW.refcount > 0 THEN NEW.size ELSE 0 END
  WHERE id = 1;
END;
CREATE TRIGGER stats_chunk_update AFTER UPDATE OF refcount, size ON chunks BEGIN
  UPDATE stats SET
    chunks = chunks - (OLD.refcount > 0) + (NEW.refcount > 0),
    chunk_bytes = chunk_bytes
      - CASE WHEN OLD.refcount > 0 THEN OLD.size ELSE 0 END
      + CASE WHEN NEW.refcount > 0 THEN NEW.size ELSE 0 END
  WHERE id = 1;
END;
CREATE TRIGGER stats_chunk_delete AFTER DELETE ON chunks BEGIN
  UPDATE stats SET
    chunks = chunks - (OLD.refcount > 0),
    chunk_bytes = chunk_bytes - CASE WHEN OLD.refcount > 0 THEN OLD.size ELSE 0 END
  WHERE id = 1;
END;

CREATE TRIGGER stats_version_insert AFTER INSERT ON versions BEGIN
  UPDATE stats SET versions = versions + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_version_delete AFTER DELETE ON versions BEGIN
  UPDATE stats SET versions = versions - 1 WHERE id = 1;
END;

CREATE TRIGGER stats_trash_insert AFTER INSERT ON trash BEGIN
  UPDATE stats SET trash_entries = trash_entries + 1 WHERE id = 1;
END;
CREATE TRIGGER stats_trash_delete AFTER DELETE ON trash BEGIN
  UPDATE stats SET trash_entries = trash_entries - 1 WHERE id = 1;
END;
)sql";

// Tiers: which shared tiers hold each chunk, published versions, pinned files, and the durable
// transfer queue.
constexpr const char* kTiersWithoutQueue = R"sql(
ALTER TABLE chunks ADD COLUMN tiers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE versions ADD COLUMN published INTEGER NOT NULL DEFAULT 0;

CREATE TABLE pins (
  ino INTEGER PRIMARY KEY REFERENCES inodes (ino)
);

)sql";  // then kTransferQueueSql

// Packs: chunk locations inside pack objects on the shared tiers.
constexpr const char* kPacks = R"sql(
CREATE TABLE chunk_packs (
  chunk  BLOB NOT NULL CHECK (length(chunk) = 32),
  tier   INTEGER NOT NULL,
  pack   TEXT NOT NULL,
  offset INTEGER NOT NULL CHECK (offset >= 0),
  length INTEGER NOT NULL CHECK (length >= 0),
  PRIMARY KEY (chunk, tier)
) WITHOUT ROWID;
CREATE INDEX chunk_packs_by_pack ON chunk_packs (tier, pack, offset);
)sql";

// Drive identity and the commit ids of versions.
constexpr const char* kIdentity = R"sql(
ALTER TABLE versions ADD COLUMN commit_id INTEGER NOT NULL DEFAULT 0;
CREATE TABLE drive_identity (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  drive_id TEXT NOT NULL
);
)sql";

// Special files: fifos, devices and sockets. The type CHECK of the initial schema is widened in
// place, the way SQLite documents for loosening a CHECK constraint (no stored row changes):
// ADD COLUMN first (it edits the table's SQL by offset), then the CHECK text, then RESET so this
// connection reparses the schema; ADD COLUMN bumped the schema cookie, so others reparse too.
constexpr const char* kSpecialFiles = R"sql(
ALTER TABLE inodes ADD COLUMN rdev INTEGER NOT NULL DEFAULT 0;
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
  SET sql = replace(sql, 'CHECK (type IN (1, 2, 3))', 'CHECK (type IN (1, 2, 3, 4, 5, 6, 7))')
  WHERE type = 'table' AND name = 'inodes';
PRAGMA writable_schema = RESET;
)sql";

// Per-machine state leaves the catalog: the transfer queue and the pins move to the machine's own
// database (machine/machine_state.h), which copies these legacy tables the first time it opens
// next to this catalog and then drops them. Plain copies (no constraints, no foreign keys), so
// they hold up nothing meanwhile.
constexpr const char* kMachineStateOut = R"sql(
CREATE TABLE legacy_pins AS SELECT ino FROM pins;
CREATE TABLE legacy_transfers AS
  SELECT kind, chunk, size, tier, attempts, created, next_attempt, last_error FROM transfers;
DROP TABLE pins;
DROP TABLE transfers;
)sql";

// The change feed (sqlite/event_ops.cc): one row per event, numbered by AUTOINCREMENT (never
// reused); `scope` is the top-level directory the event happened under, for a workspace's reads.
constexpr const char* kEvents = R"sql(
CREATE TABLE events (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  time         INTEGER NOT NULL,
  kind         INTEGER NOT NULL,
  ino          INTEGER NOT NULL,
  type         INTEGER NOT NULL,
  scope        TEXT NOT NULL,
  path         TEXT NOT NULL,
  old_path     TEXT NOT NULL DEFAULT '',
  version      INTEGER NOT NULL DEFAULT 0,
  version_kind INTEGER NOT NULL DEFAULT 0,
  size         INTEGER NOT NULL DEFAULT 0,
  actor        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_by_scope ON events (scope, seq);
)sql";

// The directories of an event's names (ChangeEvent::parent, old_parent).
constexpr const char* kEventParents = R"sql(
ALTER TABLE events ADD COLUMN parent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN old_parent INTEGER NOT NULL DEFAULT 0;
)sql";

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::string kTiers = std::string(kTiersWithoutQueue) + kTransferQueueSql;
  static const std::vector<Migration> kMigrations = {
      {1, "initial schema: inodes, dentries, versions, chunks, xattrs, trash", kInitialSchema},
      {2, "stats counters maintained by triggers", kStatsCounters},
      {3, "tiers: chunk tier bits, published versions, pins, transfer queue", kTiers.c_str()},
      {4, "packs: chunk locations inside pack objects on shared tiers", kPacks},
      {5, "drive identity; commit ids of versions", kIdentity},
      {6, "special files: fifo, device and socket types, device numbers", kSpecialFiles},
      {7, "per-machine state out: pins and the transfer queue become legacy copies",
       kMachineStateOut},
      {8, "change feed: events", kEvents},
      {9, "change feed: the directories of events' names", kEventParents},
      {10, "versions: their authors",
       "ALTER TABLE versions ADD COLUMN author TEXT NOT NULL DEFAULT '';"},
  };
  return kMigrations;
}

int LatestSchemaVersion() { return Migrations().back().version; }

Result<int> Migrate(Db& db, int64_t now) { return RunMigrations(db, Migrations(), now); }

}  // namespace reel::sqlite
