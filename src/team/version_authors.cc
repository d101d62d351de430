// TeamDirectory: who made versions (team_directory.h, VersionAuthors).
#include "catalog/postgres/pg_pool.h"
#include "catalog/postgres/pg_txn.h"
#include "team/team_directory.h"

namespace reel {

using postgres::PgConn;
using postgres::PgRows;

Result<std::map<std::pair<InodeId, uint64_t>, std::string>> TeamDirectory::VersionAuthors(
    const std::vector<std::pair<InodeId, uint64_t>>& versions) {
  std::map<std::pair<InodeId, uint64_t>, std::string> out;
  if (versions.empty()) return out;
  std::vector<int64_t> inos, numbers;
  for (const auto& [ino, number] : versions) {
    inos.push_back(static_cast<int64_t>(ino));
    numbers.push_back(static_cast<int64_t>(number));
  }
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(
        PgRows rows,
        c.Query("SELECT v.ino, v.number, v.author FROM versions v "
                "JOIN unnest($1::bigint[], $2::bigint[]) AS q (ino, number) "
                "ON v.ino = q.ino AND v.number = q.number",
                postgres::IntArray(inos), postgres::IntArray(numbers)));
    out.clear();
    for (int r = 0; r < rows.size(); ++r) out[{rows.U64(r, 0), rows.U64(r, 1)}] = rows.Text(r, 2);
    return Status::Ok();
  }));
  return out;
}

}  // namespace reel
