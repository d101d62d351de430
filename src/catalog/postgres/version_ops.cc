// File versions of the PostgreSQL catalog.
#include "catalog/postgres/postgres_catalog.h"

namespace reel::postgres {

namespace {

#define REEL_PG_VERSION_COLUMNS \
  "number, created, size, kind, message, chunk_count, published, commit_id, id"

VersionInfo ReadVersionInfo(const PgRows& rows, int r) {
  VersionInfo v;
  v.number = rows.U64(r, 0);
  v.created = rows.Int(r, 1);
  v.size = rows.U64(r, 2);
  v.kind = static_cast<VersionKind>(rows.Int(r, 3));
  v.message = rows.ByteaString(r, 4);
  v.chunk_count = static_cast<uint32_t>(rows.Int(r, 5));
  v.published = rows.Int(r, 6);
  v.commit_id = rows.U64(r, 7);
  v.id = rows.U64(r, 8);
  return v;
}

}  // namespace

Result<VersionInfo> PostgresCatalog::CommitVersion(InodeId ino, const NewVersion& v, TimeNs now) {
  REEL_ASSIGN_OR_RETURN(const ChunkUses uses, CheckNewVersion(v));
  return WriteFor<VersionInfo>([&](PgTxn& tx) { return CommitVersionIn(tx, ino, v, uses, now); });
}

Result<std::vector<VersionInfo>> PostgresCatalog::ListVersions(InodeId ino) {
  return ReadFor<std::vector<VersionInfo>>([&](PgConn& c) -> Result<std::vector<VersionInfo>> {
    REEL_RETURN_IF_ERROR(LoadInode(c, ino).status());
    REEL_ASSIGN_OR_RETURN(PgRows rows, c.Query("SELECT " REEL_PG_VERSION_COLUMNS
                                               " FROM versions WHERE ino = $1 ORDER BY number",
                                               ino));
    return MapRows(rows, ReadVersionInfo);
  });
}

Result<Version> PostgresCatalog::GetVersion(InodeId ino, uint64_t number) {
  return ReadFor<Version>([&](PgConn& c) -> Result<Version> {
    REEL_ASSIGN_OR_RETURN(Attributes attr, LoadInode(c, ino));
    const uint64_t wanted = number != 0 ? number : attr.version;
    if (wanted == 0) return Status::NotFound("inode " + std::to_string(ino) + " has no version");
    REEL_ASSIGN_OR_RETURN(PgRows rows,
                          c.Query("SELECT " REEL_PG_VERSION_COLUMNS
                                  ", chunks FROM versions WHERE ino = $1 AND number = $2",
                                  ino, wanted));
    if (rows.empty()) return NoSuchVersion(ino, wanted);
    Version out;
    out.info = ReadVersionInfo(rows, 0);
    const std::vector<uint8_t> blob = rows.Bytea(0, 9);
    REEL_ASSIGN_OR_RETURN(out.chunks, DecodeChunkList(blob, out.info.chunk_count));
    return out;
  });
}

}  // namespace reel::postgres
