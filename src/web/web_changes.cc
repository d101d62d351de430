// What the web app changes besides versions: folders, deletes (into the trash), moves, the
// trash and its restore; and the change feed it follows to show other people's changes live.
#include <nlohmann/json.hpp>

#include "catalog_rpc/catalog_json.h"
#include "catalog_rpc/event_feed.h"
#include "http/json_http.h"
#include "service/drive_service.h"
#include "web/web_internal.h"

namespace reel::web_internal {

using nlohmann::json;

void RegisterChangeRoutes(httplib::Server& server, const WebContext& ctx) {
  JsonRoute(server, "POST", "/v1/workspaces/([^/]+)/folders",
            [&ctx](const httplib::Request& req) -> Result<json> {
              REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
              REEL_ASSIGN_OR_RETURN(json body, http::BodyObject(req, {"path"}));
              REEL_ASSIGN_OR_RETURN(std::string path, http::StringField(body, "path"));
              REEL_ASSIGN_OR_RETURN(Attributes a, ctx.drive->MakeFolder(path));
              return EntryAt(path, a);
            });
  JsonRoute(server, "POST", "/v1/workspaces/([^/]+)/delete",
            [&ctx](const httplib::Request& req) -> Result<json> {
              REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
              REEL_ASSIGN_OR_RETURN(json body, http::BodyObject(req, {"path"}));
              REEL_ASSIGN_OR_RETURN(std::string path, http::StringField(body, "path"));
              REEL_ASSIGN_OR_RETURN(DeleteReport r, ctx.drive->Delete(path));
              return json{{"trashed", r.trashed}, {"removed", r.removed}};
            });
  JsonRoute(server, "POST", "/v1/workspaces/([^/]+)/move",
            [&ctx](const httplib::Request& req) -> Result<json> {
              REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
              REEL_ASSIGN_OR_RETURN(json body, http::BodyObject(req, {"from", "to"}));
              REEL_ASSIGN_OR_RETURN(std::string from, http::StringField(body, "from"));
              REEL_ASSIGN_OR_RETURN(std::string to, http::StringField(body, "to"));
              REEL_ASSIGN_OR_RETURN(Attributes a, ctx.drive->Move(from, to));
              return EntryAt(to, a);
            });
  JsonRoute(server, "GET", "/v1/workspaces/([^/]+)/trash",
            [&ctx](const httplib::Request& req) -> Result<json> {
              REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
              REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
              REEL_ASSIGN_OR_RETURN(std::vector<TrashEntry> entries, ctx.drive->Trash());
              return json{{"entries", entries}};
            });
  JsonRoute(server, "POST", "/v1/workspaces/([^/]+)/trash/restore",
            [&ctx](const httplib::Request& req) -> Result<json> {
              REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
              REEL_ASSIGN_OR_RETURN(json body, http::BodyObject(req, {"id", "path"}));
              REEL_ASSIGN_OR_RETURN(uint64_t id, http::PositiveField(body, "id"));
              const std::string none;
              REEL_ASSIGN_OR_RETURN(std::string path, http::StringField(body, "path", &none));
              REEL_ASSIGN_OR_RETURN(TrashRestoreResult r, ctx.drive->RestoreFromTrash(id, path));
              return json{{"path", r.path}, {"attr", r.attr}};
            });
  // The change feed, as the team server's (catalog_rpc/event_feed.h): a read waits up to `wait`
  // seconds for the next change.
  JsonRoute(server, "GET", "/v1/workspaces/([^/]+)/events",
            [&ctx](const httplib::Request& req) -> Result<json> {
              REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
              REEL_RETURN_IF_ERROR(http::CheckQuery(req, {"after", "limit", "wait"}));
              REEL_ASSIGN_OR_RETURN(EventRead read, ParseEventRead(req.params));
              REEL_ASSIGN_OR_RETURN(
                  EventPage page,
                  ctx.event_waiters->Read(
                      [&ctx](const EventQuery& q) { return ctx.drive->ReadEvents(q); }, read,
                      std::chrono::milliseconds(250)));
              return json(page);
            });
}

}  // namespace reel::web_internal
