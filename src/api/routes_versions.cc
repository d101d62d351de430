// Versions of a file: POST /v1/save, GET /v1/versions, POST /v1/restore, GET /v1/status.
#include <algorithm>

#include "api/path_errors.h"
#include "api/routes.h"
#include "engine/engine.h"

namespace reel::api_internal {
namespace {

constexpr size_t kMaxMessageBytes = 4096;

Result<std::string> Message(const nlohmann::json& body) {
  static const std::string kEmpty;
  REEL_ASSIGN_OR_RETURN(std::string message, StringField(body, "message", &kEmpty));
  if (message.size() > kMaxMessageBytes) {
    return Status::InvalidArgument("message longer than " + std::to_string(kMaxMessageBytes) +
                                   " bytes");
  }
  if (message.find('\0') != std::string::npos) {
    return Status::InvalidArgument("message contains a NUL byte");
  }
  return message;
}

}  // namespace

void RegisterVersionRoutes(httplib::Server& server, RouteContext& ctx) {
  Post(server, "/v1/save", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(nlohmann::json body, BodyObject(req, {"path", "message"}));
    REEL_ASSIGN_OR_RETURN(std::string raw, StringField(body, "path"));
    REEL_ASSIGN_OR_RETURN(std::string path, ValidatePath(raw));
    REEL_ASSIGN_OR_RETURN(std::string message, Message(body));
    REEL_ASSIGN_OR_RETURN(InodeId ino, ResolvePath(ctx, path));
    REEL_ASSIGN_OR_RETURN(VersionInfo v, ctx.engine->Save(ino, message));
    return nlohmann::json(v);
  });

  Get(server, "/v1/versions", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_ASSIGN_OR_RETURN(std::string path, PathQuery(req));
    REEL_ASSIGN_OR_RETURN(InodeId ino, ResolvePath(ctx, path));
    REEL_ASSIGN_OR_RETURN(std::vector<VersionInfo> versions, ctx.engine->ListVersions(ino));
    return nlohmann::json{{"path", path}, {"versions", versions}};
  });

  Post(server, "/v1/restore", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(nlohmann::json body, BodyObject(req, {"path", "version"}));
    REEL_ASSIGN_OR_RETURN(std::string raw, StringField(body, "path"));
    REEL_ASSIGN_OR_RETURN(std::string path, ValidatePath(raw));
    REEL_ASSIGN_OR_RETURN(uint64_t number, PositiveField(body, "version"));
    REEL_ASSIGN_OR_RETURN(InodeId ino, ResolvePath(ctx, path));
    Result<VersionInfo> v = ctx.engine->Restore(ino, number);
    if (v.status().code() == Code::kNotFound) {
      // Most likely a version number that does not exist: say which ones do.
      REEL_ASSIGN_OR_RETURN(std::vector<VersionInfo> versions, ctx.engine->ListVersions(ino));
      if (std::none_of(versions.begin(), versions.end(),
                       [&](const VersionInfo& e) { return e.number == number; })) {
        return NoSuchVersion(path, number, versions);
      }
    }
    if (!v.ok()) return v.status();
    return nlohmann::json(*v);
  });

  Get(server, "/v1/status", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_ASSIGN_OR_RETURN(std::string path, PathQuery(req));
    REEL_ASSIGN_OR_RETURN(InodeId ino, ResolvePath(ctx, path));
    REEL_ASSIGN_OR_RETURN(FileStatus status, ctx.engine->GetFileStatus(ino));
    if (status.path.empty()) status.path = path;
    return nlohmann::json(status);
  });
}

}  // namespace reel::api_internal
