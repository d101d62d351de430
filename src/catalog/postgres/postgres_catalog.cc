#include "catalog/postgres/postgres_catalog.h"

#include "catalog/postgres/pg_schema.h"
#include "common/clock.h"
#include "common/names.h"

namespace reel::postgres {

// ---------------------------------------------------------------------------------------------
// Opening

PostgresCatalog::~PostgresCatalog() = default;

Result<std::unique_ptr<Catalog>> PostgresCatalog::Open(const std::string& uri, uint32_t root_uid,
                                                       uint32_t root_gid) {
  REEL_ASSIGN_OR_RETURN(std::unique_ptr<PgPool> pool, PgPool::Open(uri, PgPool::Options{}));
  const std::string where = "PostgreSQL catalog " + pool->target().ToString();
  REEL_RETURN_IF_ERROR(ApplyPgMigrations(*pool, CatalogMigrations()).WithContext(where));
  PgPool* raw = pool.get();
  std::unique_ptr<PostgresCatalog> catalog(new PostgresCatalog(std::move(pool), raw, nullptr));
  const TimeNs now = WallClockNs();
  REEL_RETURN_IF_ERROR(
      catalog->Write([&](PgTxn& tx) { return tx.EnsureRoot(root_uid, root_gid, now); })
          .WithContext(where));
  return std::unique_ptr<Catalog>(std::move(catalog));
}

// ---------------------------------------------------------------------------------------------
// Transactions

std::unique_ptr<Catalog> PostgresCatalog::OnPool(PgPool& pool) {
  return std::unique_ptr<Catalog>(new PostgresCatalog(nullptr, &pool, nullptr));
}

std::unique_ptr<Catalog> PostgresCatalog::InTransaction(PgPool& pool, PgConn& conn,
                                                        EventOrigin origin) {
  return std::unique_ptr<Catalog>(new PostgresCatalog(nullptr, &pool, &conn, std::move(origin)));
}

Status PostgresCatalog::Write(const std::function<Status(PgTxn&)>& body) {
  if (bound_ != nullptr) {
    PgTxn tx(*bound_, origin_);
    REEL_RETURN_IF_ERROR(body(tx));
    return tx.Finish();
  }
  return pool_->Transaction([&](PgConn& c) -> Status {
    PgTxn tx(c, origin_);
    REEL_RETURN_IF_ERROR(body(tx));
    return tx.Finish();
  });
}

Status PostgresCatalog::Read(const std::function<Status(PgConn&)>& body) {
  if (bound_ != nullptr) return body(*bound_);
  return pool_->Transaction(body);
}

// ---------------------------------------------------------------------------------------------
// Hot reads: one statement each.

Result<Attributes> PostgresCatalog::Lookup(InodeId parent, const std::string& name) {
  REEL_RETURN_IF_ERROR(ValidateName(name));
  // The parent's type comes along, so a miss says why without a second round trip.
  REEL_ASSIGN_OR_RETURN(PgRows rows,
                        QueryOnce("SELECT p.type, " REEL_PG_INODE_COLUMNS_I " FROM inodes p "
                                  "LEFT JOIN dentries d ON d.parent = p.ino AND d.name = $2 "
                                  "LEFT JOIN inodes i ON i.ino = d.child WHERE p.ino = $1",
                                  parent, AsBytes(name)));
  if (rows.empty()) return Status::NotFound("no inode " + std::to_string(parent));
  Attributes dir;
  dir.ino = parent;
  dir.type = static_cast<FileType>(rows.Int(0, 0));
  REEL_RETURN_IF_ERROR(CheckDirectory(dir));
  if (rows.IsNull(0, 1)) {
    return Status::NotFound("no entry \"" + name + "\" in directory " + std::to_string(parent));
  }
  return ReadAttributes(rows, 0, 1);
}

Result<Attributes> PostgresCatalog::GetAttributes(InodeId ino) {
  return OnConnection([&](PgConn& c) { return LoadInode(c, ino); });
}

Result<std::vector<DirEntry>> PostgresCatalog::ReadDir(InodeId parent, uint64_t after,
                                                       size_t limit) {
  std::vector<DirEntry> entries;
  if (limit > 0) {
    // Cookies are dentry ids, which only grow and are never reused: see pg_schema.cc.
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        QueryOnce("SELECT d.id, d.name, " REEL_PG_INODE_COLUMNS_I " FROM dentries d "
                  "JOIN inodes i ON i.ino = d.child "
                  "WHERE d.parent = $1 AND d.id > $2 ORDER BY d.id LIMIT $3",
                  parent, after, limit > INT64_MAX ? INT64_MAX : static_cast<int64_t>(limit)));
    for (int r = 0; r < rows.size(); ++r) {
      DirEntry e;
      e.cookie = rows.U64(r, 0);
      e.name = rows.ByteaString(r, 1);
      e.attr = ReadAttributes(rows, r, 2);
      entries.push_back(std::move(e));
    }
  }
  // Only a directory has entries; an empty page needs the check to report NotFound/NotDirectory.
  if (entries.empty()) {
    REEL_ASSIGN_OR_RETURN(Attributes dir,
                          OnConnection([&](PgConn& c) { return LoadInode(c, parent); }));
    REEL_RETURN_IF_ERROR(CheckDirectory(dir));
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Whole catalog

Result<CatalogStats> PostgresCatalog::Stats() {
  REEL_ASSIGN_OR_RETURN(
      PgRows rows,
      QueryOnce("SELECT count(*), coalesce(sum(files), 0), coalesce(sum(directories), 0), "
                "coalesce(sum(logical_bytes), 0), coalesce(sum(chunks), 0), "
                "coalesce(sum(chunk_bytes), 0), coalesce(sum(versions), 0), "
                "coalesce(sum(trash_entries), 0) FROM stats"));
  if (rows.Int(0, 0) != kStatsShards) {
    return Status::Corruption("the catalog's stats table has " + rows.Text(0, 0) + " rows, not " +
                              std::to_string(kStatsShards));
  }
  CatalogStats s;
  s.files = rows.U64(0, 1);
  s.directories = rows.U64(0, 2);
  s.logical_bytes = rows.U64(0, 3);
  s.chunks = rows.U64(0, 4);
  s.chunk_bytes = rows.U64(0, 5);
  s.versions = rows.U64(0, 6);
  s.trash_entries = rows.U64(0, 7);
  return s;
}

// A transaction that committed is durable on the server (as durable as the server is set up to
// make it): nothing is left to flush here.
Status PostgresCatalog::Sync() { return Status::Ok(); }

// ---------------------------------------------------------------------------------------------
// Drive identity and backups

Result<std::string> PostgresCatalog::GetDriveId() {
  REEL_ASSIGN_OR_RETURN(PgRows rows, QueryOnce("SELECT drive_id FROM drive_identity WHERE id = 1"));
  return rows.empty() ? std::string() : rows.Text(0, 0);
}

Status PostgresCatalog::SetDriveId(const std::string& id) {
  if (id.empty()) return Status::InvalidArgument("empty drive id");
  return Write([&](PgTxn& tx) -> Status {
    // Inserts the id, or leaves the one already there and returns it.
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        tx.conn().Query("INSERT INTO drive_identity (id, drive_id) VALUES (1, $1) "
                        "ON CONFLICT (id) DO UPDATE SET drive_id = drive_identity.drive_id "
                        "RETURNING drive_id",
                        id));
    const std::string bound = rows.Text(0, 0);
    if (bound == id) return Status::Ok();
    return Status::AlreadyExists("the catalog belongs to drive " + bound + ", not " + id);
  });
}

Status PostgresCatalog::BackupTo(const std::string& path) {
  return Status::NotSupported(
      "a PostgreSQL catalog is not backed up to a file by ReelDrive: back up its database with "
      "the server's tools, e.g. pg_dump --format=custom --dbname=" +
      pool_->target().dbname + " --file=" + path);
}

}  // namespace reel::postgres
