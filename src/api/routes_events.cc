// The change feed: GET /v1/events?after=N&limit=N&wait=S (catalog_rpc/event_feed.h), paths from
// the drive's root.
#include "api/routes.h"
#include "catalog_rpc/catalog_json.h"

namespace reel::api_internal {

void RegisterEventRoutes(httplib::Server& server, RouteContext& ctx) {
  Get(server, "/v1/events", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {"after", "limit", "wait"}));
    REEL_ASSIGN_OR_RETURN(EventRead read, ParseEventRead(req.params));
    REEL_ASSIGN_OR_RETURN(
        EventPage page,
        ctx.event_waiters->Read([&ctx](const EventQuery& q) { return ctx.drive->ReadEvents(q); },
                                read));
    return nlohmann::json(page);
  });
}

}  // namespace reel::api_internal
