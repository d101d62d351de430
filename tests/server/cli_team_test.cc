// The reel binary as a team uses it: an admin configures and starts a server, adds users and
// tokens; each user logs in (token on standard input) and manages workspaces through the server.
// A real PostgreSQL server (REEL_TEST_PG_URI); the team server runs in the background on loopback.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "catalog/pg_test_db.h"
#include "common/fs_util.h"
#include "testing/free_port.h"
#include "testing/run_command.h"
#include "testing/temp_dir.h"

namespace reel::testing {
namespace {

using nlohmann::json;

class CliTeamTest : public PgDatabaseTest {
 protected:
  void TearDown() override {
    (void)Reel("server stop " + srv_);
    PgDatabaseTest::TearDown();
  }

  // Runs reel with `args` as the user whose config dir is `home` (its stdin: `input`).
  Outcome Reel(const std::string& args, const std::string& home = "", const std::string& input = "") {
    ScopedEnv config("XDG_CONFIG_HOME", (tmp_ / (home.empty() ? "admin" : home)).c_str());
    const std::string in = tmp_ / "in";
    EXPECT_TRUE(WriteFileAtomic(in, input, 0600).ok());
    return RunCommand(std::string(REEL_BINARY) + " " + args, tmp_.path(), in);
  }

  TempDir tmp_;
  std::string srv_ = tmp_ / "srv";
};

TEST_F(CliTeamTest, AnAdminStartsAServerAndUsersShareAWorkspaceThroughIt) {
  const std::string url = "http://127.0.0.1:" + std::to_string(FreeLoopbackPort());
  Outcome init = Reel("server init " + srv_ + " --catalog '" + uri_ + "' --cloud file://" +
                      tmp_.path() + "/cloud --listen " + url.substr(7));
  ASSERT_EQ(init.code, 0) << init.err;
  struct stat st;
  ASSERT_EQ(::stat((srv_ + "/server.toml").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(Reel("server init " + srv_ + " --catalog '" + uri_ + "' --cloud file:///c").code, 1)
      << "no overwrite";
  EXPECT_EQ(Reel("server init " + tmp_.path() + "/bad --catalog sqlite:///x --cloud file:///c").code, 1);

  std::map<std::string, std::string> tokens;
  std::map<std::string, uint64_t> token_ids;
  for (const char* user : {"alice", "bob", "carol"}) {
    ASSERT_EQ(Reel(std::string("server user add ") + user + " --dir " + srv_).code, 0);
    Outcome token = Reel(std::string("server token create ") + user + " --dir " + srv_ +
                         " --expires 1d --json");
    ASSERT_EQ(token.code, 0) << token.err;
    tokens[user] = json::parse(token.out)["token"];
    token_ids[user] = json::parse(token.out)["id"];
  }
  EXPECT_EQ(Reel("server user add alice --dir " + srv_).code, 1);
  EXPECT_EQ(Reel("server token create alice --dir " + srv_ + " --expires soon").code, 2);

  Outcome run = Reel("server run " + srv_ + " --background --json");
  ASSERT_EQ(run.code, 0) << run.err;
  Outcome twice = Reel("server run " + srv_ + " --background");
  EXPECT_EQ(twice.code, 1);
  EXPECT_NE(twice.err.find("already runs"), std::string::npos) << twice.err;

  for (const auto& [user, token] : tokens) {
    Outcome login = Reel("login " + url, user, token + "\n");
    ASSERT_EQ(login.code, 0) << login.err;
    EXPECT_NE(login.out.find("as " + user), std::string::npos);
    ASSERT_EQ(::stat((tmp_ / user + "/reel/credentials.json").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
  }
  EXPECT_EQ(Reel("login " + url, "dave", "reel_" + std::string(64, '1') + "\n").code, 1);
  EXPECT_NE(::access((tmp_ / "dave/reel/credentials.json").c_str(), F_OK), 0)
      << "a refused login stores nothing";

  ASSERT_EQ(Reel("workspace create show1", "alice").code, 0);
  ASSERT_EQ(Reel("workspace grant show1 bob writer", "alice").code, 0);
  Outcome bobs = Reel("workspace list --json", "bob");
  ASSERT_EQ(bobs.code, 0) << bobs.err;
  json list = json::parse(bobs.out)["workspaces"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1]["name"], "show1");
  EXPECT_EQ(list[1]["role"], "writer");
  Outcome refused = Reel("workspace grant show1 carol admin", "bob");
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("only an admin"), std::string::npos) << refused.err;
  EXPECT_EQ(Reel("workspace grants show1", "carol").code, 1);
  ASSERT_EQ(Reel("workspace revoke show1 bob", "alice").code, 0);
  EXPECT_EQ(json::parse(Reel("workspace list --json", "bob").out)["workspaces"].size(), 1u);

  // A revoked token fails on its next call.
  ASSERT_EQ(Reel("server token revoke carol " + std::to_string(token_ids["carol"]) + " --dir " + srv_).code, 0);
  Outcome revoked = Reel("workspace list", "carol");
  EXPECT_EQ(revoked.code, 1);
  EXPECT_NE(revoked.err.find("revoked"), std::string::npos) << revoked.err;

  ASSERT_EQ(Reel("server stop " + srv_).code, 0);
  EXPECT_NE(::access((srv_ + "/server.pid").c_str(), F_OK), 0);
  Outcome down = Reel("workspace list", "alice");
  EXPECT_EQ(down.code, 1);
  // No token is ever written to the server's log.
  auto log = ReadWholeFile(srv_ + "/server.log");
  ASSERT_TRUE(log.ok());
  EXPECT_NE(log->find("GET /v1/workspaces"), std::string::npos);
  for (const auto& [user, token] : tokens) EXPECT_EQ(log->find(token), std::string::npos) << user;
}

}  // namespace
}  // namespace reel::testing
