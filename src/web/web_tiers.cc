// Where a file's bytes are, and moving them: the tiers panel of the web app.
//   GET  /v1/workspaces/W/placement?path=P   bytes per tier (local, edge, cloud), pins, published
//   POST /v1/workspaces/W/placement {paths}  the same for each of up to 500 files (row badges)
//   POST /v1/workspaces/W/place {path, action: publish|hydrate|evict|pin|unpin}
//   GET  /v1/workspaces/W/transfers          the transfer queue's progress
// A drive without an edge or cloud tier answers not_supported (422): its bytes are all on this
// machine, and the app shows no tier controls.
#include <array>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/json_http.h"
#include "service/drive_service.h"
#include "service/placement_json.h"
#include "tiers/placement.h"
#include "tiers/transfer_engine.h"
#include "web/web_internal.h"

namespace reel::web_internal {
namespace {

using nlohmann::json;

constexpr size_t kMaxBatch = 500;

struct NamedAction {
  std::string_view name;
  PlaceAction action;
};

constexpr std::array<NamedAction, 5> kActions = {{{"publish", PlaceAction::kPublish},
                                                  {"hydrate", PlaceAction::kHydrate},
                                                  {"evict", PlaceAction::kEvict},
                                                  {"pin", PlaceAction::kPin},
                                                  {"unpin", PlaceAction::kUnpin}}};

Status NeedSharedTiers(const WebContext& ctx) {
  if (ctx.drive->HasSharedTiers()) return Status::Ok();
  return Status::NotSupported(
      "this drive keeps everything on this machine: it has no edge or cloud tier "
      "(reel init --edge URI --cloud URI)");
}

}  // namespace

void RegisterTierRoutes(httplib::Server& server, const WebContext& ctx) {
  JsonRoute(server, "GET", "/v1/workspaces/([^/]+)/placement",
            [&ctx](const httplib::Request& req) -> Result<json> {
              REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
              REEL_RETURN_IF_ERROR(NeedSharedTiers(ctx));
              REEL_RETURN_IF_ERROR(http::CheckQuery(req, {"path"}));
              REEL_ASSIGN_OR_RETURN(std::string path, http::PathParam(req));
              REEL_ASSIGN_OR_RETURN(TierUsage usage, ctx.drive->Usage(path));
              json out = usage;
              out["path"] = path;
              return out;
            });
  // Badges of the rows a folder page shows: each path's placement (or its error), at most 500.
  JsonRoute(server, "POST", "/v1/workspaces/([^/]+)/placement",
            [&ctx](const httplib::Request& req) -> Result<json> {
              REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
              REEL_RETURN_IF_ERROR(NeedSharedTiers(ctx));
              REEL_ASSIGN_OR_RETURN(json body, http::BodyObject(req, {"paths"}));
              const json& paths = body["paths"];
              if (!paths.is_array() || paths.size() > kMaxBatch) {
                return Status::InvalidArgument("field 'paths' must be a list of at most " +
                                               std::to_string(kMaxBatch) + " paths");
              }
              json out = json::object();
              for (const json& p : paths) {
                if (!p.is_string()) return Status::InvalidArgument("'paths' holds a non-string");
                const std::string path = p.get<std::string>();
                if (out.contains(path)) continue;  // asked twice: answered once
                // Files only: a folder's figure sums everything under it (a folder page's
                // badges are its files'; GET placement answers for a folder).
                Result<Attributes> a = ctx.drive->Stat(path);
                Result<TierUsage> usage =
                    !a.ok() ? Result<TierUsage>(a.status())
                    : a->type != FileType::kRegular
                        ? Result<TierUsage>(Status::InvalidArgument(path + ": not a file"))
                        : ctx.drive->Usage(path);
                out[path] = usage.ok() ? json(*usage) : json{{"error", usage.status().message()}};
              }
              return json{{"placements", std::move(out)}};
            });
  JsonRoute(server, "POST", "/v1/workspaces/([^/]+)/place",
            [&ctx](const httplib::Request& req) -> Result<json> {
              REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
              REEL_RETURN_IF_ERROR(NeedSharedTiers(ctx));
              REEL_ASSIGN_OR_RETURN(json body, http::BodyObject(req, {"path", "action"}));
              REEL_ASSIGN_OR_RETURN(std::string path, http::StringField(body, "path"));
              REEL_ASSIGN_OR_RETURN(std::string action, http::StringField(body, "action"));
              for (const NamedAction& a : kActions) {
                if (a.name != action) continue;
                REEL_ASSIGN_OR_RETURN(PlacementResult r, ctx.drive->Place(a.action, path));
                json out = r;
                out["path"] = path;
                out["action"] = action;
                return out;
              }
              return Status::InvalidArgument("field 'action' must be publish, hydrate, evict, "
                                             "pin or unpin, not '" + action + "'");
            });
  JsonRoute(server, "GET", "/v1/workspaces/([^/]+)/transfers",
            [&ctx](const httplib::Request& req) -> Result<json> {
              REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
              REEL_RETURN_IF_ERROR(NeedSharedTiers(ctx));
              REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
              REEL_ASSIGN_OR_RETURN(TransferProgress p, ctx.drive->Transfers());
              return json(p);
            });
}

}  // namespace reel::web_internal
