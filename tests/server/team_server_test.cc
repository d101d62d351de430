// The team server on a real PostgreSQL database, called over loopback by the real client and by a
// raw HTTP client (for what the client never sends): authentication on every call, workspaces and
// grants as each user sees them, bad input, request ids, two servers on one database, HTTPS.
#include "chunking/chunk_cipher.h"
#include "metrics/metrics.h"
#include "server/team_server.h"

#include "team_server_fixture.h"
#include "testing/temp_dir.h"

namespace reel::testing {
namespace {

TEST_F(TeamServerTest, EveryCallButHealthNeedsATokenThatIsValidNow) {
  auto health = Raw("GET", "/v1/health", "", {});
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);

  for (const httplib::Headers& h :
       {httplib::Headers{}, httplib::Headers{{"Authorization", "Bearer"}},
        httplib::Headers{{"Authorization", "Bearer reel_" + std::string(64, '0')}},
        httplib::Headers{{"Authorization", "Basic YWxpY2U6cHc="}},
        httplib::Headers{{"Authorization", "bearer " + alice_}}}) {
    for (const char* target : {"/v1/me", "/v1/workspaces"}) {
      auto res = Raw("GET", target, "", h);
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 401) << target;
      EXPECT_EQ(ErrorCode(res), "unauthenticated");
    }
  }
  auto created = Raw("POST", "/v1/workspaces", R"({"name":"show1"})", {{"Reel-Request-Id", "r-00000001"}});
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 401);
  EXPECT_CODE(team_->FindWorkspace("show1"), Code::kNotFound);

  ASSERT_OK_AND_ASSIGN(std::string me, ClientFor(alice_).WhoAmI());
  EXPECT_EQ(me, "alice");

  // A revoked token fails on its very next call; a new one works.
  ASSERT_OK(team_->RevokeToken("alice", 1, now_.load()));
  auto revoked = ClientFor(alice_).WhoAmI();
  EXPECT_CODE(revoked, Code::kUnauthenticated);
  EXPECT_EQ(revoked.status().message().find(alice_), std::string::npos) << "no token in messages";

  // An expiring token works until the server's clock passes its expiry.
  ASSERT_OK_AND_ASSIGN(IssuedToken hourly, team_->CreateToken("bob", kT0, kT0 + kHour));
  EXPECT_OK(ClientFor(hourly.secret).WhoAmI());
  now_ = kT0 + kHour;
  EXPECT_CODE(ClientFor(hourly.secret).WhoAmI(), Code::kUnauthenticated);
  EXPECT_OK(ClientFor(bob_).WhoAmI()) << "his token that never expires";
}

TEST_F(TeamServerTest, AUserListsMakesAndRevokesTheirOwnTokensAndSeesTheTeam) {
  ASSERT_OK(team_->AddGroup("artists", kT0));
  ASSERT_OK(team_->AddToGroup("artists", "bob"));
  ASSERT_OK(team_->AddToGroup("artists", "carol"));
  ASSERT_OK(team_->AddGroup("empty", kT0));
  auto groups = Raw("GET", "/v1/groups", "", As(alice_));
  ASSERT_TRUE(groups);
  ASSERT_EQ(groups->status, 200) << groups->body;
  EXPECT_EQ(json::parse(groups->body)["groups"],
            json::parse(R"([{"name":"artists","members":["bob","carol"]},
                            {"name":"empty","members":[]}])"));
  auto users = Raw("GET", "/v1/users", "", As(bob_));
  ASSERT_TRUE(users);
  ASSERT_EQ(users->status, 200);
  EXPECT_EQ(json::parse(users->body)["users"].size(), 3u);

  auto made = Raw("POST", "/v1/tokens", R"({"expires_days":30})", As(alice_, "r-token-0001"));
  ASSERT_TRUE(made);
  ASSERT_EQ(made->status, 200) << made->body;
  json token = json::parse(made->body);
  const std::string secret = token["token"];
  EXPECT_EQ(token["expires_ns"], now_.load() + 30 * 24 * kHour);
  ASSERT_OK_AND_ASSIGN(std::string who, ClientFor(secret).WhoAmI());
  EXPECT_EQ(who, "alice");

  auto listed = Raw("GET", "/v1/tokens", "", As(secret));
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->status, 200);
  json tokens = json::parse(listed->body)["tokens"];
  ASSERT_EQ(tokens.size(), 2u);  // the fixture's and the new one; no secrets
  EXPECT_EQ(listed->body.find(secret), std::string::npos);
  EXPECT_EQ(listed->body.find(alice_), std::string::npos);
  EXPECT_FALSE(tokens[0]["current"].get<bool>());
  EXPECT_TRUE(tokens[1]["current"].get<bool>());
  EXPECT_EQ(tokens[1]["id"], token["id"]);

  // Another's token cannot be revoked; bad expiries change nothing.
  const std::string id = std::to_string(token["id"].get<uint64_t>());
  auto theirs = Raw("DELETE", "/v1/tokens/" + id, "", As(bob_, "r-token-0002"));
  ASSERT_TRUE(theirs);
  EXPECT_EQ(theirs->status, 404);
  int n = 0;
  for (const char* body : {R"({"expires_days":0})", R"({"expires_days":4000})",
                           R"({"expires_days":"7"})", R"({"expires_days":1.5})",
                           R"({"label":"x"})"}) {
    auto bad = Raw("POST", "/v1/tokens", body, As(alice_, "r-token-bad-" + std::to_string(++n)));
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400) << body;
  }
  EXPECT_EQ(json::parse(Raw("GET", "/v1/tokens", "", As(alice_))->body)["tokens"].size(), 2u);

  auto revoked = Raw("DELETE", "/v1/tokens/" + id, "", As(alice_, "r-token-0003"));
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->status, 200) << revoked->body;
  EXPECT_CODE(ClientFor(secret).WhoAmI(), Code::kUnauthenticated);
  EXPECT_OK(ClientFor(alice_).WhoAmI());
}

TEST_F(TeamServerTest, EveryCallIsTimedByRouteAndOnlyServerErrorsCountAsFailures) {
  Metrics metrics;
  TeamServerOptions o;
  o.metrics = &metrics;
  auto server = StartServer(team_.get(), o);
  ASSERT_NE(server, nullptr);
  TeamClient alice = ClientFor(alice_, server->url());
  ASSERT_OK(alice.Workspaces().status());
  ASSERT_OK(alice.Workspaces().status());
  EXPECT_FALSE(ClientFor("reel_" + std::string(64, '0'), server->url()).Workspaces().ok());
  const std::string text = metrics.Scrape();
  EXPECT_NE(text.find("reel_server_requests_seconds_count{route=\"GET /v1/workspaces\"} 3"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("reel_server_requests_failures_total{route=\"GET /v1/workspaces\"} 0"),
            std::string::npos)
      << "a refused token is the caller's error, not the server's";
}

TEST_F(TeamServerTest, WorkspacesAndGrantsFollowWhoCallsAndTheirRole) {
  TeamClient alice = ClientFor(alice_), bob = ClientFor(bob_), carol = ClientFor(carol_);
  EXPECT_EQ(NamesOf(alice_), std::vector<std::string>{"alice:admin"});
  ASSERT_OK_AND_ASSIGN(WorkspaceView show, alice.CreateWorkspace("show1"));
  EXPECT_EQ(show.role, "admin");
  EXPECT_FALSE(show.home);
  EXPECT_EQ(show.share, "on-publish");
  EXPECT_EQ(show.created_ns, now_.load()) << "times come from the server's clock";
  EXPECT_CODE(bob.CreateWorkspace("show1"), Code::kAlreadyExists);
  EXPECT_CODE(bob.CreateWorkspace("alice"), Code::kAlreadyExists);

  ASSERT_OK(alice.Grant("show1", "bob", "reader"));
  EXPECT_EQ(NamesOf(bob_), (std::vector<std::string>{"bob:admin", "show1:reader"}));
  EXPECT_EQ(NamesOf(carol_), std::vector<std::string>{"carol:admin"});

  // A reader sees the grants but changes nothing; a stranger sees nothing.
  ASSERT_OK_AND_ASSIGN(auto grants, bob.Grants("show1"));
  ASSERT_EQ(grants.size(), 2u);
  EXPECT_EQ(grants[0].principal, "alice");
  EXPECT_EQ(grants[1].principal, "bob");
  EXPECT_EQ(grants[1].role, "reader");
  EXPECT_CODE(bob.Grant("show1", "bob", "admin"), Code::kPermissionDenied);
  EXPECT_CODE(bob.Grant("show1", "carol", "reader"), Code::kPermissionDenied);
  EXPECT_CODE(carol.Grants("show1"), Code::kPermissionDenied);
  EXPECT_CODE(carol.Grant("show1", "carol", "admin"), Code::kPermissionDenied);
  EXPECT_CODE(carol.Revoke("show1", "bob"), Code::kPermissionDenied);
  auto one = Raw("GET", "/v1/workspaces/show1", "", As(carol_));
  ASSERT_TRUE(one);
  EXPECT_EQ(one->status, 403);
  auto bobs = Raw("GET", "/v1/workspaces/show1", "", As(bob_));
  ASSERT_TRUE(bobs);
  EXPECT_EQ(bobs->status, 200);
  EXPECT_EQ(json::parse(bobs->body)["role"], "reader");
  ASSERT_OK_AND_ASSIGN(grants, alice.Grants("show1"));
  EXPECT_EQ(grants.size(), 2u) << "the refused calls changed nothing";

  // Settings: admins only; a workspace starts with last-writer-wins.
  EXPECT_EQ(show.conflict, "last-writer-wins");
  EXPECT_CODE(bob.SetWorkspace("show1", json{{"conflict", "reject"}}), Code::kPermissionDenied);
  EXPECT_CODE(carol.SetWorkspace("show1", json{{"conflict", "reject"}}), Code::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(WorkspaceView set, alice.SetWorkspace("show1", json{{"conflict", "reject"}}));
  EXPECT_EQ(set.conflict, "reject");
  EXPECT_EQ(set.share, "on-publish") << "what was not given stays";
  ASSERT_OK_AND_ASSIGN(set, alice.SetWorkspace("show1", json{{"share", "on-close"},
                                                             {"conflict", "keep-both"}}));
  EXPECT_EQ(set.share, "on-close");
  ASSERT_OK_AND_ASSIGN(WorkspaceView seen, bob.WorkspaceInfo("show1"));
  EXPECT_EQ(seen.conflict, "keep-both");
  EXPECT_EQ(seen.share, "on-close");

  // Groups: a grant to @artists reaches its members.
  ASSERT_OK(team_->AddGroup("artists", kT0));
  ASSERT_OK(team_->AddToGroup("artists", "carol"));
  ASSERT_OK(alice.Grant("show1", "@artists", "writer"));
  EXPECT_EQ(NamesOf(carol_), (std::vector<std::string>{"carol:admin", "show1:writer"}));
  EXPECT_CODE(alice.Grant("show1", "@nobody", "writer"), Code::kNotFound);
  EXPECT_CODE(alice.Grant("show1", "dave", "writer"), Code::kNotFound);

  // Revoking takes the workspace away; the last admin stays.
  ASSERT_OK(alice.Revoke("show1", "bob"));
  EXPECT_EQ(NamesOf(bob_), std::vector<std::string>{"bob:admin"});
  EXPECT_CODE(bob.Grants("show1"), Code::kPermissionDenied);
  EXPECT_CODE(alice.Revoke("show1", "alice"), Code::kInvalidArgument);
  EXPECT_CODE(alice.Grant("alice", "bob", "writer"), Code::kOk) << "homes can be shared too";
}

// An encrypted workspace's key goes to its members (readers too: they must open what they
// read), never to anyone else, never for a workspace without one, never into a cache.
TEST_F(TeamServerTest, AnEncryptedWorkspacesKeyGoesToItsMembersOnly) {
  TeamClient alice = ClientFor(alice_), bob = ClientFor(bob_), carol = ClientFor(carol_);
  ASSERT_OK_AND_ASSIGN(WorkspaceView vault, alice.CreateWorkspace("vault", /*encrypted=*/true));
  EXPECT_TRUE(vault.encrypted);
  ASSERT_OK_AND_ASSIGN(WorkspaceView plain, alice.CreateWorkspace("plain"));
  EXPECT_FALSE(plain.encrypted);
  ASSERT_OK(alice.Grant("vault", "bob", "reader"));
  ASSERT_OK_AND_ASSIGN(WorkspaceView seen, bob.WorkspaceInfo("vault"));
  EXPECT_TRUE(seen.encrypted);
  EXPECT_EQ(seen.role, "reader");

  ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> key, alice.WorkspaceKey("vault"));
  EXPECT_EQ(key.size(), kWorkspaceKeyBytes);
  EXPECT_NE(key, std::vector<uint8_t>(kWorkspaceKeyBytes, 0));
  ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> bobs, bob.WorkspaceKey("vault"));
  EXPECT_EQ(bobs, key) << "one key per workspace, for every member";
  EXPECT_CODE(carol.WorkspaceKey("vault"), Code::kPermissionDenied);
  EXPECT_CODE(alice.WorkspaceKey("plain"), Code::kNotFound);
  EXPECT_CODE(alice.WorkspaceKey("nothing"), Code::kNotFound);
  auto raw = Raw("GET", "/v1/workspaces/vault/key", "", As(alice_));
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->status, 200);
  EXPECT_EQ(raw->get_header_value("Cache-Control"), "no-store");
  auto anonymous = Raw("GET", "/v1/workspaces/vault/key", "", {});
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);

  // Another encrypted workspace has another key; a revoked member gets nothing more.
  ASSERT_OK(alice.CreateWorkspace("vault2", true).status());
  ASSERT_OK_AND_ASSIGN(std::vector<uint8_t> other, alice.WorkspaceKey("vault2"));
  EXPECT_NE(other, key);
  ASSERT_OK(alice.Revoke("vault", "bob"));
  EXPECT_CODE(bob.WorkspaceKey("vault"), Code::kPermissionDenied);
  ASSERT_OK_AND_ASSIGN(auto spaces, alice.Workspaces());
  for (const WorkspaceView& w : spaces) {
    EXPECT_EQ(w.encrypted, w.name == "vault" || w.name == "vault2") << w.name;
  }
}

TEST_F(TeamServerTest, BadInputGetsAClear4xxAndChangesNothing) {
  struct Case {
    const char* method;
    std::string target;
    std::string body;
    bool with_id;
    int status;
    const char* code;
  };
  const std::string big(9 << 20, 'x');  // over the 8 MiB a body may hold
  const std::vector<Case> cases = {
      {"POST", "/v1/workspaces", "{", true, 400, "invalid_argument"},
      {"POST", "/v1/workspaces", "[\"show1\"]", true, 400, "invalid_argument"},
      {"POST", "/v1/workspaces", R"({"name":"show1","owner":"bob"})", true, 400, "invalid_argument"},
      {"POST", "/v1/workspaces", R"({"name":5})", true, 400, "invalid_argument"},
      {"POST", "/v1/workspaces", R"({"name":"show1","encrypted":"yes"})", true, 400,
       "invalid_argument"},
      {"POST", "/v1/workspaces", R"({"name":"show1","encrypted":1})", true, 400, "invalid_argument"},
      {"GET", "/v1/workspaces/alice/key?raw=1", "", false, 400, "invalid_argument"},
      {"POST", "/v1/workspaces", R"({})", true, 400, "invalid_argument"},
      {"POST", "/v1/workspaces", R"({"name":".."})", true, 400, "invalid_argument"},
      {"POST", "/v1/workspaces", R"({"name":"a/b"})", true, 400, "invalid_argument"},
      {"POST", "/v1/workspaces", R"({"name":"a\u0000b"})", true, 400, "invalid_argument"},
      {"POST", "/v1/workspaces", "{\"name\":\"" + std::string(65, 'a') + "\"}", true, 400,
       "invalid_argument"},
      {"POST", "/v1/workspaces", "{\"name\":\"" + big + "\"}", true, 413, "range"},
      {"POST", "/v1/workspaces", R"({"name":"show1"})", false, 400, "invalid_argument"},
      {"POST", "/v1/workspaces?force=1", R"({"name":"show1"})", true, 400, "invalid_argument"},
      {"GET", "/v1/workspaces?all=1", "", false, 400, "invalid_argument"},
      {"GET", "/v1/workspaces/..", "", false, 400, "invalid_argument"},
      {"GET", "/v1/workspaces/a%00b", "", false, 400, "invalid_argument"},
      {"GET", "/v1/workspaces/show9", "", false, 404, "not_found"},
      {"GET", "/v1/nothing", "", false, 404, "not_found"},
      {"PUT", "/v1/workspaces/alice/grants/bob", R"({"role":"owner"})", true, 400, "invalid_argument"},
      {"PUT", "/v1/workspaces/alice/grants/bob", R"({"role":"reader","x":1})", true, 400, "invalid_argument"},
      {"PUT", "/v1/workspaces/alice/grants/@", R"({"role":"reader"})", true, 400, "invalid_argument"},
      {"PUT", "/v1/workspaces/alice/grants/..", R"({"role":"reader"})", true, 400, "invalid_argument"},
      {"DELETE", "/v1/workspaces/alice/grants/bob", "{}", true, 400, "invalid_argument"},
      {"PATCH", "/v1/workspaces/alice", "{}", true, 400, "invalid_argument"},
      {"PATCH", "/v1/workspaces/alice", R"({"conflict":"merge"})", true, 400, "invalid_argument"},
      {"PATCH", "/v1/workspaces/alice", R"({"conflict":5})", true, 400, "invalid_argument"},
      {"PATCH", "/v1/workspaces/alice", R"({"share":"sometimes"})", true, 400, "invalid_argument"},
      {"PATCH", "/v1/workspaces/alice", R"({"conflict":"reject","x":1})", true, 400,
       "invalid_argument"},
      {"PATCH", "/v1/workspaces/show9", R"({"conflict":"reject"})", true, 404, "not_found"},
  };
  for (const Case& c : cases) {
    httplib::Headers h = As(alice_, c.with_id ? "r-bad-input-1" : "");
    auto res = Raw(c.method, c.target, c.body, h);
    ASSERT_TRUE(res) << c.method << " " << c.target;
    EXPECT_EQ(res->status, c.status) << c.method << " " << c.target << " " << c.body.substr(0, 80);
    EXPECT_EQ(ErrorCode(res), c.code) << c.method << " " << c.target;
  }
  auto bad_id = Raw("POST", "/v1/workspaces", R"({"name":"show1"})", As(alice_, "has space"));
  ASSERT_TRUE(bad_id);
  EXPECT_EQ(bad_id->status, 400);
  EXPECT_EQ(NamesOf(alice_), std::vector<std::string>{"alice:admin"});
  ASSERT_OK_AND_ASSIGN(auto grants, team_->ListGrants("alice"));
  EXPECT_EQ(grants.size(), 1u);
  ASSERT_OK_AND_ASSIGN(Workspace home, team_->FindWorkspace("alice"));
  EXPECT_EQ(home.conflict, ConflictPolicy::kLastWriterWins);
  EXPECT_EQ(home.share, "on-close");
}

TEST_F(TeamServerTest, AChangeRetriedWithItsRequestIdIsAppliedOnce) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto res = Raw("POST", "/v1/workspaces", R"({"name":"show1"})", As(alice_, "r-create-show1"));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << "attempt " << attempt << ": " << res->body;
    EXPECT_EQ(json::parse(res->body)["name"], "show1");
  }
  auto fresh = Raw("POST", "/v1/workspaces", R"({"name":"show1"})", As(alice_, "r-create-again"));
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->status, 409);
  auto reused = Raw("POST", "/v1/workspaces", R"({"name":"show2"})", As(alice_, "r-create-show1"));
  ASSERT_TRUE(reused);
  EXPECT_EQ(reused->status, 400) << "one id, one request";
  EXPECT_EQ(NamesOf(alice_), (std::vector<std::string>{"alice:admin", "show1:admin"}));
}

TEST_F(TeamServerTest, TwoServersOnOneDatabaseAnswerAlternateRequests) {
  auto team2 = TeamDirectory::Open(uri_);
  ASSERT_TRUE(team2.ok()) << team2.status().ToString();
  std::unique_ptr<TeamServer> second = StartServer(team2->get());
  ASSERT_NE(second, nullptr);
  const std::string urls[2] = {server_->url(), second->url()};
  for (int i = 0; i < 10; ++i) {
    TeamClient alice = ClientFor(alice_, urls[i % 2]);
    ASSERT_OK(alice.CreateWorkspace("shot" + std::to_string(i)).status());
    ASSERT_OK(alice.Grant("shot" + std::to_string(i), "bob", i % 2 ? "writer" : "reader"));
    ASSERT_OK_AND_ASSIGN(auto bobs, ClientFor(bob_, urls[(i + 1) % 2]).Workspaces());
    ASSERT_EQ(bobs.size(), static_cast<size_t>(i + 2)) << "the other server sees it at once";
  }
  // A change whose reply was lost on one server, retried on the other, is applied once.
  for (const std::string& url : urls) {
    httplib::Client c(url);
    auto res = c.Post("/v1/workspaces", As(alice_, "r-lost-reply-1"), R"({"name":"seq9"})",
                      "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << url << ": " << res->body;
  }
  // One server stops; the other carries on.
  server_->Stop();
  EXPECT_CODE(ClientFor(alice_, urls[0]).WhoAmI(), Code::kUnavailable);
  ASSERT_OK_AND_ASSIGN(auto alices, ClientFor(alice_, urls[1]).Workspaces());
  EXPECT_EQ(alices.size(), 12u);
}

TEST_F(TeamServerTest, HttpsWithACertificateTheClientTrusts) {
  TempDir tmp;
  const std::string cert = tmp / "server.crt", key = tmp / "server.key";
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 "
                          "-addext subjectAltName=IP:127.0.0.1 -days 2 -keyout '" + key +
                          "' -out '" + cert + "' 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl (scripts/install-deps.sh --test installs it)";
  TeamServerOptions o;
  o.tls_cert = cert;
  o.tls_key = key;
  std::unique_ptr<TeamServer> tls = StartServer(team_.get(), o);
  ASSERT_NE(tls, nullptr);
  ASSERT_EQ(tls->url().rfind("https://127.0.0.1:", 0), 0u) << tls->url();

  TeamClientOptions trusted{tls->url(), alice_, cert};
  trusted.retry_for = std::chrono::milliseconds(0);
  ASSERT_OK_AND_ASSIGN(std::string me, TeamClient(trusted).WhoAmI());
  EXPECT_EQ(me, "alice");
  TeamClientOptions untrusted = trusted;
  untrusted.ca_cert = "";
  EXPECT_CODE(TeamClient(untrusted).WhoAmI(), Code::kUnavailable) << "an unknown certificate";
  TeamClientOptions plain = trusted;
  plain.url = "http://" + tls->url().substr(8);
  EXPECT_FALSE(TeamClient(plain).WhoAmI().ok()) << "plain HTTP to the HTTPS port";

  TeamServerOptions mismatched;
  mismatched.tls_cert = cert;
  mismatched.tls_key = cert;
  EXPECT_CODE(TeamServer::Start(team_.get(), mismatched), Code::kInvalidArgument);
  mismatched.tls_key = "";
  EXPECT_CODE(TeamServer::Start(team_.get(), mismatched), Code::kInvalidArgument);
}

}  // namespace
}  // namespace reel::testing
