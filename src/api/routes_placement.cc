// Where bytes live: POST /v1/publish, /v1/hydrate, /v1/evict, /v1/pin, /v1/save-tier;
// GET /v1/placement (per-tier bytes of a file or directory); GET /v1/transfers,
// POST /v1/transfers/pause, /v1/transfers/resume.
#include "api/routes.h"
#include "service/placement_json.h"
#include "tiers/placement.h"
#include "tiers/transfer_engine.h"

namespace reel {
namespace api_internal {
namespace {

// POST {path} -> the service's `action` on it -> PlacementResult and the path.
void PathAction(httplib::Server& server, RouteContext& ctx, const std::string& route,
                PlaceAction action) {
  Post(server, route, [&ctx, action](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(nlohmann::json body, BodyObject(req, {"path"}));
    REEL_ASSIGN_OR_RETURN(std::string path, StringField(body, "path"));
    REEL_ASSIGN_OR_RETURN(PlacementResult r, ctx.drive->Place(action, path));
    nlohmann::json out = r;
    out["path"] = EchoedPath(path);
    return out;
  });
}

}  // namespace

void RegisterPlacementRoutes(httplib::Server& server, RouteContext& ctx) {
  PathAction(server, ctx, "/v1/publish", PlaceAction::kPublish);
  PathAction(server, ctx, "/v1/hydrate", PlaceAction::kHydrate);
  PathAction(server, ctx, "/v1/evict", PlaceAction::kEvict);
  PathAction(server, ctx, "/v1/pin", PlaceAction::kPin);
  PathAction(server, ctx, "/v1/unpin", PlaceAction::kUnpin);
  PathAction(server, ctx, "/v1/save-tier", PlaceAction::kSaveToWorkingTier);

  Get(server, "/v1/placement", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_ASSIGN_OR_RETURN(std::string path, PathQuery(req));
    REEL_ASSIGN_OR_RETURN(TierUsage usage, ctx.drive->Usage(path));
    nlohmann::json out = usage;
    out["path"] = EchoedPath(path);
    return out;
  });

  Get(server, "/v1/transfers", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(TransferProgress p, ctx.drive->Transfers());
    return nlohmann::json(p);
  });
  Post(server, "/v1/transfers/pause", [&ctx](const httplib::Request&) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(ctx.drive->PauseTransfers());
    return nlohmann::json{{"paused", true}};
  });
  Post(server, "/v1/transfers/resume", [&ctx](const httplib::Request&) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(ctx.drive->ResumeTransfers());
    return nlohmann::json{{"paused", false}};
  });
}

}  // namespace api_internal
}  // namespace reel
