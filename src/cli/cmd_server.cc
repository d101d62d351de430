// The team server, on the server host: reel server init, run, stop, user, group, token.
// `run` serves the team API (service/team_service.h); the others read DIR/server.toml and work
// on the team's database directly (they need its credentials, which only the server host has).
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>


#include "catalog/catalog.h"
#include "cli/background.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "common/clock.h"
#include "common/fs_util.h"
#include "common/sizes.h"
#include "http/listen_address.h"
#include "server/server_config.h"
#include "service/team_service.h"
#include "store/object_store.h"
#include "team/team_directory.h"

namespace reel::cli {
namespace {

using nlohmann::json;

struct Args {
  std::string dir;
  std::string catalog, cloud, edge, listen, tls_cert, tls_key;
  std::string name, group, expires;
  uint64_t token_id = 0;
  bool background = false;
  bool json = false;
};

int Init(const Args& a) {
  ServerConfig c;
  c.dir = a.dir;
  c.catalog_uri = a.catalog;
  c.cloud_uri = a.cloud;
  c.edge_uri = a.edge;
  if (!a.listen.empty()) c.listen = a.listen;
  c.tls_cert = a.tls_cert;
  c.tls_key = a.tls_key;
  if (Status s = ValidateServerConfig(c); !s.ok()) return Fail(s);
  struct stat st;
  if (::stat(ServerConfigPath(c.dir).c_str(), &st) == 0) {
    return Fail(ServerConfigPath(c.dir) + " exists; refusing to overwrite it");
  }
  // The database and the stores first: nothing is written when one cannot be used.
  auto team = OpenTeam(c);
  if (!team.ok()) return Fail(team.status());
  for (const auto& [tier, uri] : {std::pair{"cloud", c.cloud_uri}, std::pair{"edge", c.edge_uri}}) {
    if (uri.empty()) continue;
    auto store = OpenObjectStore(uri);
    if (!store.ok()) return Fail(store.status().WithContext(std::string("the ") + tier + " store"));
  }
  if (Status s = WriteServerConfig(c); !s.ok()) return Fail(s);
  auto loaded = LoadServerConfig(c.dir);
  if (!loaded.ok()) return Fail(loaded.status());
  if (a.json) {
    PrintJson(json{{"dir", loaded->dir}, {"listen", loaded->listen}});
  } else {
    std::cout << "Team server configured in " << loaded->dir << " (listens on " << loaded->listen
              << "). Add users with: reel server user add NAME --dir " << loaded->dir
              << "\nStart it with: reel server run " << loaded->dir << " --background"
              << std::endl;
  }
  return kExitOk;
}

int Run(const Args& a) {
  auto c = LoadServerConfig(a.dir);
  if (!c.ok()) return Fail(c.status());
  if (!a.listen.empty()) {
    c->listen = a.listen;
    if (Status s = ValidateServerConfig(*c); !s.ok()) return Fail(s);
  }
  auto where = ParseListenAddress(c->listen);
  if (where.ok() && !IsLoopbackHost(where->host)) {
    std::cerr << "reel: note: listening on " << c->listen
              << ", reachable from other machines" << (c->tls_cert.empty() ? " over plain HTTP: "
              "tokens cross the network in the clear unless a TLS proxy is in front" : "")
              << std::endl;
  }
  if (!a.background) {
    Status s = ServeTeam(*c, [] {});
    return s.ok() ? kExitOk : Fail(s);
  }
  const std::string log = ServerLogPath(c->dir);
  auto pid = RunInBackground(log, [&](const std::function<void()>& ready) {
    return ServeTeam(*c, ready);
  });
  if (!pid.ok()) return Fail(pid.status().message());
  if (a.json) {
    PrintJson(json{{"pid", *pid}, {"dir", c->dir}, {"log", log}});
  } else {
    std::cout << "Team server running (pid " << *pid << "); log: " << log << std::endl;
  }
  return kExitOk;
}

int Stop(const Args& a) {
  auto c = LoadServerConfig(a.dir);
  if (!c.ok()) return Fail(c.status());
  const pid_t pid = RunningServerPid(c->dir);
  if (pid == 0) {
    ::unlink(ServerPidPath(c->dir).c_str());
    return Fail("no server runs from " + c->dir);
  }
  if (::kill(pid, SIGTERM) != 0) return Fail(Status::FromErrno(errno, "signal the server"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (::kill(pid, 0) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      return Fail("the server (pid " + std::to_string(pid) + ") did not stop within 60 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::cout << "Team server stopped." << std::endl;
  return kExitOk;
}

// Runs `body` on the team directory of the server in `a.dir`.
int WithTeam(const Args& a, const std::function<int(TeamDirectory&)>& body) {
  auto c = LoadServerConfig(a.dir);
  if (!c.ok()) return Fail(c.status());
  auto team = OpenTeam(*c);
  if (!team.ok()) return Fail(team.status());
  return body(**team);
}

int UserAdd(const Args& a) {
  return WithTeam(a, [&](TeamDirectory& team) {
    auto user = team.AddUser(a.name, WallClockNs());
    if (!user.ok()) return Fail(user.status());
    if (a.json) {
      PrintJson(json{{"user", user->name}, {"id", user->id}, {"home", user->name}});
    } else {
      std::cout << "User " << user->name << " added, with a home workspace \"" << user->name
                << "\". Give them a token with: reel server token create " << user->name
                << " --dir " << a.dir << std::endl;
    }
    return kExitOk;
  });
}

int UserList(const Args& a) {
  return WithTeam(a, [&](TeamDirectory& team) {
    auto users = team.ListUsers();
    if (!users.ok()) return Fail(users.status());
    if (a.json) {
      json list = json::array();
      for (const User& u : *users) list.push_back(json{{"user", u.name}, {"id", u.id}});
      PrintJson(json{{"users", list}});
      return kExitOk;
    }
    Table t({"USER", "ADDED"});
    for (const User& u : *users) t.AddRow({u.name, FormatLocalTime(u.created)});
    std::cout << t.Render();
    return kExitOk;
  });
}

int GroupAdd(const Args& a) {
  return WithTeam(a, [&](TeamDirectory& team) {
    if (Status s = team.AddGroup(a.group, WallClockNs()); !s.ok()) return Fail(s);
    std::cout << "Group @" << a.group << " added." << std::endl;
    return kExitOk;
  });
}

int GroupAddUser(const Args& a) {
  return WithTeam(a, [&](TeamDirectory& team) {
    if (Status s = team.AddToGroup(a.group, a.name); !s.ok()) return Fail(s);
    std::cout << a.name << " is in @" << a.group << "." << std::endl;
    return kExitOk;
  });
}

int TokenCreate(const Args& a) {
  TimeNs expires = 0;
  const TimeNs now = WallClockNs();
  if (a.expires != "never") {
    auto seconds = ParseDuration(a.expires);
    if (!seconds.ok()) return UsageError("--expires: " + seconds.status().message());
    if (*seconds == 0 || *seconds > 10ull * 365 * 86400) {
      return UsageError("--expires: between 1s and 10 years, or \"never\"");
    }
    expires = now + static_cast<TimeNs>(*seconds) * 1'000'000'000;
  }
  return WithTeam(a, [&](TeamDirectory& team) {
    auto token = team.CreateToken(a.name, now, expires);
    if (!token.ok()) return Fail(token.status());
    if (a.json) {
      PrintJson(json{{"user", a.name}, {"id", token->id}, {"token", token->secret},
                     {"expires_ns", token->expires}});
    } else {
      std::cerr << "Token " << token->id << " for " << a.name
                << (expires == 0 ? std::string(", never expires")
                                 : ", expires " + FormatLocalTime(expires))
                << ". It is shown once; pass it to: reel login URL" << std::endl;
      std::cout << token->secret << std::endl;
    }
    return kExitOk;
  });
}

int TokenRevoke(const Args& a) {
  return WithTeam(a, [&](TeamDirectory& team) {
    if (Status s = team.RevokeToken(a.name, a.token_id, WallClockNs()); !s.ok()) return Fail(s);
    std::cout << "Token " << a.token_id << " of " << a.name << " revoked." << std::endl;
    return kExitOk;
  });
}

}  // namespace

void AddServerCommands(CLI::App& app, Runner* run) {
  auto* server = app.add_subcommand("server", "Run a team server (on the server host)");
  server->require_subcommand(1);
  auto dir_option = [](CLI::App* cmd, Args* a) {
    cmd->add_option("--dir", a->dir, "The server's directory (holds server.toml)")->required();
  };
  {
    auto a = std::make_shared<Args>();
    auto* cmd = server->add_subcommand("init", "Configure a team server in DIR");
    cmd->add_option("DIR", a->dir, "Directory for server.toml, its pid file and log")->required();
    cmd->add_option("--catalog", a->catalog, "The team catalog: postgresql://USER@HOST:PORT/DB")
        ->required();
    cmd->add_option("--cloud", a->cloud, "The team's cloud store (s3://, rados://, file://)")
        ->required();
    cmd->add_option("--edge", a->edge, "The team's edge store (optional)");
    cmd->add_option("--listen", a->listen, "HOST:PORT to listen on (default 127.0.0.1:7480)");
    cmd->add_option("--tls-cert", a->tls_cert, "PEM certificate: serve HTTPS");
    cmd->add_option("--tls-key", a->tls_key, "PEM private key of --tls-cert");
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return Init(*a); }; });
  }
  {
    auto a = std::make_shared<Args>();
    auto* cmd = server->add_subcommand("run", "Serve the team API (in the foreground unless --background)");
    cmd->add_option("DIR", a->dir, "The server's directory")->required();
    cmd->add_option("--listen", a->listen, "HOST:PORT, instead of server.toml's");
    cmd->add_flag("--background", a->background, "Return once serving; keep serving in the background");
    cmd->add_flag("--json", a->json, "Machine-readable output (with --background)");
    cmd->callback([a, run] { *run = [a] { return Run(*a); }; });
  }
  {
    auto a = std::make_shared<Args>();
    auto* cmd = server->add_subcommand("stop", "Stop the server running from DIR");
    cmd->add_option("DIR", a->dir, "The server's directory")->required();
    cmd->callback([a, run] { *run = [a] { return Stop(*a); }; });
  }
  auto* user = server->add_subcommand("user", "Users of the team");
  user->require_subcommand(1);
  {
    auto a = std::make_shared<Args>();
    auto* cmd = user->add_subcommand("add", "Add a user (and their home workspace)");
    cmd->add_option("NAME", a->name, "1 to 64 of a-z 0-9 . _ -")->required();
    dir_option(cmd, a.get());
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return UserAdd(*a); }; });
  }
  {
    auto a = std::make_shared<Args>();
    auto* cmd = user->add_subcommand("list", "List the users");
    dir_option(cmd, a.get());
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return UserList(*a); }; });
  }
  auto* group = server->add_subcommand("group", "Groups of users (granted as @NAME)");
  group->require_subcommand(1);
  {
    auto a = std::make_shared<Args>();
    auto* cmd = group->add_subcommand("add", "Add a group");
    cmd->add_option("NAME", a->group, "The group's name (without @)")->required();
    dir_option(cmd, a.get());
    cmd->callback([a, run] { *run = [a] { return GroupAdd(*a); }; });
  }
  {
    auto a = std::make_shared<Args>();
    auto* cmd = group->add_subcommand("add-user", "Put a user in a group");
    cmd->add_option("GROUP", a->group, "The group (without @)")->required();
    cmd->add_option("USER", a->name, "The user")->required();
    dir_option(cmd, a.get());
    cmd->callback([a, run] { *run = [a] { return GroupAddUser(*a); }; });
  }
  auto* token = server->add_subcommand("token", "API tokens of users");
  token->require_subcommand(1);
  {
    auto a = std::make_shared<Args>();
    a->expires = "90d";
    auto* cmd = token->add_subcommand("create", "Make a token for a user (printed once)");
    cmd->add_option("NAME", a->name, "The user")->required();
    dir_option(cmd, a.get());
    cmd->add_option("--expires", a->expires, "Lifetime, e.g. 30d, 12h, or never (default 90d)");
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return TokenCreate(*a); }; });
  }
  {
    auto a = std::make_shared<Args>();
    auto* cmd = token->add_subcommand("revoke", "Revoke a token: its next call fails");
    cmd->add_option("NAME", a->name, "The user")->required();
    cmd->add_option("ID", a->token_id, "The token's id (shown when it was made)")->required();
    dir_option(cmd, a.get());
    cmd->callback([a, run] { *run = [a] { return TokenRevoke(*a); }; });
  }
}

}  // namespace reel::cli
