// Maintenance: POST /v1/gc (the engine's garbage, then orphan packs on the shared tiers),
// POST /v1/fsck, POST /v1/sync, POST /v1/catalog/backup.
#include "api/routes.h"
#include "common/clock.h"
#include "engine/engine.h"
#include "tiers/placement.h"
#include "tiers/tiered_store.h"

namespace reel::api_internal {

void RegisterMaintenanceRoutes(httplib::Server& server, RouteContext& ctx) {
  Post(server, "/v1/gc", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_RETURN_IF_ERROR(BodyObject(req, {}).status());
    REEL_ASSIGN_OR_RETURN(GcReport report, ctx.engine->CollectGarbage());
    if (ctx.placement != nullptr) {
      REEL_ASSIGN_OR_RETURN(OrphanPackReport packs,
                            ctx.placement->CollectOrphanPacks(WallClockNs() - kOrphanPackMinAgeNs));
      report.orphan_packs_deleted = packs.packs_deleted;
      report.orphan_pack_bytes_deleted = packs.bytes_deleted;
    }
    return nlohmann::json(report);
  });

  Post(server, "/v1/fsck", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_RETURN_IF_ERROR(BodyObject(req, {}).status());
    REEL_ASSIGN_OR_RETURN(FsckReport report, ctx.engine->Check());
    return nlohmann::json(report);
  });

  Post(server, "/v1/catalog/backup", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_RETURN_IF_ERROR(BodyObject(req, {}).status());
    if (!ctx.backup_catalog) return Status::NotSupported("this mount makes no catalog backups");
    return ctx.backup_catalog();
  });

  Post(server, "/v1/sync", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_RETURN_IF_ERROR(BodyObject(req, {}).status());
    REEL_RETURN_IF_ERROR(ctx.engine->WaitIdle());
    return nlohmann::json{{"ok", true}};
  });
}

}  // namespace reel::api_internal
