// Versions of a file: POST /v1/save, GET /v1/versions, POST /v1/restore, GET /v1/status.
#include "api/routes.h"

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
    REEL_ASSIGN_OR_RETURN(std::string path, StringField(body, "path"));
    REEL_ASSIGN_OR_RETURN(std::string message, Message(body));
    REEL_ASSIGN_OR_RETURN(VersionInfo v, ctx.drive->Save(path, message));
    return nlohmann::json(v);
  });

  Get(server, "/v1/versions", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_ASSIGN_OR_RETURN(std::string path, PathQuery(req));
    REEL_ASSIGN_OR_RETURN(std::vector<VersionInfo> versions, ctx.drive->Versions(path));
    return nlohmann::json{{"path", EchoedPath(path)}, {"versions", versions}};
  });

  Post(server, "/v1/restore", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_RETURN_IF_ERROR(CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(nlohmann::json body, BodyObject(req, {"path", "version"}));
    REEL_ASSIGN_OR_RETURN(std::string path, StringField(body, "path"));
    REEL_ASSIGN_OR_RETURN(uint64_t number, PositiveField(body, "version"));
    REEL_ASSIGN_OR_RETURN(VersionInfo v, ctx.drive->Restore(path, number));
    return nlohmann::json(v);
  });

  Get(server, "/v1/status", [&ctx](const httplib::Request& req) -> Result<nlohmann::json> {
    REEL_ASSIGN_OR_RETURN(std::string path, PathQuery(req));
    REEL_ASSIGN_OR_RETURN(FileStatus status, ctx.drive->StatusOf(path));
    return nlohmann::json(status);
  });
}

}  // namespace reel::api_internal
