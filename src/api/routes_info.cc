// GET /v1/info, GET /v1/counters, POST /v1/unmount, POST /v1/web.
#include "api/routes.h"

namespace reel::api_internal {

void RegisterInfoRoutes(httplib::Server& server, RouteContext& ctx) {
  Get(server, "/v1/info", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    return nlohmann::json(ctx.info);
  });

  Get(server, "/v1/counters", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    return nlohmann::json(ctx.drive->Counters());
  });

  Post(server, "/v1/unmount", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_RETURN_IF_ERROR(BodyObject(req, {}).status());
    if (!ctx.on_unmount) return Status::NotSupported("this server cannot unmount its drive");
    // The mount finishes its commits and exits on its own thread; the caller waits for the
    // process to exit.
    REEL_RETURN_IF_ERROR(ctx.on_unmount());
    return nlohmann::json{{"ok", true}};
  });

  Post(server, "/v1/web", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(nlohmann::json body, BodyObject(req, {"listen"}));
    const std::string none;
    REEL_ASSIGN_OR_RETURN(std::string listen, StringField(body, "listen", &none));
    if (!ctx.on_web) return Status::NotSupported("this mount does not serve the web app");
    REEL_ASSIGN_OR_RETURN(WebLink link, ctx.on_web(listen));
    return nlohmann::json{{"url", link.url}, {"origin", link.origin}, {"app", link.app_built}};
  });
}

}  // namespace reel::api_internal
