// `reel mount DIR --server URL` or `--workspace A,B`: a folder of team workspaces.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/mount.h"
#include "cli/output.h"
#include "remote/team_client.h"

namespace reel::cli {

using nlohmann::json;

namespace {

// The workspaces a folder mount mounts: those named (each one the user may see), or all of them.
Result<std::vector<std::string>> FolderWorkspaces(const MountArgs& a) {
  REEL_ASSIGN_OR_RETURN(TeamClient client, TeamClientFor(a.server));
  REEL_ASSIGN_OR_RETURN(std::vector<WorkspaceView> mine, client.Workspaces());
  std::vector<std::string> names;
  if (a.workspace.empty()) {
    for (const WorkspaceView& w : mine) names.push_back(w.name);
    if (names.empty()) return Status::NotFound("you have no workspace on " + client.url());
    return names;
  }
  if (a.workspace.front() == ',' || a.workspace.back() == ',') {
    return Status::InvalidArgument("--workspace " + a.workspace + ": an empty name");
  }
  std::stringstream list(a.workspace);
  for (std::string name; std::getline(list, name, ',');) {
    if (name.empty()) {
      return Status::InvalidArgument("--workspace " + a.workspace + ": an empty name");
    }
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      return Status::InvalidArgument("--workspace " + a.workspace + ": " + name + " twice");
    }
    if (std::none_of(mine.begin(), mine.end(),
                     [&](const WorkspaceView& w) { return w.name == name; })) {
      return Status::NotFound("you have no role in workspace " + name + " on " + client.url() +
                              " (reel workspace list shows yours)");
    }
    names.push_back(name);
  }
  return names;
}

// DIR/NAME for each workspace: made if missing; one that is there must be an empty directory.
Status PrepareFolders(const std::string& dir, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    const std::string path = dir + "/" + name;
    std::error_code ec;
    const auto status = std::filesystem::symlink_status(path, ec);
    if (!std::filesystem::exists(status)) continue;
    if (!std::filesystem::is_directory(status) || !std::filesystem::is_empty(path, ec)) {
      return Status::AlreadyExists(path + " is in the way: workspace " + name +
                                   " is mounted there, which must be an empty directory");
    }
  }
  for (const std::string& name : names) {
    const std::string path = dir + "/" + name;
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
      return Status::FromErrno(errno, "make " + path);
    }
  }
  return Status::Ok();
}

}  // namespace

// ----------------------------------------------------------- a folder of team workspaces

// `reel mount DIR --server URL` (every workspace the user may see) or `--workspace A,B`: each
// workspace is a folder of DIR, where it is mounted as with --workspace NAME (its own process,
// cache and machine state, kept in its default place or --drive DIR/NAME). A reader's folders
// are read-only; nothing moves between them (EXDEV, as between two disks). Always in the
// background; `reel umount DIR` unmounts them all.
bool IsFolderMount(const MountArgs& a) {
  return a.workspace.find(',') != std::string::npos || (!a.server.empty() && a.workspace.empty());
}

int MountFolder(const MountArgs& given) {
  if (!given.manifest.empty()) return UsageError("--manifest names one drive, not a folder");
  auto names = FolderWorkspaces(given);
  if (!names.ok()) return Fail(names.status());
  char buf[PATH_MAX];
  if (::realpath(given.mountpoint.c_str(), buf) == nullptr) {
    return Fail(Status::FromErrno(errno, "mountpoint " + given.mountpoint));
  }
  const std::string dir = buf;
  if (!std::filesystem::is_directory(dir)) return Fail(dir + " is not a directory");
  if (Status s = PrepareFolders(dir, *names); !s.ok()) return Fail(s);
  if (!given.background) {
    std::cerr << "reel: " << names->size() << " workspaces, each mounted in the background in "
              << dir << " (reel umount " << dir << " unmounts them all)" << std::endl;
  }
  json mounted = json::array();
  for (const std::string& name : *names) {
    MountArgs one = given;
    one.mountpoint = dir + "/" + name;
    one.workspace = name;
    one.background = true;
    if (!given.drive.empty()) one.drive = given.drive + "/" + name;
    auto done = DoMount(one);
    if (!done.ok()) {
      // All or nothing: the ones mounted already go again.
      auto registry = MountRegistry::Open();
      auto live = registry.ok() ? registry->List() : Result<std::vector<MountRecord>>(registry.status());
      for (const MountRecord& r : live.ok() ? MountsUnder(*live, dir) : std::vector<MountRecord>{}) {
        if (Status s = UnmountRecord(r, 120); !s.ok()) spdlog::warn("{}", s.ToString());
      }
      return Fail(done.status().WithContext("workspace " + name));
    }
    (*done)["workspace"] = name;
    mounted.push_back(*done);
  }
  if (given.json) {
    PrintJson(json{{"mountpoint", dir}, {"workspaces", mounted}});
  } else {
    for (const json& m : mounted) std::cout << m.at("mountpoint").get<std::string>() << std::endl;
  }
  return kExitOk;
}

}  // namespace reel::cli
