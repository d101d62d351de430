// Schema of the PostgreSQL catalog, as migrations applied by pg_migrations.h. The same model as
// the SQLite catalog (sqlite/schema_migrations.cc), in SQL that CockroachDB runs too: no
// triggers, no stored functions, no advisory locks, no LISTEN/NOTIFY; every change runs in a
// SERIALIZABLE transaction that the client retries on serialization failures (pg_conn.h).
//
// Types: ids and times are BIGINT (times in ns since the epoch; unsigned 64-bit values such as
// commit ids are stored as their two's-complement BIGINT). File names, symlink targets, xattr
// names and values, version messages and trash paths are BYTEA: a Linux name is bytes, not
// necessarily UTF-8, and BYTEA orders byte by byte like SQLite's BINARY collation. Pack keys and
// the drive id, which ReelDrive makes itself, are TEXT.
//
// inodes(ino BIGINT identity PRIMARY KEY, type, mode, uid, gid, nlink, size, atime, mtime, ctime,
//        version, rdev, symlink_target BYTEA)
//     One row per file, directory, symlink or special file. `ino` comes from the identity's
//     sequence, which never hands out a number twice (rolled-back numbers are skipped, never
//     reused): an inode number is never reused after a purge. The root is inode 1, inserted
//     explicitly when the catalog is opened (owner root_uid/root_gid, mode 0755); the sequence
//     starts at 2. type: FileType (1 regular ... 7 socket). nlink: names of a file (0 while in
//     the trash); 2 + subdirectories for a directory. size: bytes of the current version
//     (regular), target length (symlink). version: current version number (0 = none yet).
//
// dentries(id BIGINT identity PRIMARY KEY, parent -> inodes, name BYTEA, child -> inodes,
//          UNIQUE (parent, name))
//     One row per name. `id` is the ReadDir cookie: entries are listed in id order and ids are
//     never reused, so paging with "id > cookie" never repeats an entry and never skips one that
//     existed throughout. A rename updates the row in place (same id). Indexes: (parent, id) for
//     ReadDir, (child, id) for PathOf / "first name" / subtree walks.
//
// versions(id BIGINT identity PRIMARY KEY, ino -> inodes, number, created, size, kind,
//          message BYTEA, chunk_count, published, commit_id, chunks BYTEA, UNIQUE (ino, number))
//     Every saved version of a regular file; numbers are 1, 2, 3 ... per file. `chunks` is the
//     ordered chunk list in the encoding every backend uses (catalog/chunk_list.h: packed 36-byte
//     records). published: 0 no, -1 requested, else when. commit_id: the staging record the
//     version was committed from (0: none). `id` orders pending publishes by request.
//     author (schema 13): the member who made it (VersionInfo::author); index (ino, number)
//     serves "the newest version a member sees" (NewestSharedVersions).
//
// chunks(id BYTEA PRIMARY KEY (32 bytes), size, refcount, unreferenced_since, tiers)
//     Every chunk the catalog knows. refcount = references from version chunk lists (a chunk used
//     twice in one version counts 2); unreferenced_since = when refcount last dropped to 0 (0
//     while referenced); tiers = bits of the shared tiers holding a copy. Partial index on
//     unreferenced_since WHERE refcount = 0 for the collector's scan.
//     collecting (schema 14): 0, or the fencing token of the maintenance lease under which the
//     team's collector marked the record to delete its objects (team/chunk_collection.cc). A
//     marked record is gone for everyone else: HasChunk says no (a writer stores the bytes
//     itself), a commit naming it is refused as Unavailable (retried: the collector deletes the
//     record within seconds, and the commit then records the chunk anew), and uploads add no
//     tier bit or pack location to it. So no upload can land between the collector's deletes
//     and the record's end and be taken for a copy that is about to go. HasChunk of an
//     unreferenced record starts its grace period again (unreferenced_since = now): a writer
//     that found the chunk is about to reference it.
//
// xattrs(ino -> inodes, name BYTEA, value BYTEA, PRIMARY KEY (ino, name))
//
// trash(id BIGINT identity PRIMARY KEY, ino UNIQUE -> inodes, original_path BYTEA, deleted, size)
//     Regular files whose last name was removed; their inode, versions and xattrs stay until
//     PurgeTrash. Index on deleted.
//
// chunk_packs(chunk BYTEA, tier, pack TEXT, pack_offset, length, PRIMARY KEY (chunk, tier))
//     Where a chunk is inside a pack object on a shared tier. No foreign key to chunks: the
//     collector deletes the chunk record first, then uses these rows to find the packs. Index
//     (tier, pack, pack_offset) lists and counts a pack's members. (`offset` is a keyword here.)
//
// drive_identity(id = 1, drive_id TEXT)   the drive this catalog belongs to, set once.
//
// Team mode (schema 2; team/team_directory.h):
// users(id identity, name TEXT UNIQUE, created)
// user_groups(id identity, name TEXT UNIQUE, created); group_members(group_id, user_id) PK both
// tokens(id identity, user_id -> users, hash BYTEA UNIQUE, created, expires, revoked)
//     An API token is stored as the SHA-256 of its secret only; expires 0 = never; revoked = when
//     (0 = valid). A call is authenticated by looking its secret's hash up.
// workspaces(id identity, name TEXT UNIQUE, root -> inodes UNIQUE, home_of -> users UNIQUE,
//            share TEXT, created)
//     A workspace is a directory under the root (`root`) with its own grants; a user's home
//     workspace has home_of set. share: "on-close" or "on-publish" (what members see of each
//     other's work). chunk_key (schema 4): the 256-bit key of an encrypted workspace
//     (chunking/chunk_cipher.h), NULL for one that is not. Only members are handed it, by the
//     server; instances keep it in memory. Whoever can read this database can read it: guard
//     the database and its backups as the keys of the team's encrypted work.
// grants(workspace_id -> workspaces, principal_kind (1 user, 2 group), principal_id, role
//        (1 reader, 2 writer, 3 admin), PRIMARY KEY (workspace_id, principal_kind, principal_id))
//     A user's role in a workspace is the highest of their own grant and their groups'.
//
// leases(name TEXT PRIMARY KEY, holder TEXT, token BIGINT, expires BIGINT)   (schema 5)
//     Work that one server of the team does at a time (trash purge...): the holder until
//     `expires` (ns, the servers' clock); `token` grows by one each time the lease changes hands,
//     so work done under an older one can be told apart (a fencing token).
//
// lock_sessions(token identity, instance -> instances, workspace_id, started, expires,
//               request_id)
// file_locks(session -> lock_sessions, ino, flavor, owner, type, first, last, pid, since)
//                                                                              (schema 12)
//     Locks on files shared by the team's mounts (catalog/file_lock.h, team/locks.cc). An
//     instance holds its locks in a session that lives while it renews it (`expires`, ns); its
//     token is the fencing token of every commit it makes under its locks. A session past its
//     expiry has lapsed for good (renewing it fails): its locks no longer count and go when the
//     file is next locked, and a commit under its token is kept as a rejected version.
//     request_id: the request that made it, so that a retry of that request (its answer lost)
//     finds it instead of making a second session.
//
// events(seq BIGINT PRIMARY KEY, time, kind, ino, type, scope BYTEA, path BYTEA, old_path BYTEA,
//        version, version_kind, size, actor TEXT); event_counter(id = 1, last)   (schema 6)
//     The change feed (catalog.h ReadEvents, docs/events.md). A transaction's events are numbered
//     by its last statement, which adds their count to the one event_counter row and inserts
//     them: the row stays locked until the commit, so the next transaction with events waits
//     for it (and, being serializable, runs again), and seqs are handed out in commit order with
//     no gaps: a reader that saw N never later finds an unseen event below N. The cost: writers
//     of events are serialised on that row for the last statement and the commit. `scope` is
//     the top-level directory (a workspace) the event happened under; index (scope, seq).
//
// stats(shard PRIMARY KEY, files, directories, logical_bytes, chunks, chunk_bytes, versions,
//       trash_entries)
//     The counters behind Stats() (statfs), kept exact WITHOUT triggers: every write transaction
//     adds what it changed (PgTxn counts it as it writes the rows) to ONE row picked at random
//     among kStatsShards, in the same transaction, and Stats() sums the rows. Spreading the
//     updates keeps concurrent writers from all conflicting on one counter row; the sum of the
//     rows is exact because each delta commits or rolls back with the change it counts.
//     files/logical_bytes: regular inodes with nlink > 0; directories: all (the root included);
//     chunks/chunk_bytes: chunk records with refcount > 0.
//
// Deliberately absent: pins and the transfer queue, which belong to one machine (its local
// store), not to the drive's shared catalog.
#include "catalog/postgres/pg_schema.h"

namespace reel::postgres {

namespace {

constexpr const char* kInitialSchema = R"sql(
CREATE TABLE inodes (
  ino            BIGINT GENERATED BY DEFAULT AS IDENTITY (START WITH 2) PRIMARY KEY,
  type           SMALLINT NOT NULL CHECK (type BETWEEN 1 AND 7),
  mode           INTEGER NOT NULL,
  uid            BIGINT NOT NULL,
  gid            BIGINT NOT NULL,
  nlink          BIGINT NOT NULL CHECK (nlink >= 0),
  size           BIGINT NOT NULL DEFAULT 0,
  atime          BIGINT NOT NULL,
  mtime          BIGINT NOT NULL,
  ctime          BIGINT NOT NULL,
  version        BIGINT NOT NULL DEFAULT 0,
  rdev           BIGINT NOT NULL DEFAULT 0,
  symlink_target BYTEA
);

CREATE TABLE dentries (
  id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  parent BIGINT NOT NULL REFERENCES inodes (ino),
  name   BYTEA NOT NULL,
  child  BIGINT NOT NULL REFERENCES inodes (ino),
  UNIQUE (parent, name)
);
CREATE INDEX dentries_by_parent ON dentries (parent, id);
CREATE INDEX dentries_by_child ON dentries (child, id);

CREATE TABLE versions (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ino         BIGINT NOT NULL REFERENCES inodes (ino),
  number      BIGINT NOT NULL,
  created     BIGINT NOT NULL,
  size        BIGINT NOT NULL,
  kind        SMALLINT NOT NULL,
  message     BYTEA NOT NULL,
  chunk_count BIGINT NOT NULL,
  published   BIGINT NOT NULL DEFAULT 0,
  commit_id   BIGINT NOT NULL DEFAULT 0,
  chunks      BYTEA NOT NULL,
  UNIQUE (ino, number)
);
CREATE INDEX versions_pending_publish ON versions (id) WHERE published = -1;

CREATE TABLE chunks (
  id                 BYTEA PRIMARY KEY CHECK (length(id) = 32),
  size               BIGINT NOT NULL,
  refcount           BIGINT NOT NULL CHECK (refcount >= 0),
  unreferenced_since BIGINT NOT NULL DEFAULT 0,
  tiers              BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX chunks_unreferenced ON chunks (unreferenced_since) WHERE refcount = 0;

CREATE TABLE xattrs (
  ino   BIGINT NOT NULL REFERENCES inodes (ino),
  name  BYTEA NOT NULL,
  value BYTEA NOT NULL,
  PRIMARY KEY (ino, name)
);

CREATE TABLE trash (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ino           BIGINT NOT NULL UNIQUE REFERENCES inodes (ino),
  original_path BYTEA NOT NULL,
  deleted       BIGINT NOT NULL,
  size          BIGINT NOT NULL
);
CREATE INDEX trash_by_deleted ON trash (deleted);

CREATE TABLE chunk_packs (
  chunk       BYTEA NOT NULL CHECK (length(chunk) = 32),
  tier        BIGINT NOT NULL,
  pack        TEXT NOT NULL,
  pack_offset BIGINT NOT NULL CHECK (pack_offset >= 0),
  length      BIGINT NOT NULL CHECK (length >= 0),
  PRIMARY KEY (chunk, tier)
);
CREATE INDEX chunk_packs_by_pack ON chunk_packs (tier, pack, pack_offset);

CREATE TABLE drive_identity (
  id       SMALLINT PRIMARY KEY CHECK (id = 1),
  drive_id TEXT NOT NULL
);

CREATE TABLE stats (
  shard         SMALLINT PRIMARY KEY,
  files         BIGINT NOT NULL DEFAULT 0,
  directories   BIGINT NOT NULL DEFAULT 0,
  logical_bytes BIGINT NOT NULL DEFAULT 0,
  chunks        BIGINT NOT NULL DEFAULT 0,
  chunk_bytes   BIGINT NOT NULL DEFAULT 0,
  versions      BIGINT NOT NULL DEFAULT 0,
  trash_entries BIGINT NOT NULL DEFAULT 0
);
INSERT INTO stats (shard) SELECT generate_series(0, 15);
)sql";

static_assert(kStatsShards == 16, "the initial schema makes shards 0..15");

// Team mode (team/team_directory.h): who may do what in which part of the namespace.
constexpr const char* kTeam = R"sql(
CREATE TABLE users (
  id      BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name    TEXT NOT NULL UNIQUE,
  created BIGINT NOT NULL
);

CREATE TABLE user_groups (
  id      BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name    TEXT NOT NULL UNIQUE,
  created BIGINT NOT NULL
);

CREATE TABLE group_members (
  group_id BIGINT NOT NULL REFERENCES user_groups (id),
  user_id  BIGINT NOT NULL REFERENCES users (id),
  PRIMARY KEY (group_id, user_id)
);

CREATE TABLE tokens (
  id      BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users (id),
  hash    BYTEA NOT NULL UNIQUE,
  created BIGINT NOT NULL,
  expires BIGINT NOT NULL,
  revoked BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX tokens_by_user ON tokens (user_id);

CREATE TABLE workspaces (
  id      BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name    TEXT NOT NULL UNIQUE,
  root    BIGINT NOT NULL UNIQUE REFERENCES inodes (ino),
  home_of BIGINT UNIQUE REFERENCES users (id),
  share   TEXT NOT NULL,
  created BIGINT NOT NULL
);

CREATE TABLE grants (
  workspace_id   BIGINT NOT NULL REFERENCES workspaces (id),
  principal_kind SMALLINT NOT NULL CHECK (principal_kind IN (1, 2)),
  principal_id   BIGINT NOT NULL,
  role           SMALLINT NOT NULL CHECK (role IN (1, 2, 3)),
  PRIMARY KEY (workspace_id, principal_kind, principal_id)
);
CREATE INDEX grants_by_principal ON grants (principal_kind, principal_id);
)sql";

// Requests already applied, by the caller's request id: a retry after a lost reply answers what the
// first attempt did instead of applying twice. `what` names the operation and its arguments (the
// same id for another operation is refused); `result` is what it answered. Kept a day.
constexpr const char* kRequests = R"sql(
CREATE TABLE requests (
  user_id BIGINT NOT NULL REFERENCES users (id),
  id      TEXT NOT NULL,
  what    TEXT NOT NULL,
  result  TEXT NOT NULL,
  created BIGINT NOT NULL,
  PRIMARY KEY (user_id, id)
);
CREATE INDEX requests_by_age ON requests (created);
)sql";

constexpr const char* kEvents = R"sql(
CREATE TABLE event_counter (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  last BIGINT NOT NULL
);
INSERT INTO event_counter (id, last) VALUES (1, 0);
CREATE TABLE events (
  seq          BIGINT PRIMARY KEY,
  time         BIGINT NOT NULL,
  kind         SMALLINT NOT NULL,
  ino          BIGINT NOT NULL,
  type         SMALLINT NOT NULL,
  scope        BYTEA NOT NULL,
  path         BYTEA NOT NULL,
  old_path     BYTEA NOT NULL,
  version      BIGINT NOT NULL,
  version_kind SMALLINT NOT NULL,
  size         BIGINT NOT NULL,
  actor        TEXT NOT NULL
);
CREATE INDEX events_by_scope ON events (scope, seq);
)sql";

constexpr PgMigration kMigrations[] = {
    {1, "catalog: inodes, dentries, versions, chunks, xattrs, trash, packs, identity, stats",
     kInitialSchema},
    {2, "team: users, groups, tokens, workspaces, grants", kTeam},
    {3, "team: applied request ids", kRequests},
    {4, "team: encrypted workspaces' keys", "ALTER TABLE workspaces ADD COLUMN chunk_key BYTEA;"},
    {5, "team: leases of once-only work",
     "CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, token BIGINT NOT NULL, "
     "expires BIGINT NOT NULL);"},
    {6, "change feed: events, numbered at commit", kEvents},
    {7, "change feed: the directories of events' names; the instance that made them",
     "ALTER TABLE events ADD COLUMN parent BIGINT NOT NULL DEFAULT 0, "
     "ADD COLUMN old_parent BIGINT NOT NULL DEFAULT 0, "
     "ADD COLUMN instance TEXT NOT NULL DEFAULT '';"},
    {8, "change feed: how far each forwarder has delivered",
     "CREATE TABLE forward_cursors (name TEXT PRIMARY KEY, seq BIGINT NOT NULL, "
     "updated BIGINT NOT NULL);"},
    {9, "team: each workspace's conflict policy",
     "ALTER TABLE workspaces ADD COLUMN conflict TEXT NOT NULL DEFAULT 'last-writer-wins';"},
    {10, "team: the instances (mounts) of each workspace and how they are",
     "CREATE TABLE instances (name TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users, "
     "workspace_id BIGINT NOT NULL REFERENCES workspaces, host TEXT NOT NULL, "
     "started BIGINT NOT NULL, last_seen BIGINT NOT NULL, online BOOLEAN NOT NULL, "
     "cache_bytes BIGINT NOT NULL, cache_limit BIGINT NOT NULL, transfer_queue BIGINT NOT NULL, "
     "pending_commits BIGINT NOT NULL);"
     "CREATE INDEX instances_by_workspace ON instances (workspace_id);"},
    {11, "team: tasks sent to instances",
     "CREATE TABLE tasks (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
     "instance TEXT NOT NULL REFERENCES instances, kind TEXT NOT NULL, path TEXT NOT NULL, "
     "state TEXT NOT NULL, message TEXT NOT NULL, created_by BIGINT NOT NULL REFERENCES users, "
     "created BIGINT NOT NULL, updated BIGINT NOT NULL);"
     "CREATE INDEX tasks_by_instance ON tasks (instance, state, id);"},
    {12, "team: lock sessions of instances and the file locks held in them",
     "CREATE TABLE lock_sessions (token BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
     "instance TEXT NOT NULL REFERENCES instances, workspace_id BIGINT NOT NULL REFERENCES "
     "workspaces, started BIGINT NOT NULL, expires BIGINT NOT NULL, "
     "request_id TEXT NOT NULL);"
     "CREATE INDEX lock_sessions_by_instance ON lock_sessions (instance);"
     "CREATE TABLE file_locks (session BIGINT NOT NULL REFERENCES lock_sessions ON DELETE "
     "CASCADE, ino BIGINT NOT NULL, flavor SMALLINT NOT NULL, owner BIGINT NOT NULL, "
     "type SMALLINT NOT NULL, first BIGINT NOT NULL, last BIGINT NOT NULL, pid BIGINT NOT NULL, "
     "since BIGINT NOT NULL);"
     "CREATE INDEX file_locks_by_ino ON file_locks (ino);"
     "CREATE INDEX file_locks_by_session ON file_locks (session, ino);"},
    {13, "versions: their authors (what members of an on-publish workspace see)",
     "ALTER TABLE versions ADD COLUMN author TEXT NOT NULL DEFAULT '';"},
    {14, "chunks: the collector's mark on the ones it is deleting",
     "ALTER TABLE chunks ADD COLUMN collecting BIGINT NOT NULL DEFAULT 0;"
     "CREATE INDEX chunks_collecting ON chunks (collecting) WHERE collecting <> 0;"},
};

}  // namespace

std::span<const PgMigration> CatalogMigrations() { return kMigrations; }

}  // namespace reel::postgres
