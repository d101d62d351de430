#include "http/json_client.h"

#include <string>

#include "common/error_mapping.h"

namespace reel::http {

using nlohmann::json;

Result<json> DecodeResponse(const httplib::Result& res, std::string_view who) {
  if (!res) {
    return Status::Unavailable("cannot reach " + std::string(who) + " (" +
                               httplib::to_string(res.error()) + ")");
  }
  json parsed = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (res->status == 200) {
    if (parsed.is_discarded()) {
      return Status::Internal(std::string(who) + " answered with invalid JSON");
    }
    return parsed;
  }
  if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("error") &&
      parsed["error"].is_object()) {
    const json& e = parsed["error"];
    std::string code = e.value("code", std::string("internal"));
    std::string message = e.value("message", std::string());
    return Status(CodeFromName(code), message);
  }
  return Status::Internal(std::string(who) + " answered HTTP " + std::to_string(res->status));
}

}  // namespace reel::http
