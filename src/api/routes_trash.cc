// The trash: GET /v1/trash, POST /v1/trash/restore.
#include "api/routes.h"
#include "engine/engine.h"

namespace reel::api_internal {

void RegisterTrashRoutes(httplib::Server& server, RouteContext& ctx) {
  Get(server, "/v1/trash", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(std::vector<TrashEntry> entries, ctx.engine->ListTrash());
    return nlohmann::json{{"entries", entries}};
  });

  Post(server, "/v1/trash/restore", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(nlohmann::json body, BodyObject(req, {"id", "path"}));
    REEL_ASSIGN_OR_RETURN(uint64_t id, PositiveField(body, "id"));
    static const std::string kEmpty;
    REEL_ASSIGN_OR_RETURN(std::string raw, StringField(body, "path", &kEmpty));
    std::string path;
    if (!raw.empty()) {
      REEL_ASSIGN_OR_RETURN(path, ValidatePath(raw));
      if (path.empty()) return Status::InvalidArgument("cannot restore a file to the drive root");
    } else {
      // Restored to where it was deleted from; look it up so the answer can say where.
      REEL_ASSIGN_OR_RETURN(std::vector<TrashEntry> entries, ctx.engine->ListTrash());
      for (const auto& e : entries) {
        if (e.id == id) path = e.original_path;
      }
    }
    REEL_ASSIGN_OR_RETURN(Attributes attr, ctx.engine->RestoreFromTrash(id, raw.empty() ? "" : path));
    TrashRestoreResult result;
    result.path = path;
    result.attr = attr;
    return nlohmann::json(result);
  });
}

}  // namespace reel::api_internal
