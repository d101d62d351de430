#include "http/json_http.h"

#include <charconv>
#include <chrono>

#include "common/error_mapping.h"

namespace reel::http {

using nlohmann::json;

Result<json> RunHandler(const JsonHandler& handler, const httplib::Request& req) {
  try {
    return handler(req);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("unexpected error: ") + e.what());
  }
}

void Respond(httplib::Response& res, const Result<json>& result) {
  if (result.ok()) {
    res.status = 200;
    res.set_content(DumpJson(*result), "application/json");
  } else {
    res.status = ToHttpStatus(result.status().code());
    res.set_content(DumpJson(ErrorJson(result.status())), "application/json");
  }
}

void UseJsonErrors(httplib::Server& server, size_t max_body_bytes) {
  server.set_payload_max_length(max_body_bytes);
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    Status s = res.status == 404   ? Status::NotFound("no such endpoint")
               : res.status == 405 ? Status::InvalidArgument("method not allowed here")
               : res.status == 413 ? Status(Code::kRange, "request too large")
               : res.status < 500  ? Status::InvalidArgument("bad request")
                                   : Status::Internal("internal error");
    res.set_content(DumpJson(ErrorJson(s)), "application/json");
    return httplib::Server::HandlerResponse::Handled;
  }));
}

Status ServeInBackground(httplib::Server& server, std::thread& thread) {
  thread = std::thread([&server] { server.listen_after_bind(); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server.is_running()) {
    if (std::chrono::steady_clock::now() > deadline) return Status::Internal("did not start");
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Status::Ok();
}

Result<json> BodyJson(const httplib::Request& req) {
  if (req.body.empty()) return json::object();
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return Status::InvalidArgument("request body is not valid JSON");
  if (!body.is_object()) return Status::InvalidArgument("request body must be a JSON object");
  return body;
}

Status CheckFields(const json& body, std::span<const char* const> allowed) {
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) return Status::InvalidArgument("unknown field '" + key + "'");
  }
  return Status::Ok();
}

Result<json> BodyObject(const httplib::Request& req, std::initializer_list<const char*> allowed) {
  REEL_ASSIGN_OR_RETURN(json body, BodyJson(req));
  REEL_RETURN_IF_ERROR(CheckFields(body, std::span(allowed.begin(), allowed.size())));
  return body;
}

Status CheckQuery(const httplib::Request& req, std::initializer_list<const char*> allowed) {
  for (const auto& [key, value] : req.params) {
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) return Status::InvalidArgument("unknown query parameter '" + key + "'");
    if (req.params.count(key) > 1) {
      return Status::InvalidArgument("query parameter '" + key + "' given more than once");
    }
  }
  return Status::Ok();
}

Result<uint64_t> UintParam(const httplib::Request& req, const char* name, uint64_t fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Status::InvalidArgument(std::string("query parameter '") + name +
                                   "' must be a non-negative integer");
  }
  return v;
}

Result<std::string> PathParam(const httplib::Request& req) {
  if (!req.has_param("path")) return Status::InvalidArgument("missing query parameter 'path'");
  return req.get_param_value("path");
}

Result<std::string> StringField(const json& body, const char* key, const std::string* fallback) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (fallback != nullptr) return *fallback;
    return Status::InvalidArgument(std::string("missing field '") + key + "'");
  }
  if (!it->is_string()) {
    return Status::InvalidArgument(std::string("field '") + key + "' must be a string");
  }
  return it->get<std::string>();
}

Result<uint64_t> PositiveField(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    return Status::InvalidArgument(std::string("missing field '") + key + "'");
  }
  if (it->is_number_unsigned()) {
    uint64_t v = it->get<uint64_t>();
    if (v >= 1) return v;
  } else if (it->is_number_integer() && it->get<int64_t>() >= 1) {
    return static_cast<uint64_t>(it->get<int64_t>());
  }
  return Status::InvalidArgument(std::string("field '") + key + "' must be a positive integer");
}

}  // namespace reel::http
