// Internal to reel_api: what the route families share. Not part of the public interface.
#pragma once

#include <httplib.h>

#include <initializer_list>
#include <string>

#include <nlohmann/json.hpp>

#include "api/api_server.h"
#include "catalog/types.h"
#include "common/status.h"

namespace reel::api_internal {

struct RouteContext {
  Engine* engine = nullptr;
  MountInfo info;
  std::function<Status()> on_unmount;
  Placement* placement = nullptr;
  TransferEngine* transfers = nullptr;
  std::function<Result<nlohmann::json>()> backup_catalog;
};

using JsonHandler = std::function<Result<nlohmann::json>(const httplib::Request&)>;

// Registers `handler` for GET or POST `pattern`. The handler's Result becomes a 200 JSON
// response or a JSON error with the status from ToHttpStatus; exceptions become 500 internal.
void Get(httplib::Server& server, const std::string& pattern, JsonHandler handler);
void Post(httplib::Server& server, const std::string& pattern, JsonHandler handler);

// The request body as a JSON object ({} for an empty body), with only the `allowed` keys.
[[nodiscard]] Result<nlohmann::json> BodyObject(const httplib::Request& req,
                                                std::initializer_list<const char*> allowed);
// Query parameters: only the `allowed` ones, each at most once.
[[nodiscard]] Status CheckQuery(const httplib::Request& req,
                                std::initializer_list<const char*> allowed);
// A string field; absent -> `fallback` when given, else InvalidArgument.
[[nodiscard]] Result<std::string> StringField(const nlohmann::json& body, const char* key,
                                              const std::string* fallback = nullptr);
// A positive integer field (JSON integer >= 1, not a float, string or bool).
[[nodiscard]] Result<uint64_t> PositiveField(const nlohmann::json& body, const char* key);
// A path relative to the drive root, validated (see ValidateMountRelativePath).
[[nodiscard]] Result<std::string> ValidatePath(const std::string& raw);
// The validated `path` query parameter (required).
[[nodiscard]] Result<std::string> PathQuery(const httplib::Request& req);
[[nodiscard]] Result<InodeId> ResolvePath(RouteContext& ctx, const std::string& path);

void RegisterInfoRoutes(httplib::Server& server, RouteContext& ctx);
void RegisterVersionRoutes(httplib::Server& server, RouteContext& ctx);
void RegisterTrashRoutes(httplib::Server& server, RouteContext& ctx);
void RegisterMaintenanceRoutes(httplib::Server& server, RouteContext& ctx);
void RegisterPlacementRoutes(httplib::Server& server, RouteContext& ctx);

}  // namespace reel::api_internal
