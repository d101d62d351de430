// Maintenance: POST /v1/gc, POST /v1/fsck, POST /v1/sync, POST /v1/catalog/backup.
#include "api/routes.h"

namespace reel::api_internal {

void RegisterMaintenanceRoutes(httplib::Server& server, RouteContext& ctx) {
  Post(server, "/v1/gc", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_RETURN_IF_ERROR(BodyObject(req, {}).status());
    REEL_ASSIGN_OR_RETURN(GcReport report, ctx.drive->CollectGarbage());
    return nlohmann::json(report);
  });

  Post(server, "/v1/fsck", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_RETURN_IF_ERROR(BodyObject(req, {}).status());
    REEL_ASSIGN_OR_RETURN(FsckReport report, ctx.drive->Check());
    return nlohmann::json(report);
  });

  Post(server, "/v1/catalog/backup", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_RETURN_IF_ERROR(BodyObject(req, {}).status());
    return ctx.drive->BackupCatalog();
  });

  Post(server, "/v1/sync", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_RETURN_IF_ERROR(BodyObject(req, {}).status());
    REEL_RETURN_IF_ERROR(ctx.drive->Sync());
    return nlohmann::json{{"ok", true}};
  });
}

}  // namespace reel::api_internal
