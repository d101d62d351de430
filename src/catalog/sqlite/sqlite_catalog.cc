#include "catalog/sqlite/sqlite_catalog.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "catalog/sqlite/inode_queries.h"
#include "catalog/sqlite/schema_migrations.h"
#include "common/clock.h"
#include "common/names.h"

namespace reel::sqlite {

namespace {

Db::Options WriterOptions() {
  Db::Options o;
  o.cache_kib = 32 * 1024;
  return o;
}

Db::Options ReaderOptions() {
  Db::Options o;
  o.query_only = true;
  o.cache_kib = 8 * 1024;
  return o;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Opening

SqliteCatalog::SqliteCatalog(std::unique_ptr<Db> writer)
    : writer_(std::move(writer)), shared_readers_(!writer_->in_memory()) {}

SqliteCatalog::~SqliteCatalog() = default;

Result<std::unique_ptr<Catalog>> SqliteCatalog::Open(const std::string& path, uint32_t root_uid,
                                                     uint32_t root_gid) {
  REEL_ASSIGN_OR_RETURN(std::unique_ptr<Db> writer, Db::Open(path, WriterOptions()));
  // A damaged file (garbage, truncated, bad pages) is refused before anything writes to it.
  if (!writer->in_memory()) {
    REEL_RETURN_IF_ERROR(writer->QuickCheck().WithContext("catalog " + path + " is damaged"));
  }
  TimeNs now = WallClockNs();
  REEL_RETURN_IF_ERROR(Migrate(*writer, now).status());
  REEL_RETURN_IF_ERROR(writer->Transaction([&]() -> Status {
    Result<Attributes> root = LoadInode(*writer, kRootInode);
    if (root.ok()) return Status::Ok();
    if (root.status().code() != Code::kNotFound) return root.status();
    return writer
        ->Prepare("INSERT INTO inodes (ino, type, mode, uid, gid, nlink, size, atime, mtime, "
                  "ctime, version) VALUES (?1, ?2, ?3, ?4, ?5, 2, 0, ?6, ?6, ?6, 0)")
        .Bind(kRootInode, static_cast<int>(FileType::kDirectory), 0755, root_uid, root_gid, now)
        .Run();
  }));
  return std::unique_ptr<Catalog>(new SqliteCatalog(std::move(writer)));
}

// ---------------------------------------------------------------------------------------------
// Connection plumbing

SqliteCatalog::ReadLease::ReadLease(SqliteCatalog* owner, std::unique_ptr<Db> reader)
    : owner_(owner), reader_(std::move(reader)) {}

SqliteCatalog::ReadLease::ReadLease(SqliteCatalog* owner)
    : owner_(owner), writer_lock_(owner->write_mu_) {}

SqliteCatalog::ReadLease::ReadLease(ReadLease&& other) noexcept
    : owner_(other.owner_),
      reader_(std::move(other.reader_)),
      writer_lock_(std::move(other.writer_lock_)) {}

SqliteCatalog::ReadLease::~ReadLease() {
  if (reader_) owner_->ReleaseReader(std::move(reader_));
}

Result<SqliteCatalog::ReadLease> SqliteCatalog::AcquireReader() {
  if (!shared_readers_) return ReadLease(this);
  {
    std::unique_lock lock(pool_mu_);
    pool_cv_.wait(lock, [&] { return !idle_readers_.empty() || open_readers_ < kMaxReaders; });
    if (!idle_readers_.empty()) {
      std::unique_ptr<Db> db = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReadLease(this, std::move(db));
    }
    ++open_readers_;  // reserve the slot; open outside the lock
  }
  // writer_->path() never changes after construction, so reading it without write_mu_ is safe.
  Result<std::unique_ptr<Db>> opened = Db::Open(writer_->path(), ReaderOptions());
  if (!opened.ok()) {
    {
      std::lock_guard lock(pool_mu_);
      --open_readers_;
    }
    pool_cv_.notify_one();
    return opened.status().WithContext("open reader connection");
  }
  return ReadLease(this, std::move(opened).value());
}

void SqliteCatalog::ReleaseReader(std::unique_ptr<Db> reader) {
  {
    std::lock_guard lock(pool_mu_);
    idle_readers_.push_back(std::move(reader));
  }
  pool_cv_.notify_one();
}

Status SqliteCatalog::Write(const std::function<Status(Db&)>& body) {
  std::lock_guard lock(write_mu_);
  return writer_->Transaction([&] { return body(*writer_); });
}

Status SqliteCatalog::Read(const std::function<Status(Db&)>& body) {
  REEL_ASSIGN_OR_RETURN(ReadLease lease, AcquireReader());
  Db& db = lease.db();
  return db.ReadTransaction([&] { return body(db); });
}

// ---------------------------------------------------------------------------------------------
// Hot reads: one statement each on a reader connection, no transaction round trips.

Result<Attributes> SqliteCatalog::Lookup(InodeId parent, const std::string& name) {
  REEL_RETURN_IF_ERROR(ValidateName(name));
  REEL_ASSIGN_OR_RETURN(ReadLease lease, AcquireReader());
  Db& db = lease.db();
  // One statement (one read transaction) also for a miss, the lookup before every create: the
  // name's node and whether its directory is one.
  bool parent_found = false;
  {
    Stmt st = db.Prepare("SELECT p.type, " REEL_INODE_COLUMNS_I " FROM inodes p "
                         "LEFT JOIN dentries d ON d.parent = p.ino AND d.name = ?2 "
                         "LEFT JOIN inodes i ON i.ino = d.child WHERE p.ino = ?1");
    st.Bind(parent, name);
    REEL_ASSIGN_OR_RETURN(parent_found, st.Step());
    if (parent_found && !st.IsNull(1)) return ReadAttributes(st, 1);
    if (parent_found && static_cast<FileType>(st.Int(0)) == FileType::kDirectory) {
      return Status::NotFound("no entry \"" + name + "\" in directory " + std::to_string(parent));
    }
  }
  // Not a directory, or gone: LoadDirectory says which.
  REEL_RETURN_IF_ERROR(LoadDirectory(db, parent).status());
  return Status::NotFound("no entry \"" + name + "\" in directory " + std::to_string(parent));
}

Result<Attributes> SqliteCatalog::GetAttributes(InodeId ino) {
  REEL_ASSIGN_OR_RETURN(ReadLease lease, AcquireReader());
  return LoadInode(lease.db(), ino);
}

Result<std::vector<DirEntry>> SqliteCatalog::ReadDir(InodeId parent, uint64_t after,
                                                     size_t limit) {
  REEL_ASSIGN_OR_RETURN(ReadLease lease, AcquireReader());
  Db& db = lease.db();
  std::vector<DirEntry> entries;
  if (limit == 0) {
    REEL_RETURN_IF_ERROR(LoadDirectory(db, parent).status());
    return entries;
  }
  {
    // Cookies are dentry ids, which only grow and are never reused: see schema_migrations.cc.
    Stmt st = db.Prepare("SELECT d.id, d.name, " REEL_INODE_COLUMNS_I " FROM dentries d "
                         "JOIN inodes i ON i.ino = d.child "
                         "WHERE d.parent = ?1 AND d.id > ?2 ORDER BY d.id LIMIT ?3");
    st.Bind(parent, after, limit > INT64_MAX ? INT64_MAX : static_cast<int64_t>(limit));
    while (true) {
      REEL_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      DirEntry e;
      e.cookie = st.U64(0);
      e.name = st.Text(1);
      e.attr = ReadAttributes(st, 2);
      entries.push_back(std::move(e));
    }
  }
  // Only a directory has entries; an empty page needs the check to report NotFound/NotDirectory.
  if (entries.empty()) REEL_RETURN_IF_ERROR(LoadDirectory(db, parent).status());
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Whole catalog

Result<CatalogStats> SqliteCatalog::Stats() {
  REEL_ASSIGN_OR_RETURN(ReadLease lease, AcquireReader());
  Stmt st = lease.db().Prepare(
      "SELECT files, directories, logical_bytes, chunks, chunk_bytes, versions, trash_entries "
      "FROM stats WHERE id = 1");
  REEL_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return Status::Corruption("catalog stats row is missing");
  CatalogStats s;
  s.files = st.U64(0);
  s.directories = st.U64(1);
  s.logical_bytes = st.U64(2);
  s.chunks = st.U64(3);
  s.chunk_bytes = st.U64(4);
  s.versions = st.U64(5);
  s.trash_entries = st.U64(6);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Drive identity and backups

Result<std::string> SqliteCatalog::GetDriveId() {
  REEL_ASSIGN_OR_RETURN(ReadLease lease, AcquireReader());
  Stmt st = lease.db().Prepare("SELECT drive_id FROM drive_identity WHERE id = 1");
  REEL_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Text(0) : std::string();
}

Status SqliteCatalog::SetDriveId(const std::string& id) {
  if (id.empty()) return Status::InvalidArgument("empty drive id");
  return Write([&](Db& db) -> Status {
    Stmt st = db.Prepare("SELECT drive_id FROM drive_identity WHERE id = 1");
    REEL_ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) {
      if (st.Text(0) == id) return Status::Ok();
      return Status::AlreadyExists("the catalog belongs to drive " + st.Text(0) + ", not " + id);
    }
    return db.Prepare("INSERT INTO drive_identity (id, drive_id) VALUES (1, ?1)").Bind(id).Run();
  });
}

Status SqliteCatalog::BackupTo(const std::string& path) {
  if (!shared_readers_) {
    std::lock_guard lock(write_mu_);
    return writer_->BackupTo(path);
  }
  // A connection of its own: the copy reads one snapshot without holding up writers or readers.
  REEL_ASSIGN_OR_RETURN(std::unique_ptr<Db> source, Db::Open(writer_->path(), ReaderOptions()));
  return source->BackupTo(path);
}

// Durability. Connections run with synchronous=NORMAL in WAL mode: a commit appends to the WAL
// without fsync, so it survives the process being killed (the data is in the OS page cache) but
// not a machine crash. Sync() makes every transaction committed before it durable by fsyncing
// the WAL file through a descriptor of its own, without write_mu_, so writers go on during the
// fsync (a create does not queue behind a background commit's Sync). That is enough because:
//   - a committed transaction's frames are in the WAL (written before the commit returned), or
//     were checkpointed into the database file, which SQLite fsyncs after a completed
//     checkpoint and before it restarts the WAL from its start;
//   - the WAL is only truncated or restarted in place, never replaced, while the writer
//     connection is open, so the descriptor stays on the live file (its directory entry is
//     made durable when the descriptor is opened).
// With no WAL file yet (nothing written since the last checkpoint that removed it), Sync
// commits one tiny transaction with synchronous=FULL instead, which makes SQLite create and
// fsync it. Chosen over:
//   - that transaction on every Sync (the earlier way): it holds write_mu_ across the fsync;
//   - PRAGMA wal_checkpoint(PASSIVE): skips the WAL fsync entirely when it may not backfill any
//     frame (e.g. a reader still holds an older snapshot), so it does not guarantee durability;
//   - wal_checkpoint(FULL): waits for every reader, stalling the hot read path.
// The descriptor is never closed while a connection is open: closing any descriptor of a file
// drops the process's fcntl locks on it (SQLite locks the database and -shm files, not the WAL).
Result<int> SqliteCatalog::WalFd() {
  std::lock_guard lock(wal_fd_mu_);
  if (wal_fd_.valid()) return wal_fd_.get();
  const std::string path = writer_->path() + "-wal";
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return -1;
    return Status::FromErrno(errno, "open " + path);
  }
  REEL_RETURN_IF_ERROR(FsyncDir(DirName(path)));
  wal_fd_ = std::move(fd);
  return wal_fd_.get();
}

Status SqliteCatalog::Sync() {
  if (writer_->in_memory()) return Status::Ok();
  REEL_ASSIGN_OR_RETURN(int fd, WalFd());
  if (fd >= 0) {
    if (::fdatasync(fd) != 0) return Status::FromErrno(errno, "catalog sync");
    return Status::Ok();
  }
  std::lock_guard lock(write_mu_);
  REEL_RETURN_IF_ERROR(writer_->Exec("PRAGMA synchronous = FULL"));
  Status s = writer_->Transaction([&] {
    return writer_->Prepare("UPDATE meta SET value = value + 1 WHERE key = 'sync_count'").Run();
  });
  Status back = writer_->Exec("PRAGMA synchronous = NORMAL");
  if (!s.ok()) return s.WithContext("catalog sync");
  return back;
}

}  // namespace reel::sqlite
