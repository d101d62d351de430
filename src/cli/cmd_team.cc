// Team commands, as the logged-in user, through a team server: reel login, logout, workspace.
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/output.h"
#include "common/percent_encode.h"
#include "common/sizes.h"
#include "remote/credentials.h"
#include "remote/server_url.h"
#include "remote/team_client.h"

namespace reel::cli {
namespace {

using nlohmann::json;

struct Args {
  std::string server;  // --server, or the URL of `login`
  std::string ca_cert;
  std::string name, principal, role;
  std::vector<std::string> settings;  // workspace set: KEY=VALUE
  std::string kind, path;  // task send
  std::string from, into;  // project
  std::vector<std::string> paths;
  bool published = false;
  bool wait = false;
  uint64_t timeout_seconds = 600;
  bool json = false;
  bool encrypted = false;
};

// A token from standard input: one line, read without echo when it is a terminal.
Result<std::string> ReadToken() {
  const bool tty = ::isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (tty) {
    std::cerr << "Token: " << std::flush;
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string token;
  std::getline(std::cin, token);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << std::endl;
  }
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) return Status::InvalidArgument("no token given on standard input");
  return token;
}

Result<Credentials> LoadCredentials() {
  REEL_ASSIGN_OR_RETURN(std::string path, CredentialsPath());
  return Credentials::Load(path);
}

// A client for --server (or the only server logged in to).
Result<TeamClient> Client(const Args& a) { return TeamClientFor(a.server); }

int Login(const Args& a) {
  auto url = NormalizeServerUrl(a.server);
  if (!url.ok()) return UsageError(url.status().message());
  auto token = ReadToken();
  if (!token.ok()) return Fail(token.status());
  std::string ca;
  if (!a.ca_cert.empty()) {
    char buf[PATH_MAX];
    if (::realpath(a.ca_cert.c_str(), buf) == nullptr) {
      return Fail(Status::FromErrno(errno, "--ca-cert " + a.ca_cert));
    }
    ca = buf;
  }
  TeamClient client({*url, *token, ca});
  auto user = client.WhoAmI();
  if (!user.ok()) return Fail(user.status().WithContext("login to " + *url));
  auto creds = LoadCredentials();
  if (!creds.ok()) return Fail(creds.status());
  creds->Set(*url, ServerLogin{*user, *token, ca});
  if (Status s = creds->Save(); !s.ok()) return Fail(s);
  std::cout << "Logged in to " << *url << " as " << *user << "." << std::endl;
  return kExitOk;
}

int Logout(const Args& a) {
  auto creds = LoadCredentials();
  if (!creds.ok()) return Fail(creds.status());
  auto login = creds->Find(a.server);
  if (!login.ok()) return Fail(login.status());
  creds->Remove(login->first);
  if (Status s = creds->Save(); !s.ok()) return Fail(s);
  std::cout << "Logged out of " << login->first << " (the token stays valid until it expires or "
            << "is revoked)." << std::endl;
  return kExitOk;
}

json WorkspaceJson(const WorkspaceView& w) {
  return json{{"name", w.name},         {"role", w.role},
              {"home", w.home},         {"share", w.share},
              {"conflict", w.conflict}, {"encrypted", w.encrypted},
              {"created_ns", w.created_ns}};
}

int WorkspaceList(const Args& a) {
  auto client = Client(a);
  if (!client.ok()) return Fail(client.status());
  auto spaces = client->Workspaces();
  if (!spaces.ok()) return Fail(spaces.status());
  if (a.json) {
    json list = json::array();
    for (const WorkspaceView& w : *spaces) list.push_back(WorkspaceJson(w));
    PrintJson(json{{"server", client->url()}, {"workspaces", list}});
    return kExitOk;
  }
  Table t({"WORKSPACE", "ROLE", "SHARES", "CONFLICTS", "ENCRYPTED", "CREATED"});
  for (const WorkspaceView& w : *spaces) {
    t.AddRow({w.name + (w.home ? " (home)" : ""), w.role, w.share, w.conflict,
              w.encrypted ? "yes" : "no", FormatLocalTime(w.created_ns)});
  }
  std::cout << t.Render();
  return kExitOk;
}

int WorkspaceCreate(const Args& a) {
  auto client = Client(a);
  if (!client.ok()) return Fail(client.status());
  auto w = client->CreateWorkspace(a.name, a.encrypted);
  if (!w.ok()) return Fail(w.status());
  if (a.json) {
    PrintJson(WorkspaceJson(*w));
  } else {
    std::cout << "Workspace " << w->name << " created" << (w->encrypted ? " (encrypted)" : "")
              << "; you are its admin." << std::endl;
  }
  return kExitOk;
}

// KEY=VALUE settings: share=on-close|on-publish, conflict=last-writer-wins|keep-both|reject.
int WorkspaceSet(const Args& a) {
  json settings = json::object();
  for (const std::string& kv : a.settings) {
    const size_t eq = kv.find('=');
    const std::string key = kv.substr(0, eq);
    if (eq == std::string::npos || (key != "share" && key != "conflict")) {
      return Fail(Status::InvalidArgument("\"" + kv + "\": expected share=on-close|on-publish "
                                          "or conflict=last-writer-wins|keep-both|reject"));
    }
    if (settings.contains(key)) return Fail(Status::InvalidArgument(key + " given twice"));
    settings[key] = kv.substr(eq + 1);
  }
  auto client = Client(a);
  if (!client.ok()) return Fail(client.status());
  auto w = client->SetWorkspace(a.name, settings);
  if (!w.ok()) return Fail(w.status());
  if (a.json) {
    PrintJson(WorkspaceJson(*w));
  } else {
    std::cout << "Workspace " << w->name << ": share=" << w->share << " conflict=" << w->conflict
              << "." << std::endl;
  }
  return kExitOk;
}

int Instances(const Args& a) {
  auto client = Client(a);
  if (!client.ok()) return Fail(client.status());
  auto instances = client->Instances(a.name);
  if (!instances.ok()) return Fail(instances.status());
  if (a.json) {
    json list = json::array();
    for (const InstanceView& i : *instances) {
      list.push_back(json{{"name", i.name},
                          {"user", i.user},
                          {"workspace", i.workspace},
                          {"host", i.host},
                          {"online", i.online},
                          {"started_ns", i.started_ns},
                          {"last_seen_ns", i.last_seen_ns},
                          {"cache_bytes", i.cache_bytes},
                          {"cache_limit", i.cache_limit},
                          {"transfer_queue", i.transfer_queue},
                          {"pending_commits", i.pending_commits}});
    }
    PrintJson(json{{"server", client->url()}, {"instances", list}});
    return kExitOk;
  }
  Table t({"INSTANCE", "USER", "WORKSPACE", "HOST", "STATE", "LAST SEEN", "CACHE", "QUEUE"});
  for (const InstanceView& i : *instances) {
    t.AddRow({i.name, i.user, i.workspace, i.host, i.online ? "online" : "offline",
              FormatLocalTime(i.last_seen_ns),
              FormatSize(i.cache_bytes) +
                  (i.cache_limit != 0 ? " of " + FormatSize(i.cache_limit) : std::string()),
              std::to_string(i.transfer_queue)});
  }
  std::cout << t.Render();
  return kExitOk;
}

json TaskJson(const TaskView& t) {
  return json{{"id", t.id},           {"instance", t.instance},     {"workspace", t.workspace},
              {"kind", t.kind},       {"path", t.path},             {"state", t.state},
              {"message", t.message}, {"created_by", t.created_by}, {"created_ns", t.created_ns},
              {"updated_ns", t.updated_ns}};
}

std::string TaskLine(const TaskView& t) {
  return "task " + std::to_string(t.id) + " (" + t.kind + " \"" + t.path + "\" on " +
         t.instance + "): " + t.state + (t.message.empty() ? "" : ": " + t.message);
}

int TaskSend(const Args& a) {
  auto client = Client(a);
  if (!client.ok()) return Fail(client.status());
  auto task = client->SendTask(a.name, a.kind, a.path);
  if (!task.ok()) return Fail(task.status());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(a.timeout_seconds);
  while (a.wait && task->state != "done" && task->state != "failed") {
    if (std::chrono::steady_clock::now() >= deadline) {
      return Fail(Status::Unavailable(TaskLine(*task) + ", still after " +
                                           std::to_string(a.timeout_seconds) + " s"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the instance runs it
    task = client->Task(task->id);
    if (!task.ok()) return Fail(task.status());
  }
  if (a.json) {
    PrintJson(TaskJson(*task));
  } else {
    std::cout << TaskLine(*task) << std::endl;
  }
  return task->state == "failed" ? kExitError : kExitOk;
}

int Project(const Args& a) {
  auto client = Client(a);
  if (!client.ok()) return Fail(client.status());
  json body{{"from", a.from}, {"paths", a.paths}, {"into", a.into},
            {"published_only", a.published}};
  auto out = client->Call("POST", "/v1/workspaces/" + PercentEncode(a.name) + "/projections",
                          body);
  if (!out.ok()) return Fail(out.status());
  if (a.json) {
    PrintJson(*out);
    return kExitOk;
  }
  const std::string where = a.name + (a.into.empty() ? "" : "/" + a.into);
  const uint64_t files = out->value("files", uint64_t{0});
  std::cout << "projected " << files << (files == 1 ? " file (" : " files (")
            << FormatSize(out->value("bytes", uint64_t{0})) << ") from " << a.from << " into "
            << where << ", no bytes copied" << std::endl;
  for (const json& s : out->value("skipped", json::array())) {
    std::cout << "skipped " << s.get<std::string>() << std::endl;
  }
  return kExitOk;
}

int TaskList(const Args& a) {
  auto client = Client(a);
  if (!client.ok()) return Fail(client.status());
  auto tasks = client->Tasks(a.name);
  if (!tasks.ok()) return Fail(tasks.status());
  if (a.json) {
    json list = json::array();
    for (const TaskView& t : *tasks) list.push_back(TaskJson(t));
    PrintJson(json{{"instance", a.name}, {"tasks", list}});
    return kExitOk;
  }
  for (const TaskView& t : *tasks) std::cout << TaskLine(t) << std::endl;
  return kExitOk;
}

int WorkspaceGrants(const Args& a) {
  auto client = Client(a);
  if (!client.ok()) return Fail(client.status());
  auto grants = client->Grants(a.name);
  if (!grants.ok()) return Fail(grants.status());
  if (a.json) {
    json list = json::array();
    for (const GrantView& g : *grants) list.push_back(json{{"principal", g.principal}, {"role", g.role}});
    PrintJson(json{{"workspace", a.name}, {"grants", list}});
    return kExitOk;
  }
  Table t({"WHO", "ROLE"});
  for (const GrantView& g : *grants) t.AddRow({g.principal, g.role});
  std::cout << t.Render();
  return kExitOk;
}

int WorkspaceGrant(const Args& a) {
  auto client = Client(a);
  if (!client.ok()) return Fail(client.status());
  if (Status s = client->Grant(a.name, a.principal, a.role); !s.ok()) return Fail(s);
  std::cout << a.principal << " is " << a.role << " in " << a.name << "." << std::endl;
  return kExitOk;
}

int WorkspaceRevoke(const Args& a) {
  auto client = Client(a);
  if (!client.ok()) return Fail(client.status());
  if (Status s = client->Revoke(a.name, a.principal); !s.ok()) return Fail(s);
  std::cout << a.principal << " has no grant in " << a.name << " any more." << std::endl;
  return kExitOk;
}

}  // namespace

void AddTeamCommands(CLI::App& app, Runner* run) {
  {
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand(
        "login", "Log in to a team server with a token (read from standard input)");
    cmd->add_option("URL", a->server, "The server, e.g. https://reel.example:7480")->required();
    cmd->add_option("--ca-cert", a->ca_cert, "PEM certificate to trust for this server");
    cmd->callback([a, run] { *run = [a] { return Login(*a); }; });
  }
  {
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand("logout", "Forget the token of a team server");
    cmd->add_option("--server", a->server, "The server (default: the only one logged in to)");
    cmd->callback([a, run] { *run = [a] { return Logout(*a); }; });
  }
  {
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand(
        "instances", "The mounts of your team workspaces: online or not, cache use, queue");
    cmd->add_option("--workspace", a->name, "Only this workspace's");
    cmd->add_option("--server", a->server, "The server (default: the only one logged in to)");
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return Instances(*a); }; });
  }
  {
    auto a = std::make_shared<Args>();
    auto* cmd = app.add_subcommand(
        "project", "Project files of a workspace into another without copying bytes (a reader "
                   "of FROM, a writer of INTO)");
    cmd->add_option("FROM", a->from, "The workspace the files are in")->required();
    cmd->add_option("INTO", a->name, "The workspace they go into")->required();
    cmd->add_option("PATH", a->paths,
                    "Files, directories (all below) or glob patterns of FROM, relative to it")
        ->required();
    cmd->add_option("--dir", a->into, "A directory of INTO to put them under (made if missing)");
    cmd->add_flag("--published", a->published,
                  "Each file's newest published version (files with none are skipped)");
    cmd->add_option("--server", a->server, "The server (default: the only one logged in to)");
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return Project(*a); }; });
  }
  auto* task = app.add_subcommand("task", "Tasks for a running instance (pipelines)");
  task->require_subcommand(1);
  {
    auto a = std::make_shared<Args>();
    auto* cmd = task->add_subcommand(
        "send", "Have an instance hydrate, publish, evict, pin, unpin or save a path of its "
                "workspace (writers)");
    cmd->add_option("INSTANCE", a->name, "The instance (reel instances)")->required();
    cmd->add_option("KIND", a->kind, "hydrate, publish, evict, pin, unpin or save")
        ->required()
        ->check(CLI::IsMember({"hydrate", "publish", "evict", "pin", "unpin", "save"}));
    cmd->add_option("PATH", a->path, "In the workspace (default: all of it)");
    cmd->add_flag("--wait", a->wait, "Wait until it is done or failed (exit 1 if it failed)");
    cmd->add_option("--timeout", a->timeout_seconds, "With --wait: give up after this (s)");
    cmd->add_option("--server", a->server, "The server (default: the only one logged in to)");
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return TaskSend(*a); }; });
  }
  {
    auto a = std::make_shared<Args>();
    auto* cmd = task->add_subcommand("list", "An instance's tasks, oldest first");
    cmd->add_option("INSTANCE", a->name, "The instance (reel instances)")->required();
    cmd->add_option("--server", a->server, "The server (default: the only one logged in to)");
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return TaskList(*a); }; });
  }
  auto* ws = app.add_subcommand("workspace", "Workspaces of a team drive and who may use them");
  ws->require_subcommand(1);
  auto common = [](CLI::App* cmd, Args* a) {
    cmd->add_option("--server", a->server, "The server (default: the only one logged in to)");
  };
  {
    auto a = std::make_shared<Args>();
    auto* cmd = ws->add_subcommand("list", "The workspaces you have a role in");
    common(cmd, a.get());
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return WorkspaceList(*a); }; });
  }
  {
    auto a = std::make_shared<Args>();
    auto* cmd = ws->add_subcommand("create", "Create a project workspace (you become its admin)");
    cmd->add_option("NAME", a->name, "1 to 64 of a-z 0-9 . _ -")->required();
    cmd->add_flag("--encrypted", a->encrypted,
                  "Seal its chunks with a key of its own before they leave an instance");
    common(cmd, a.get());
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return WorkspaceCreate(*a); }; });
  }
  {
    auto a = std::make_shared<Args>();
    auto* cmd = ws->add_subcommand(
        "set", "Change a workspace's settings (admins only): share=on-close|on-publish, "
               "conflict=last-writer-wins|keep-both|reject");
    cmd->add_option("NAME", a->name, "The workspace")->required();
    cmd->add_option("SETTING", a->settings, "KEY=VALUE, one or more")->required();
    common(cmd, a.get());
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return WorkspaceSet(*a); }; });
  }
  {
    auto a = std::make_shared<Args>();
    auto* cmd = ws->add_subcommand("grants", "Who may use a workspace");
    cmd->add_option("NAME", a->name, "The workspace")->required();
    common(cmd, a.get());
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return WorkspaceGrants(*a); }; });
  }
  {
    auto a = std::make_shared<Args>();
    auto* cmd = ws->add_subcommand("grant", "Give a user or @group a role (admins only)");
    cmd->add_option("NAME", a->name, "The workspace")->required();
    cmd->add_option("WHO", a->principal, "A user, or @group")->required();
    cmd->add_option("ROLE", a->role, "reader, writer or admin")
        ->required()
        ->check(CLI::IsMember({"reader", "writer", "admin"}));
    common(cmd, a.get());
    cmd->callback([a, run] { *run = [a] { return WorkspaceGrant(*a); }; });
  }
  {
    auto a = std::make_shared<Args>();
    auto* cmd = ws->add_subcommand("revoke", "Take away a user's or @group's grant (admins only)");
    cmd->add_option("NAME", a->name, "The workspace")->required();
    cmd->add_option("WHO", a->principal, "A user, or @group")->required();
    common(cmd, a.get());
    cmd->callback([a, run] { *run = [a] { return WorkspaceRevoke(*a); }; });
  }
}

}  // namespace reel::cli
