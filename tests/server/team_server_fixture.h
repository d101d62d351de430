// The fixture of the team server's tests: a server on loopback in front of a new database on the
// real PostgreSQL of REEL_TEST_PG_URI, users alice, bob and carol with a token each, the real
// client and a raw HTTP client (for what the client never sends).
#pragma once

#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "catalog/catalog_test_util.h"
#include "team/team_db_fixture.h"
#include "remote/team_client.h"
#include "server/team_server.h"
#include "team/team_directory.h"

namespace reel::testing {

using nlohmann::json;

constexpr TimeNs kT0 = 1'800'000'000'000'000'000;
constexpr TimeNs kHour = 3'600'000'000'000;

class TeamServerTest : public TeamDatabaseTest {
 protected:
  void SetUp() override {
    TeamDatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    server_ = StartServer(team_.get(), ServerOptions());
    ASSERT_NE(server_, nullptr);
    alice_ = AddUser("alice");
    bob_ = AddUser("bob");
    carol_ = AddUser("carol");
  }
  void TearDown() override {
    server_.reset();
    TeamDatabaseTest::TearDown();
  }

  // The options of server_ (tests of the team's stores add them).
  virtual TeamServerOptions ServerOptions() { return {}; }

  std::unique_ptr<TeamServer> StartServer(TeamDirectory* team, TeamServerOptions o = {}) {
    o.clock = [this] { return now_.load(); };
    auto started = TeamServer::Start(team, o);
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    return started.ok() ? std::move(started).value() : nullptr;
  }

  // A user and a token of theirs.
  std::string AddUser(const std::string& name, TimeNs expires = 0) {
    EXPECT_OK(team_->AddUser(name, kT0));
    auto token = team_->CreateToken(name, kT0, expires);
    EXPECT_TRUE(token.ok()) << token.status().ToString();
    return token.ok() ? token->secret : "";
  }

  TeamClient ClientFor(const std::string& token, const std::string& url = "") {
    return TeamClient(OptionsFor(token, url));
  }
  // How a client of `token` reaches `url` (default: server_), without retries.
  TeamClientOptions OptionsFor(const std::string& token, const std::string& url = "") {
    TeamClientOptions o;
    o.url = url.empty() ? server_->url() : url;
    o.token = token;
    o.retry_for = std::chrono::milliseconds(0);
    return o;
  }

  // A raw request: what a client outside ReelDrive might send.
  httplib::Result Raw(const std::string& method, const std::string& target,
                      const std::string& body, httplib::Headers headers) {
    httplib::Client c(server_->url());
    if (method == "GET") return c.Get(target.c_str(), headers);
    if (method == "POST") return c.Post(target.c_str(), headers, body, "application/json");
    if (method == "PUT") return c.Put(target.c_str(), headers, body, "application/json");
    if (method == "PATCH") return c.Patch(target.c_str(), headers, body, "application/json");
    return c.Delete(target.c_str(), headers, body, "application/json");
  }
  httplib::Headers As(const std::string& token, const std::string& request_id = "") {
    httplib::Headers h{{"Authorization", "Bearer " + token}};
    if (!request_id.empty()) h.emplace("Reel-Request-Id", request_id);
    return h;
  }

  std::vector<std::string> NamesOf(const std::string& token) {
    auto spaces = ClientFor(token).Workspaces();
    EXPECT_TRUE(spaces.ok()) << spaces.status().ToString();
    std::vector<std::string> out;
    if (spaces.ok()) {
      for (const auto& w : *spaces) out.push_back(w.name + ":" + w.role);
    }
    return out;
  }

  std::atomic<TimeNs> now_{kT0 + 1};
  std::unique_ptr<TeamServer> server_;
  std::string alice_, bob_, carol_;
};

// The error code name of a JSON error response.
inline std::string ErrorCode(const httplib::Result& res) {
  if (!res) return "no response";
  json j = json::parse(res->body, nullptr, false);
  if (j.is_discarded() || !j.contains("error")) return "not a JSON error: " + res->body;
  return j["error"].value("code", "");
}

}  // namespace reel::testing
