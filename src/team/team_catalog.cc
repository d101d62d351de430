// TeamDirectory: changes to the team's namespace, each committed with the record of its request.
#include "catalog/postgres/pg_pool.h"
#include "catalog/postgres/postgres_catalog.h"
#include "team/team_directory.h"
#include "team/team_queries.h"

namespace reel {

Result<std::string> TeamDirectory::ChangeCatalog(
    const TeamRequest& request, const std::string& what,
    const std::function<Result<std::string>(Catalog&, const LockFence&)>& change) {
  std::string answer;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](postgres::PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(std::optional<std::string> applied,
                          team::AppliedRequestIn(c, request, what));
    if (applied) {
      answer = std::move(*applied);
      return Status::Ok();
    }
    std::unique_ptr<Catalog> in_txn = postgres::PostgresCatalog::InTransaction(
        *pool_, c, {request.caller.name, request.instance});
    const LockFence fence = [&](uint64_t token) {
      return team::LockFenceLiveIn(c, token, request.instance, request.now);
    };
    REEL_ASSIGN_OR_RETURN(answer, change(*in_txn, fence));
    return team::RecordRequestIn(c, request, what, answer);
  }));
  return answer;
}

}  // namespace reel
