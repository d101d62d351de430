// Team API: a workspace's change feed.
//   GET /v1/workspaces/NAME/events?after=N&limit=N&wait=S   {"events": [...], "newest": N}
// Any member may read it; paths are from the workspace's root (server/workspace_catalog.h). A
// waiting read holds one of the server's request threads until an event comes or S passes: at
// most half of them wait at once (409 busy for more).
#include "catalog_rpc/catalog_json.h"
#include "server/server_routes.h"

namespace reel::server_internal {

void RegisterEventRoutes(httplib::Server& server, ServerContext& ctx) {
  Route(server, ctx, "GET", "/v1/workspaces/([^/]+)/events",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<nlohmann::json> {
          REEL_RETURN_IF_ERROR(http::CheckQuery(req, {"after", "limit", "wait"}));
          REEL_ASSIGN_OR_RETURN(std::string name, NameParam(req, 1, "workspace"));
          REEL_ASSIGN_OR_RETURN(EventRead read, ParseEventRead(req.params));
          REEL_ASSIGN_OR_RETURN(auto member, MemberOf(ctx, name, request.caller));
          const auto& [workspace, role] = member;
          WorkspaceCatalog view(ctx.team->catalog(), workspace, role, *ctx.index);
          REEL_ASSIGN_OR_RETURN(
              EventPage page,
              ctx.event_waiters->Read(
                  [&view](const EventQuery& q) { return view.ReadEvents(q); }, read));
          return nlohmann::json(page);
        });
}

}  // namespace reel::server_internal
