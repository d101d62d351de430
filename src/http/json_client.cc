#include "http/json_client.h"

#include <string>

#include "common/error_mapping.h"

namespace reel::http {

using nlohmann::json;

namespace {

Status Unreachable(const httplib::Result& res, std::string_view who) {
  return Status::Unavailable("cannot reach " + std::string(who) + " (" +
                             httplib::to_string(res.error()) + ")");
}

// The Status of an answer other than 200: the error the server reported, or Internal.
Status ErrorOf(const httplib::Response& response, std::string_view who) {
  const json parsed = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("error") &&
      parsed["error"].is_object()) {
    const json& e = parsed["error"];
    std::string code = e.value("code", std::string("internal"));
    std::string message = e.value("message", std::string());
    return Status(CodeFromName(code), message);
  }
  return Status::Internal(std::string(who) + " answered HTTP " + std::to_string(response.status));
}

}  // namespace

Result<json> DecodeResponse(const httplib::Result& res, std::string_view who) {
  if (!res) return Unreachable(res, who);
  if (res->status != 200) return ErrorOf(*res, who);
  return ParseAnswer(res->body, who);
}

Result<json> ParseAnswer(const std::string& text, std::string_view who) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Status::Internal(std::string(who) + " answered with invalid JSON");
  }
  return parsed;
}

Result<std::string> DecodeResponseText(httplib::Result& res, std::string_view who) {
  if (!res) return Unreachable(res, who);
  if (res->status != 200) return ErrorOf(*res, who);
  return std::move(res->body);
}

}  // namespace reel::http
