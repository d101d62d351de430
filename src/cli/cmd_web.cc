// reel web [PATH]: the web app of the drive holding PATH, with a one-time sign-in link.
#include <chrono>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"

namespace reel::cli {
namespace {

using nlohmann::json;

struct WebArgs {
  std::string path = ".";
  std::string listen;
  bool json = false;
};

int Web(const WebArgs& a) {
  auto conn = Connect(a.path);
  if (!conn.ok()) return Fail(conn.status());
  json body = json::object();
  if (!a.listen.empty()) body["listen"] = a.listen;
  auto link = conn->client.Call("POST", "/v1/web", body, std::chrono::seconds(30));
  if (!link.ok()) return Fail(link.status());
  if (a.json) {
    json j = *link;
    j["mountpoint"] = conn->mount.record.mountpoint;
    PrintJson(j);
    return kExitOk;
  }
  std::cout << "The web app of " << conn->mount.record.mountpoint << " is at "
            << link->value("origin", "") << "\n"
            << "Open this link to sign in (it works once; run `reel web` again for another):\n"
            << "    " << link->value("url", "") << std::endl;
  if (!link->value("app", false)) {
    std::cout << "The app's files were not found (build with scripts/build.sh on a machine with "
                 "Node.js and npm): only its API answers."
              << std::endl;
  }
  return kExitOk;
}

}  // namespace

void AddWebCommands(CLI::App& app, Runner* run) {
  auto a = std::make_shared<WebArgs>();
  auto* cmd = app.add_subcommand(
      "web", "Serve the drive holding PATH (default .) in a browser and print a sign-in link");
  cmd->add_option("PATH", a->path, kDrivePathHelp);
  cmd->add_option("--listen", a->listen,
                  "HOST:PORT on loopback to serve it on (default 127.0.0.1 on a free port; "
                  "fixed once it runs)");
  cmd->add_flag("--json", a->json, "Machine-readable output");
  cmd->callback([a, run] { *run = [a] { return Web(*a); }; });
}

}  // namespace reel::cli
