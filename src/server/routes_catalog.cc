// Team API: the namespace of a workspace, one catalog call per request.
//   POST /v1/workspaces/NAME/catalog/CALL {arguments}   the call's answer (catalog_rpc/)
// The workspace's root is inode 1 (server/workspace_catalog.h). Any role may make a read; a
// change needs the writer role and is applied once per request id, in the transaction that
// records it, so a retry answers what the first attempt answered.
#include "catalog_rpc/catalog_calls.h"
#include "chunking/sha256.h"
#include "http/json_error.h"
#include "server/server_routes.h"

namespace reel::server_internal {

using nlohmann::json;

namespace {

// What a change's request id is recorded for: the call, the workspace and a digest of the
// arguments, so the same id reused for anything else is refused.
std::string ChangeName(const CatalogCallInfo& call, const std::string& workspace,
                       const json& args) {
  const std::string dumped = args.dump();
  return "catalog " + std::string(call.name) + " " + workspace + " " +
         Sha256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(dumped.data()),
                                         dumped.size()))
             .Hex();
}

}  // namespace

void RegisterCatalogRoutes(httplib::Server& server, ServerContext& ctx) {
  Route(server, ctx, "POST", "/v1/workspaces/([^/]+)/catalog/([a-z_]+)",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
          REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
          REEL_ASSIGN_OR_RETURN(std::string name, NameParam(req, 1, "workspace"));
          const CatalogCallInfo* call = FindCatalogCall(req.matches[2].str());
          if (call == nullptr)
            return Status::NotFound("no catalog call \"" + req.matches[2].str() + "\"");
          REEL_ASSIGN_OR_RETURN(json args, http::BodyJson(req));
          REEL_ASSIGN_OR_RETURN(auto member, MemberOf(ctx, name, request.caller));
          const auto& [workspace, role] = member;
          if (call->kind == CatalogCallKind::kRead) {
            WorkspaceCatalog view(ctx.team->catalog(), workspace, role, *ctx.index,
                                  request.caller.name);
            REEL_ASSIGN_OR_RETURN(std::string answer, ServeCatalogCall(view, *call, args));
            return WrittenJson(answer);
          }
          // Checked before the transaction: no database connection waits on the store.
          if (ctx.check_pack_uploads && std::string_view(call->name) == "record_pack_upload") {
            REEL_RETURN_IF_ERROR(CheckPackUploaded(ctx, args));
          }
          REEL_ASSIGN_OR_RETURN(
              std::string answer,
              ctx.team->ChangeCatalog(request, ChangeName(*call, name, args),
                                      [&](Catalog& in_txn,
                                          const LockFence& fence) -> Result<std::string> {
                                        WorkspaceCatalog view(in_txn, workspace, role, *ctx.index,
                                                              request.caller.name, &fence);
                                        return ServeCatalogCall(view, *call, args);
                                      }));
          return WrittenJson(answer);  // written by ServeCatalogCall, here or when first made
        });
}

}  // namespace reel::server_internal
