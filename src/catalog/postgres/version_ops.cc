// File versions of the PostgreSQL catalog.
#include "catalog/postgres/postgres_catalog.h"

#include <unordered_map>

namespace reel::postgres {

namespace {

#define REEL_PG_VERSION_COLUMNS \
  "number, created, size, kind, message, chunk_count, published, commit_id, id, author"

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
  v.author = rows.Text(r, 9);
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
    const std::vector<uint8_t> blob = rows.Bytea(0, 10);
    REEL_ASSIGN_OR_RETURN(out.chunks, DecodeChunkList(blob, out.info.chunk_count));
    return out;
  });
}

Result<std::vector<std::optional<VersionInfo>>> PostgresCatalog::NewestSharedVersions(
    const std::vector<InodeId>& inos, const std::string& author) {
  std::vector<std::optional<VersionInfo>> out(inos.size());
  if (inos.empty()) return out;
  std::vector<int64_t> ids(inos.begin(), inos.end());
  // One row per file, through the (ino, number) index from the newest version down.
  REEL_ASSIGN_OR_RETURN(
      PgRows rows,
      QueryOnce("SELECT DISTINCT ON (ino) " REEL_PG_VERSION_COLUMNS
                ", ino FROM versions WHERE ino = ANY($1::bigint[]) AND kind <> $2 AND "
                "(published > 0 OR author = $3) ORDER BY ino, number DESC",
                IntArray(ids), static_cast<int>(VersionKind::kRejected), author));
  std::unordered_map<InodeId, VersionInfo> by_ino;
  for (int r = 0; r < rows.size(); ++r) by_ino[rows.U64(r, 10)] = ReadVersionInfo(rows, r);
  for (size_t i = 0; i < inos.size(); ++i) {
    auto it = by_ino.find(inos[i]);
    if (it != by_ino.end()) out[i] = it->second;
  }
  return out;
}

}  // namespace reel::postgres
