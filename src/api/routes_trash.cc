// The trash: GET /v1/trash, POST /v1/trash/restore.
#include "api/routes.h"

namespace reel::api_internal {

void RegisterTrashRoutes(httplib::Server& server, RouteContext& ctx) {
  Get(server, "/v1/trash", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(std::vector<TrashEntry> entries, ctx.drive->Trash());
    return nlohmann::json{{"entries", entries}};
  });

  Post(server, "/v1/trash/restore", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(nlohmann::json body, BodyObject(req, {"id", "path"}));
    REEL_ASSIGN_OR_RETURN(uint64_t id, PositiveField(body, "id"));
    static const std::string kEmpty;
    REEL_ASSIGN_OR_RETURN(std::string path, StringField(body, "path", &kEmpty));
    REEL_ASSIGN_OR_RETURN(TrashRestoreResult result, ctx.drive->RestoreFromTrash(id, path));
    return nlohmann::json(result);
  });
}

}  // namespace reel::api_internal
