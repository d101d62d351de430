// TeamClient's kept-alive connections, against a plain HTTP server on loopback that answers each
// call with the client port it came from: the clients of one mount share their connections.
#include "remote/team_client.h"

#include <httplib.h>

#include <thread>

#include <gtest/gtest.h>

#include "catalog/catalog_test_util.h"

namespace reel::testing {
namespace {

class PortEchoServer {
 public:
  PortEchoServer() {
    server_.Get("/port", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(nlohmann::json{{"port", req.remote_port}}.dump(), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    // Bound and listening: calls wait in the backlog until the accept loop runs.
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~PortEchoServer() {
    server_.stop();
    thread_.join();
  }
  TeamClientOptions Options() const {
    TeamClientOptions o;
    o.url = "http://127.0.0.1:" + std::to_string(port_);
    o.token = "reel_test_token";
    o.retry_for = std::chrono::milliseconds(0);
    return o;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

Result<int> PortOf(TeamClient& client) {
  REEL_ASSIGN_OR_RETURN(nlohmann::json j, client.Call("GET", "/port", nullptr));
  return j.at("port").get<int>();
}

TEST(TeamClientTest, ClientsMadeWithOneConnectionsTakeTurnsOnTheSameConnection) {
  PortEchoServer server;
  TeamClientOptions shared = server.Options();
  shared.connections = NewTeamConnections(shared);
  TeamClient catalog(shared);
  TeamClient tasks(shared);
  ASSERT_OK_AND_ASSIGN(int first, PortOf(catalog));
  ASSERT_OK_AND_ASSIGN(int second, PortOf(tasks));
  ASSERT_OK_AND_ASSIGN(int third, PortOf(catalog));
  EXPECT_EQ(first, second) << "the second client reused the first one's idle connection";
  EXPECT_EQ(first, third);

  // Without shared connections each client keeps its own: two connections held open.
  TeamClient alone(server.Options());
  TeamClient other(server.Options());
  ASSERT_OK_AND_ASSIGN(int a, PortOf(alone));
  ASSERT_OK_AND_ASSIGN(int b, PortOf(other));
  EXPECT_NE(a, b);
  ASSERT_OK_AND_ASSIGN(int again, PortOf(alone));
  EXPECT_EQ(a, again) << "a client keeps its connection between calls";
}

}  // namespace
}  // namespace reel::testing
