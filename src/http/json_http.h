// The server side of ReelDrive's HTTP/JSON APIs (a mount's control API, the team server): a
// handler returns Result<json>; success is 200 with the JSON, failure is
// {"error":{"code":"not_found","message":"..."}} with the status from ToHttpStatus. Request bodies
// and query strings are checked against the fields a route knows: anything else is refused.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "http/json_error.h"

namespace reel::http {

using JsonHandler = std::function<Result<nlohmann::json>(const httplib::Request&)>;

// Runs `handler`; an exception becomes Internal.
[[nodiscard]] Result<nlohmann::json> RunHandler(const JsonHandler& handler,
                                                const httplib::Request& req);
// A 200 JSON response or the JSON error with its HTTP status.
void Respond(httplib::Response& res, const Result<nlohmann::json>& result);
// Bodies larger than `max_body_bytes` are refused (413), and errors httplib raises itself (no such
// route, malformed request) get the same JSON error body as handlers' errors.
void UseJsonErrors(httplib::Server& server, size_t max_body_bytes);

// Starts `server` (already bound) on `thread` and returns once it accepts connections
// (Internal after 10 s; the caller then stops it).
[[nodiscard]] Status ServeInBackground(httplib::Server& server, std::thread& thread);

// The request body as a JSON object ({} for an empty body; InvalidArgument for anything else).
[[nodiscard]] Result<nlohmann::json> BodyJson(const httplib::Request& req);
// Only the `allowed` keys in `body` (InvalidArgument naming the first other one).
[[nodiscard]] Status CheckFields(const nlohmann::json& body, std::span<const char* const> allowed);
// BodyJson, with only the `allowed` keys.
[[nodiscard]] Result<nlohmann::json> BodyObject(const httplib::Request& req,
                                                std::initializer_list<const char*> allowed);
// Query parameters: only the `allowed` ones, each at most once.
[[nodiscard]] Status CheckQuery(const httplib::Request& req,
                                std::initializer_list<const char*> allowed);
// A non-negative integer query parameter; `fallback` when absent.
[[nodiscard]] Result<uint64_t> UintParam(const httplib::Request& req, const char* name,
                                         uint64_t fallback);
// The query parameter `path` (required), as given: the caller checks it.
[[nodiscard]] Result<std::string> PathParam(const httplib::Request& req);
// A string field; absent -> `fallback` when given, else InvalidArgument.
[[nodiscard]] Result<std::string> StringField(const nlohmann::json& body, const char* key,
                                              const std::string* fallback = nullptr);
// A positive integer field (JSON integer >= 1, not a float, string or bool).
[[nodiscard]] Result<uint64_t> PositiveField(const nlohmann::json& body, const char* key);

}  // namespace reel::http
