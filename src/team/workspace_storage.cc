// TeamDirectory: what a workspace stores, and where (team_directory.h, WorkspaceStorage).
#include "catalog/postgres/pg_pool.h"
#include "catalog/types.h"
#include "team/team_directory.h"

namespace reel {

using postgres::PgConn;
using postgres::PgRows;

// One read: the workspace's tree (its root's descendants, each once however many names it
// has) and its entries in the trash (their paths start with the workspace's directory); every
// version of those; the distinct chunks of those versions, cut out of each version's chunk list
// (catalog/chunk_list.h: 36-byte records, a 32-byte id first), and their records' sizes and
// tiers. Holes (zeros stored nowhere) have no record, so they count nowhere.
Result<WorkspaceStorage> TeamDirectory::StorageOf(const Workspace& w) {
  const std::string prefix = w.name + "/";
  WorkspaceStorage out;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        c.Query("WITH RECURSIVE tree(ino) AS (SELECT $1::bigint UNION "
                "  SELECT d.child FROM dentries d JOIN tree t ON d.parent = t.ino), "
                "held AS (SELECT ino FROM tree UNION "
                "  SELECT ino FROM trash WHERE substring(original_path FROM 1 FOR $3::int) = $2), "
                "ids AS (SELECT DISTINCT substring(v.chunks FROM (g * 36 + 1)::int FOR 32) AS id "
                "  FROM versions v JOIN held h ON h.ino = v.ino "
                "  CROSS JOIN LATERAL generate_series(0, v.chunk_count - 1) g), "
                "used AS (SELECT c.size, c.tiers FROM ids JOIN chunks c ON c.id = ids.id) "
                "SELECT (SELECT count(*) FROM inodes i JOIN tree t ON t.ino = i.ino "
                "          WHERE i.type = 1), "
                "  (SELECT coalesce(sum(i.size), 0) FROM inodes i JOIN tree t ON t.ino = i.ino "
                "          WHERE i.type = 1), "
                "  (SELECT count(*) FROM versions v JOIN held h ON h.ino = v.ino), "
                "  (SELECT count(*) FROM used), (SELECT coalesce(sum(size), 0) FROM used), "
                "  (SELECT count(*) FROM used WHERE tiers & $4 <> 0), "
                "  (SELECT coalesce(sum(size), 0) FROM used WHERE tiers & $4 <> 0), "
                "  (SELECT count(*) FROM used WHERE tiers & $5 <> 0), "
                "  (SELECT coalesce(sum(size), 0) FROM used WHERE tiers & $5 <> 0)",
                w.root, postgres::AsBytes(prefix), static_cast<int64_t>(prefix.size()),
                static_cast<int64_t>(kTierEdge), static_cast<int64_t>(kTierCloud)));
    out.files = rows.U64(0, 0);
    out.bytes = rows.U64(0, 1);
    out.versions = rows.U64(0, 2);
    out.chunks = rows.U64(0, 3);
    out.chunk_bytes = rows.U64(0, 4);
    out.edge = {rows.U64(0, 5), rows.U64(0, 6)};
    out.cloud = {rows.U64(0, 7), rows.U64(0, 8)};
    return Status::Ok();
  }));
  return out;
}

}  // namespace reel
