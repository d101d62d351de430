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

namespace reel::api_internal {

struct RouteContext {
  Engine* engine = nullptr;
  MountInfo info;
  std::function<Status()> on_unmount;
  Placement* placement = nullptr;
  TransferEngine* transfers = nullptr;
  std::function<Result<nlohmann::json>()> backup_catalog;
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

// A path relative to the drive root, validated (see ValidateMountRelativePath).
[[nodiscard]] Result<std::string> ValidatePath(const std::string& raw);
// The validated `path` query parameter (required).
[[nodiscard]] Result<std::string> PathQuery(const httplib::Request& req);
[[nodiscard]] Result<InodeId> ResolvePath(RouteContext& ctx, const std::string& path);

void RegisterInfoRoutes(httplib::Server& server, RouteContext& ctx);
void RegisterVersionRoutes(httplib::Server& server, RouteContext& ctx);
void RegisterTrashRoutes(httplib::Server& server, RouteContext& ctx);
void RegisterEventRoutes(httplib::Server& server, RouteContext& ctx);
void RegisterMaintenanceRoutes(httplib::Server& server, RouteContext& ctx);
void RegisterPlacementRoutes(httplib::Server& server, RouteContext& ctx);

}  // namespace reel::api_internal
