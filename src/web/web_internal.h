// Internal to reel_web: what the web server's parts share. Not part of the public interface.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "catalog/types.h"
#include "common/status.h"

namespace reel {
class DriveService;
class EventWaiters;
namespace web {
class Thumbnails;
}
}

namespace reel::web_internal {

class Uploads;

// What the API routes answer from.
struct WebContext {
  DriveService* drive = nullptr;
  std::string workspace;
  std::string user;
  EventWaiters* event_waiters = nullptr;  // the reads of the change feed that wait
  Uploads* uploads = nullptr;
  web::Thumbnails* thumbnails = nullptr;
};

// NotFound unless the route's first match (the workspace in its path) is the drive's.
[[nodiscard]] Status CheckWorkspace(const WebContext& ctx, const httplib::Request& req);

// The /v1/ routes of a drive shown as one workspace (web_routes.cc); the session and origin
// checks run before them (web_server.cc).
void RegisterDriveRoutes(httplib::Server& server, const WebContext& ctx);
// Folders, deletes, moves, the trash and the change feed (web_changes.cc).
void RegisterChangeRoutes(httplib::Server& server, const WebContext& ctx);
// Bytes per tier, publish, hydrate, evict, pin; transfers (web_tiers.cc).
void RegisterTierRoutes(httplib::Server& server, const WebContext& ctx);
// The uploads in progress of one server; those left are abandoned when it goes.
[[nodiscard]] std::shared_ptr<Uploads> MakeUploads(DriveService* drive);
// Uploads in pieces, resumable (web_uploads.cc).
void RegisterUploadRoutes(httplib::Server& server, const WebContext& ctx);
// GET /v1/workspaces/W/content and /thumbnail (web_content.cc).
void RegisterContentRoute(httplib::Server& server, const WebContext& ctx);

// A route answering JSON (no-store): GET, POST, PUT or DELETE.
void JsonRoute(httplib::Server& server, const char* method, const std::string& pattern,
               std::function<Result<nlohmann::json>(const httplib::Request&)> handler);

// The name of user `uid` on this machine ("" when it has none).
[[nodiscard]] std::string UserNameOf(uint32_t uid);

// User names, looked up once per answer.
class UserNames {
 public:
  const std::string& Of(uint32_t uid) {
    auto [it, fresh] = names_.try_emplace(uid);
    if (fresh) it->second = UserNameOf(uid);
    return it->second;
  }

 private:
  std::map<uint32_t, std::string> names_;
};

// An entry of a folder as the app gets it: the catalog's attributes with "name" and "user".
[[nodiscard]] nlohmann::json EntryJson(const std::string& name, const Attributes& attr,
                                       UserNames& users);
// The entry at `path`, with "path" too.
[[nodiscard]] nlohmann::json EntryAt(const std::string& path, const Attributes& attr);

}  // namespace reel::web_internal
