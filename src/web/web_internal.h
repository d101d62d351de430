// Internal to reel_web: what the web server's parts share. Not part of the public interface.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <string>

#include "common/status.h"

namespace reel {
class DriveService;
}

namespace reel::web_internal {

// What the API routes answer from.
struct WebContext {
  DriveService* drive = nullptr;
  std::string workspace;
  std::string user;
};

// NotFound unless the route's first match (the workspace in its path) is the drive's.
[[nodiscard]] Status CheckWorkspace(const WebContext& ctx, const httplib::Request& req);

// The /v1/ routes of a drive shown as one workspace (web_routes.cc); the session and origin
// checks run before them (web_server.cc).
void RegisterDriveRoutes(httplib::Server& server, const WebContext& ctx);
// GET /v1/workspaces/W/content (web_content.cc).
void RegisterContentRoute(httplib::Server& server, const WebContext& ctx);

// The name of user `uid` on this machine ("" when it has none).
[[nodiscard]] std::string UserNameOf(uint32_t uid);

// A JSON error answer (not cached).
void RespondError(httplib::Response& res, const Status& s);

// The media type a file's name suggests (by extension), for content and assets; what a browser
// could run as a page (HTML, XML, JavaScript) is sent as text/plain.
[[nodiscard]] std::string MediaTypeOf(const std::string& name);

}  // namespace reel::web_internal
