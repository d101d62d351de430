// Team API: who the caller is.
//   GET /v1/me      {"user":"alice","id":1,"created_ns":...}
#include "server/server_routes.h"

namespace reel::server_internal {

using nlohmann::json;

void RegisterAccountRoutes(httplib::Server& server, ServerContext& ctx) {
  Route(server, ctx, "GET", "/v1/me",
        [](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    return json{{"user", request.caller.name},
                {"id", request.caller.id},
                {"created_ns", request.caller.created}};
  });
}

}  // namespace reel::server_internal
