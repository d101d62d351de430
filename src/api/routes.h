// Internal to reel_api: what the route families share. Not part of the public interface.
#pragma once

#include <httplib.h>

#include <initializer_list>
#include <string>

#include <nlohmann/json.hpp>

#include "api/api_server.h"
#include "catalog/types.h"
#include "catalog_rpc/event_feed.h"
#include "common/status.h"
#include "http/json_http.h"
#include "service/drive_service.h"

namespace reel::api_internal {

// What the routes answer from: the drive's service (service/drive_service.h), and what only the
// unix-socket server has (the mount's description, its unmount, the feed's waiting reads).
struct RouteContext {
  DriveService* drive = nullptr;
  MountInfo info;
  std::function<Status()> on_unmount;
  std::function<Result<WebLink>(const std::string& listen)> on_web;
  EventWaiters* event_waiters = nullptr;  // the reads of GET /v1/events that wait
};

using http::BodyObject;
using http::CheckQuery;
using http::JsonHandler;
using http::PositiveField;
using http::StringField;

// Registers `handler` for GET or POST `pattern`. The handler's Result becomes a 200 JSON
// response or a JSON error with the status from ToHttpStatus; exceptions become 500 internal.
void Get(httplib::Server& server, const std::string& pattern, JsonHandler handler);
void Post(httplib::Server& server, const std::string& pattern, JsonHandler handler);

// The `path` query parameter (required), as given: the service checks it.
[[nodiscard]] Result<std::string> PathQuery(const httplib::Request& req);
// A path the service accepted, as answers echo it (normalized: "a//b" -> "a/b").
[[nodiscard]] std::string EchoedPath(const std::string& raw);

void RegisterInfoRoutes(httplib::Server& server, RouteContext& ctx);
void RegisterVersionRoutes(httplib::Server& server, RouteContext& ctx);
void RegisterTrashRoutes(httplib::Server& server, RouteContext& ctx);
void RegisterEventRoutes(httplib::Server& server, RouteContext& ctx);
void RegisterMaintenanceRoutes(httplib::Server& server, RouteContext& ctx);
void RegisterPlacementRoutes(httplib::Server& server, RouteContext& ctx);

}  // namespace reel::api_internal
