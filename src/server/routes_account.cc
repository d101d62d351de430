// Team API: who the caller is, the team's people, and the caller's own tokens.
//   GET    /v1/me          {"user":"alice","id":1,"created_ns":...}
//   GET    /v1/users       {"users":[{"name","id","created_ns"}...]}: whom to grant
//   GET    /v1/groups      {"groups":[{"name","members":[...]}...]}
//   GET    /v1/tokens      {"tokens":[{"id","created_ns","expires_ns","current"}...]}: the
//                          caller's valid tokens (never their secrets); `current` is the one
//                          the call came with
//   POST   /v1/tokens {"expires_days"?}   {"id","token","expires_ns"}: a new token of the
//                          caller's, its secret shown this once (1 to 3650 days; none: never
//                          expires). A retry makes another (revoke the one not kept).
//   DELETE /v1/tokens/ID   {"ok":true}: the caller's token ID is revoked
// Users and groups are made on the server host (`reel server user add`, `group add`).
#include <charconv>

#include "server/server_routes.h"

namespace reel::server_internal {

using nlohmann::json;

namespace {

constexpr int64_t kMaxTokenDays = 3650;
constexpr TimeNs kDayNs = 24LL * 3600 * 1'000'000'000;

}  // namespace

void RegisterAccountRoutes(httplib::Server& server, ServerContext& ctx) {
  Route(server, ctx, "GET", "/v1/me",
        [](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    return json{{"user", request.caller.name},
                {"id", request.caller.id},
                {"created_ns", request.caller.created}};
  });
  Route(server, ctx, "GET", "/v1/users",
        [&ctx](const httplib::Request& req, const TeamRequest&) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(std::vector<User> users, ctx.team->ListUsers());
    json list = json::array();
    for (const User& u : users) {
      list.push_back({{"name", u.name}, {"id", u.id}, {"created_ns", u.created}});
    }
    return json{{"users", std::move(list)}};
  });
  Route(server, ctx, "GET", "/v1/groups",
        [&ctx](const httplib::Request& req, const TeamRequest&) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(std::vector<GroupInfo> groups, ctx.team->ListGroups());
    json list = json::array();
    for (const GroupInfo& g : groups) list.push_back({{"name", g.name}, {"members", g.members}});
    return json{{"groups", std::move(list)}};
  });

  Route(server, ctx, "GET", "/v1/tokens",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(std::vector<TokenInfo> tokens,
                          ctx.team->ListTokens(request.caller, request.now,
                                               RequestToken(ctx, req)));
    json list = json::array();
    for (const TokenInfo& t : tokens) {
      list.push_back({{"id", t.id},
                      {"created_ns", t.created},
                      {"expires_ns", t.expires},
                      {"current", t.current}});
    }
    return json{{"tokens", std::move(list)}};
  });
  Route(server, ctx, "POST", "/v1/tokens",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(json body, http::BodyObject(req, {"expires_days"}));
    TimeNs expires = 0;
    if (body.contains("expires_days")) {
      const json& days = body["expires_days"];
      if (!days.is_number_integer() || days.get<int64_t>() < 1 ||
          days.get<int64_t>() > kMaxTokenDays) {
        return Status::InvalidArgument("\"expires_days\" is a whole number of days, 1 to " +
                                       std::to_string(kMaxTokenDays));
      }
      expires = request.now + days.get<int64_t>() * kDayNs;
    }
    REEL_ASSIGN_OR_RETURN(IssuedToken token,
                          ctx.team->CreateToken(request.caller.name, request.now, expires));
    return json{{"id", token.id}, {"token", token.secret}, {"expires_ns", token.expires}};
  });
  Route(server, ctx, "DELETE", "/v1/tokens/([0-9]{1,19})",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    const std::string raw = req.matches[1].str();
    uint64_t id = 0;
    auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), id);
    if (ec != std::errc() || end != raw.data() + raw.size()) {
      return Status::InvalidArgument("a token id is a number");
    }
    REEL_RETURN_IF_ERROR(ctx.team->RevokeToken(request.caller.name, id, request.now));
    return json{{"ok", true}};
  });
}

}  // namespace reel::server_internal
