// Team API: projections (server/projection.h).
//   POST /v1/workspaces/DEST/projections {from, paths: [...], into?, published_only?}
//        {files, bytes, skipped: ["PATH: why"...]}: the files of workspace `from` that `paths`
//        name, as files of DEST below `into`, sharing their chunks (a reader of `from`, a writer
//        of DEST; neither encrypted, unless they are one workspace). All or nothing; a retry of
//        the request id answers what the first did.
#include "chunking/sha256.h"
#include "server/projection.h"
#include "server/server_routes.h"

namespace reel::server_internal {

using nlohmann::json;

void RegisterProjectionRoutes(httplib::Server& server, ServerContext& ctx) {
  Route(server, ctx, "POST", "/v1/workspaces/([^/]+)/projections",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(std::string dest_name, NameParam(req, 1, "workspace"));
    REEL_ASSIGN_OR_RETURN(json body,
                          http::BodyObject(req, {"from", "paths", "into", "published_only"}));
    REEL_ASSIGN_OR_RETURN(std::string from, http::StringField(body, "from"));
    REEL_RETURN_IF_ERROR(ValidateTeamName("workspace", from));
    ProjectionRequest p;
    if (!body.contains("paths") || !body["paths"].is_array()) {
      return Status::InvalidArgument("\"paths\" must be an array of paths");
    }
    for (const json& path : body["paths"]) {
      if (!path.is_string()) return Status::InvalidArgument("\"paths\" must be an array of paths");
      p.paths.push_back(path.get<std::string>());
    }
    const std::string none;
    REEL_ASSIGN_OR_RETURN(p.into, http::StringField(body, "into", &none));
    if (body.contains("published_only")) {
      if (!body["published_only"].is_boolean()) {
        return Status::InvalidArgument("\"published_only\" is true or false");
      }
      p.published_only = body["published_only"].get<bool>();
    }
    REEL_RETURN_IF_ERROR(CheckProjectionRequest(p));
    REEL_ASSIGN_OR_RETURN(auto dest, MemberOf(ctx, dest_name, request.caller));
    REEL_ASSIGN_OR_RETURN(auto source, MemberOf(ctx, from, request.caller));
    if (dest.second < Role::kWriter) {
      return Status::PermissionDenied("projecting into \"" + dest_name +
                                      "\" needs the writer role there");
    }
    if (from != dest_name && (dest.first.encrypted || source.first.encrypted)) {
      return Status::InvalidArgument(
          "an encrypted workspace's chunks are sealed with its own key: projections go "
          "between workspaces that are not encrypted");
    }
    const std::string dumped = body.dump();
    const std::string what =
        "project " + dest_name + " " +
        Sha256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(dumped.data()),
                                        dumped.size()))
            .Hex();
    REEL_ASSIGN_OR_RETURN(
        std::string answer,
        ctx.team->ChangeCatalog(
            request, what,
            [&](Catalog& in_txn, const LockFence& fence) -> Result<std::string> {
              // What the caller sees of the source (its share setting) is what is projected.
              WorkspaceCatalog src(in_txn, source.first, source.second, *ctx.index,
                                   request.caller.name);
              WorkspaceCatalog dst(in_txn, dest.first, dest.second, *ctx.index,
                                   request.caller.name, &fence);
              REEL_ASSIGN_OR_RETURN(ProjectionResult r,
                                    Project(src, dst, from, p, request.now));
              return json{{"files", r.files}, {"bytes", r.bytes}, {"skipped", r.skipped}}.dump();
            }));
    json out = json::parse(answer, nullptr, /*allow_exceptions=*/false);
    if (out.is_discarded()) return Status::Internal("a recorded answer is not JSON");
    return out;
  });
}

}  // namespace reel::server_internal
