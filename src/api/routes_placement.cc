// Where bytes live: POST /v1/publish, /v1/hydrate, /v1/evict, /v1/pin, /v1/save-tier;
// GET /v1/placement (per-tier bytes of a file or directory); GET /v1/transfers,
// POST /v1/transfers/pause, /v1/transfers/resume.
#include "api/routes.h"
#include "tiers/placement.h"
#include "tiers/transfer_engine.h"

namespace reel {

void to_json(nlohmann::json& j, const PlacementResult& r) {
  j = nlohmann::json{{"files", r.files}, {"chunks", r.chunks}, {"bytes", r.bytes}};
}

void to_json(nlohmann::json& j, const TierUsage& u) {
  j = nlohmann::json{{"files", u.files},
                     {"chunks", u.chunks},
                     {"total_bytes", u.total_bytes},
                     {"local_bytes", u.local_bytes},
                     {"edge_bytes", u.edge_bytes},
                     {"cloud_bytes", u.cloud_bytes},
                     {"pinned_files", u.pinned_files},
                     {"published_files", u.published_files},
                     {"publishing_files", u.publishing_files}};
}

namespace api_internal {
namespace {

Result<Placement*> NeedPlacement(RouteContext& ctx) {
  if (ctx.placement == nullptr || ctx.transfers == nullptr) {
    return Status::NotSupported("this mount has no tier controls");
  }
  return ctx.placement;
}

// POST {path} -> op(ino) -> PlacementResult. With `commit_first`, files closed before the
// request are committed first (as by `reel sync`), so `cp x /mnt && reel publish /mnt/x` publishes
// what was just written, not the version before it.
void PathAction(httplib::Server& server, RouteContext& ctx, const std::string& route,
                std::function<Result<PlacementResult>(Placement&, InodeId)> op,
                bool commit_first = false) {
  Post(server, route, [&ctx, op, commit_first](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(Placement * placement, NeedPlacement(ctx));
    REEL_ASSIGN_OR_RETURN(nlohmann::json body, BodyObject(req, {"path"}));
    REEL_ASSIGN_OR_RETURN(std::string raw, StringField(body, "path"));
    REEL_ASSIGN_OR_RETURN(std::string path, ValidatePath(raw));
    REEL_ASSIGN_OR_RETURN(InodeId ino, ResolvePath(ctx, path));
    if (commit_first) REEL_RETURN_IF_ERROR(ctx.engine->WaitIdle());
    REEL_ASSIGN_OR_RETURN(PlacementResult r, op(*placement, ino));
    nlohmann::json out = r;
    out["path"] = path;
    return out;
  });
}

}  // namespace

void RegisterPlacementRoutes(httplib::Server& server, RouteContext& ctx) {
  PathAction(
      server, ctx, "/v1/publish", [](Placement& p, InodeId ino) { return p.Publish(ino); }, true);
  PathAction(server, ctx, "/v1/hydrate", [](Placement& p, InodeId ino) { return p.Hydrate(ino); });
  PathAction(server, ctx, "/v1/evict", [](Placement& p, InodeId ino) { return p.Evict(ino); });
  PathAction(server, ctx, "/v1/pin", [](Placement& p, InodeId ino) { return p.Pin(ino, true); });
  PathAction(server, ctx, "/v1/unpin", [](Placement& p, InodeId ino) { return p.Pin(ino, false); });
  PathAction(
      server, ctx, "/v1/save-tier",
      [](Placement& p, InodeId ino) { return p.SaveToWorkingTier(ino); }, true);

  Get(server, "/v1/placement", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_ASSIGN_OR_RETURN(Placement * placement, NeedPlacement(ctx));
    REEL_ASSIGN_OR_RETURN(std::string path, PathQuery(req));
    REEL_ASSIGN_OR_RETURN(InodeId ino, ResolvePath(ctx, path));
    REEL_ASSIGN_OR_RETURN(TierUsage usage, placement->Usage(ino));
    nlohmann::json out = usage;
    out["path"] = path;
    return out;
  });

  Get(server, "/v1/transfers", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_RETURN_IF_ERROR(NeedPlacement(ctx).status());
    REEL_ASSIGN_OR_RETURN(TransferProgress p, ctx.transfers->Progress());
    return nlohmann::json{{"paused", p.paused},
                          {"queued", p.queue.queued},
                          {"running", p.queue.running},
                          {"waiting_retry", p.queue.waiting_retry},
                          {"bytes_pending", p.queue.bytes_pending},
                          {"completed", p.completed},
                          {"completed_bytes", p.completed_bytes},
                          {"failures", p.failures},
                          {"last_error", p.last_error}};
  });
  Post(server, "/v1/transfers/pause", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(NeedPlacement(ctx).status());
    ctx.transfers->Pause();
    return nlohmann::json{{"paused", true}};
  });
  Post(server, "/v1/transfers/resume", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(NeedPlacement(ctx).status());
    ctx.transfers->Resume();
    return nlohmann::json{{"paused", false}};
  });
}

}  // namespace api_internal
}  // namespace reel
