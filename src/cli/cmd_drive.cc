// Drives and mounts: reel init, reel mount, reel umount.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include <spdlog/spdlog.h>

#include "cli/background.h"
#include "cli/commands.h"
#include "cli/mount.h"
#include "cli/output.h"
#include "common/fs_util.h"
#include "common/sizes.h"
#include "drive/drive.h"
#include "http/listen_address.h"
#include "fuse/fusermount.h"
#include "remote/credentials.h"
#include "service/mount_service.h"

namespace reel::cli {
namespace {

using nlohmann::json;

// ------------------------------------------------------------------------------------- init

struct InitArgs {
  std::string dir;
  std::string name;
  std::string chunking;
  std::string fixed_size;
  std::string policy;
  uint32_t interval = 0;
  std::string edge;
  std::string cloud;
  std::string cache_limit;
  bool json = false;
};

int Init(const InitArgs& a) {
  std::string dir = a.dir;
  if (dir.empty()) {
    auto d = DefaultDriveDir();
    if (!d.ok()) return Fail(d.status());
    dir = *d;
  }
  InitOptions o;
  o.name = a.name;
  if (!a.chunking.empty()) {
    auto k = ParseChunking(a.chunking);
    if (!k.ok()) return UsageError(k.status().message());
    o.chunking = *k;
  }
  if (!a.fixed_size.empty()) {
    auto size = ParseSize(a.fixed_size);
    if (!size.ok()) return UsageError("--fixed-size: " + size.status().message());
    o.fixed_size = *size;
  }
  if (!a.policy.empty()) {
    auto p = ParsePolicy(a.policy);
    if (!p.ok()) return UsageError(p.status().message());
    o.policy = *p;
  }
  if (a.interval != 0) {
    o.interval_seconds = a.interval;
    if (!o.policy) o.policy = VersionPolicy::kInterval;  // --interval alone means that policy
  }
  o.edge_uri = a.edge;
  o.cloud_uri = a.cloud;
  if (!a.cache_limit.empty()) {
    auto size = ParseSize(a.cache_limit);
    if (!size.ok()) return UsageError("--cache-limit: " + size.status().message());
    o.cache_limit = *size;
  }
  auto m = InitDrive(dir, o);
  if (!m.ok()) return Fail(m.status());
  if (a.json) {
    PrintJson(json{{"dir", m->dir},
                   {"manifest", m->Path()},
                   {"id", m->id},
                   {"name", m->name},
                   {"chunking", ChunkingName(m->chunking.kind)},
                   {"policy", PolicyName(m->policy)}});
  } else {
    std::cout << "Created drive '" << m->name << "' in " << m->dir << "\n"
              << "  id:       " << m->id << "\n"
              << "  chunking: " << ChunkingName(m->chunking.kind)
              << (m->chunking.kind == ChunkerOptions::Kind::kFixed
                      ? " (" + FormatSize(m->chunking.fixed_size) + ")"
                      : std::string())
              << "\n"
              << "  versions: " << PolicyName(m->policy)
              << (m->policy == VersionPolicy::kInterval
                      ? " (every " + std::to_string(m->interval_seconds) + " s)"
                      : std::string())
              << "\n"
              << "Mount it with: reel mount MOUNTPOINT --drive " << m->dir << std::endl;
  }
  return kExitOk;
}

// ------------------------------------------------------------------------------------ mount

std::string RealPathOr(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? std::string(buf) : path;
}

// The manifest of workspace --workspace of the team drive at --server (default: the server
// logged in to), in --drive DIR or this user's default place for it: made on first use.
Result<Manifest> TeamManifest(const MountArgs& a) {
  REEL_ASSIGN_OR_RETURN(std::string path, CredentialsPath());
  REEL_ASSIGN_OR_RETURN(Credentials credentials, Credentials::Load(path));
  REEL_ASSIGN_OR_RETURN(auto login, credentials.Find(a.server));
  const std::string& server = login.first;
  std::string dir = a.drive;
  if (dir.empty()) {
    REEL_ASSIGN_OR_RETURN(dir, DefaultTeamDriveDir(server, a.workspace));
  }
  auto m = LoadManifest(dir + "/" + kManifestFileName);
  if (m.ok() && (m->team_server != server || m->team_workspace != a.workspace)) {
    return Status::InvalidArgument(dir + " holds " +
                                   (m->IsTeam() ? "workspace " + m->team_workspace + " of " +
                                                      m->team_server
                                                : std::string("a drive of its own")) +
                                   ", not workspace " + a.workspace + " of " + server);
  }
  if (m.status().code() != Code::kNotFound) return m;
  InitOptions init;
  init.name = a.workspace;
  init.team_server = server;
  init.team_workspace = a.workspace;
  REEL_ASSIGN_OR_RETURN(Manifest created, InitDrive(dir, init));
  std::cerr << "reel: this machine keeps workspace " << a.workspace << " of " << server << " in "
            << created.dir << std::endl;
  return created;
}

// The manifest to mount: --manifest FILE, --drive DIR, or the default drive (created if missing).
Result<Manifest> MountManifest(const MountArgs& a) {
  if (!a.manifest.empty()) return LoadManifest(a.manifest);
  if (!a.workspace.empty()) return TeamManifest(a);
  if (!a.drive.empty()) {
    auto m = LoadManifest(a.drive + "/" + kManifestFileName);
    if (m.status().code() == Code::kNotFound) {
      return Status::NotFound("no drive in " + a.drive + " (create one with: reel init " +
                              a.drive + ")");
    }
    return m;
  }
  REEL_ASSIGN_OR_RETURN(std::string dir, DefaultDriveDir());
  auto m = LoadManifest(dir + "/" + kManifestFileName);
  if (m.status().code() != Code::kNotFound) return m;
  REEL_ASSIGN_OR_RETURN(Manifest created, InitDrive(dir, {}));
  std::cerr << "reel: created a new drive in " << created.dir << std::endl;
  return created;
}

// Mounts, serves the control API, and runs until unmounted (service/mount_service.h).
Status Serve(const Manifest& m, const std::string& mountpoint, const MountArgs& a,
             MountRegistry& registry, const std::function<void()>& on_ready) {
  MountServeOptions options;
  options.mountpoint = mountpoint;
  options.allow_other = a.allow_other;
  options.debug = a.debug;
  options.metrics = a.metrics;
  options.version = REEL_VERSION;
  return ServeMount(m, options, registry, on_ready);
}

// Serves in a child process; returns what it mounted once the mount is up.
Result<json> Background(const Manifest& m, const std::string& mountpoint, const MountArgs& a,
                        MountRegistry& registry) {
  const std::string log_path = m.dir + "/mount.log";
  REEL_ASSIGN_OR_RETURN(pid_t pid,
                        RunInBackground(log_path, [&](const std::function<void()>& ready) {
                          return Serve(m, mountpoint, a, registry, ready);
                        }));
  return json{{"mountpoint", mountpoint},
              {"pid", pid},
              {"drive_dir", m.dir},
              {"socket", registry.SocketPathFor(pid)},
              {"log", log_path}};
}

// Whether other users of the machine get in (under their own permissions: the kernel checks them,
// default_permissions). As root, by default, as peers do; as another user, when /etc/fuse.conf
// lets users do so, with a warning on stderr when it does not. --private keeps the mount to its
// owner; an explicit --allow-other is passed on as asked (fusermount3 refuses it if not allowed).
bool LetOthersIn(const MountArgs& a, const std::string& mountpoint) {
  if (a.private_mount) return false;
  if (a.allow_other || ::geteuid() == 0) return true;
  if (FuseConfAllowsOther()) return true;
  std::cerr << "reel: warning: other users of this machine will get \"permission denied\" in "
            << mountpoint << ": /etc/fuse.conf has no user_allow_other line (add it to let them "
            << "in; --private keeps the mount to you without this warning)" << std::endl;
  return false;
}

}  // namespace

// Mounts one drive or workspace: in the background (returns what it mounted once it is up) or
// in the foreground (returns once it is unmounted, with null).
Result<json> DoMount(const MountArgs& given) {
  MountArgs a = given;
  REEL_ASSIGN_OR_RETURN(Manifest m, MountManifest(a));

  char buf[PATH_MAX];
  if (::realpath(a.mountpoint.c_str(), buf) == nullptr) {
    if (errno == ENOTCONN) {
      return Status::InvalidArgument(a.mountpoint +
                                        " is a mount whose process has died; run: reel umount " +
                                        a.mountpoint);
    }
    return Status::FromErrno(errno, "mountpoint " + a.mountpoint);
  }
  std::string mountpoint = buf;
  struct stat st;
  if (::stat(mountpoint.c_str(), &st) != 0) {
    if (errno == ENOTCONN) {
      return Status::InvalidArgument(mountpoint +
                                        " is a mount whose process has died; run: reel umount " +
                                        mountpoint);
    }
    return Status::FromErrno(errno, "mountpoint " + mountpoint);
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument("mountpoint " + mountpoint + " is not a directory");
  }
  // The drive's own files (catalog, store, staging) must not end up under the mount.
  for (const std::string& own : {m.dir, m.ResolvedStagingDir()}) {
    std::string real = RealPathOr(own);
    if (IsUnder(real, mountpoint) || IsUnder(mountpoint, real)) {
      return Status::InvalidArgument("cannot mount at " + mountpoint +
                                     ": it overlaps the drive's own directory " + real);
    }
  }

  REEL_ASSIGN_OR_RETURN(MountRegistry registry, MountRegistry::Open());
  REEL_ASSIGN_OR_RETURN(std::vector<MountRecord> live, registry.List());
  for (const auto& r : live) {
    if (r.mountpoint == mountpoint) {
      return Status::AlreadyExists(mountpoint + " is already mounted (pid " +
                                   std::to_string(r.pid) + ")");
    }
    if (r.drive_dir == m.dir) {
      return Status::AlreadyExists("drive " + m.dir + " is already mounted at " + r.mountpoint +
                                   " (pid " + std::to_string(r.pid) + ")");
    }
  }

  a.allow_other = LetOthersIn(given, mountpoint);
  ::signal(SIGPIPE, SIG_IGN);  // a client that goes away must not kill the mount
  if (a.debug) spdlog::set_level(spdlog::level::debug);
  if (a.background) return Background(m, mountpoint, a, registry);
  REEL_RETURN_IF_ERROR(Serve(m, mountpoint, a, registry, [] {}));
  return json();
}

namespace {

int Mount(const MountArgs& a) {
  if (IsFolderMount(a)) return MountFolder(a);
  auto mounted = DoMount(a);
  if (!mounted.ok()) return Fail(mounted.status());
  if (!a.background) return kExitOk;
  if (a.json) {
    PrintJson(*mounted);
  } else {
    std::cout << mounted->at("mountpoint").get<std::string>() << std::endl;
  }
  return kExitOk;
}

// ----------------------------------------------------------------------------------- umount

struct UmountArgs {
  std::string mountpoint;
  int timeout = 120;
  bool json = false;
};

bool WaitForExit(const MountRecord& record, int timeout_seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  while (IsMountProcessAlive(record)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

int Umounted(const UmountArgs& a, const std::string& mountpoint) {
  if (a.json) PrintJson(json{{"mountpoint", mountpoint}, {"unmounted", true}});
  else std::cout << "Unmounted " << mountpoint << std::endl;
  return kExitOk;
}

}  // namespace

// Unmounts a live mount through its API (so a busy mount is refused: Busy) and waits for its
// process to finish.
Status UnmountRecord(const MountRecord& record, int timeout_seconds) {
  Status s = ApiClient(record.socket_path).Unmount();
  if (s.code() == Code::kBusy) return s;
  if (!s.ok()) {
    spdlog::debug("unmount through the API failed ({}); using fusermount3", s.ToString());
    REEL_RETURN_IF_ERROR(FusermountUnmount(record.mountpoint));
  }
  if (!WaitForExit(record, timeout_seconds)) {
    return Status::Unavailable(record.mountpoint + " is unmounted, but its process (pid " +
                               std::to_string(record.pid) + ") is still finishing after " +
                               std::to_string(timeout_seconds) + " s; see " + record.drive_dir +
                               "/mount.log");
  }
  return Status::Ok();
}

// The live mounts in the folder `dir` (a folder mount's workspaces), deepest first.
std::vector<MountRecord> MountsUnder(const std::vector<MountRecord>& live, const std::string& dir) {
  std::vector<MountRecord> under;
  for (const auto& r : live) {
    if (r.mountpoint != dir && IsUnder(r.mountpoint, dir)) under.push_back(r);
  }
  std::sort(under.begin(), under.end(), [](const MountRecord& x, const MountRecord& y) {
    return x.mountpoint.size() > y.mountpoint.size();
  });
  return under;
}

namespace {

int Umount(const UmountArgs& a) {
  auto registry = MountRegistry::Open();
  if (!registry.ok()) return Fail(registry.status());
  char buf[PATH_MAX];
  if (::realpath(a.mountpoint.c_str(), buf) == nullptr) {
    if (errno != ENOTCONN) return Fail(Status::FromErrno(errno, a.mountpoint));
    // The mount's process died and left the kernel mount behind: just detach it.
    std::string abs = std::filesystem::absolute(a.mountpoint).lexically_normal().string();
    Status s = FusermountUnmount(abs);
    return s.ok() ? Umounted(a, abs) : Fail(s);
  }
  std::string mountpoint = buf;
  auto live = registry->List();
  if (!live.ok()) return Fail(live.status());
  const MountRecord* record = nullptr;
  for (const auto& r : *live) {
    if (r.mountpoint == mountpoint) record = &r;
  }
  if (record == nullptr) {
    // A folder of workspaces (reel mount DIR --server URL): each of its mounts.
    if (std::vector<MountRecord> under = MountsUnder(*live, mountpoint); !under.empty()) {
      for (const MountRecord& r : under) {
        Status s = UnmountRecord(r, a.timeout);
        if (!s.ok()) return Fail(s);
        if (!a.json) std::cout << "Unmounted " << r.mountpoint << std::endl;
      }
      return Umounted(a, mountpoint);
    }
    auto inside = registry->FindMountFor(mountpoint);
    if (inside.ok()) {
      return Fail(mountpoint + " is not a mountpoint; the drive is mounted at " +
                  inside->record.mountpoint);
    }
    // Not a mount reel knows (its record may be lost): let fusermount3 decide.
    Status s = FusermountUnmount(mountpoint);
    return s.ok() ? Umounted(a, mountpoint) : Fail(s);
  }
  Status s = UnmountRecord(*record, a.timeout);
  return s.ok() ? Umounted(a, mountpoint) : Fail(s);
}

}  // namespace

void AddDriveCommands(CLI::App& app, Runner* run) {
  {
    auto a = std::make_shared<InitArgs>();
    auto* cmd = app.add_subcommand("init", "Create a new drive (default: the default drive dir)");
    cmd->add_option("DIR", a->dir, "Drive directory (default: $XDG_DATA_HOME/reel/default)");
    cmd->add_option("--name", a->name, "Drive name (default: the directory's name)");
    cmd->add_option("--chunking", a->chunking, "Chunking: fastcdc (default) or fixed")
        ->check(CLI::IsMember({"fastcdc", "fixed"}));
    cmd->add_option("--fixed-size", a->fixed_size,
                    "Chunk size for fixed chunking, e.g. 64MiB (implies --chunking fixed)");
    cmd->add_option("--policy", a->policy, "When versions are made: on-close, interval, manual")
        ->check(CLI::IsMember({"on-close", "interval", "manual"}));
    cmd->add_option("--edge", a->edge, "Edge tier store URI (s3://..., rados://..., file:///...)");
    cmd->add_option("--cloud", a->cloud, "Cloud tier store URI (s3://..., rados://..., file:///...)");
    cmd->add_option("--cache-limit", a->cache_limit,
                    "Most clean bytes kept in this machine's cache, e.g. 50GiB (default: no limit)");
    cmd->add_option("--interval", a->interval,
                    "Seconds between versions of the interval policy (implies --policy interval)")
        ->check(CLI::Range(1, 7 * 24 * 3600));
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return Init(*a); }; });
  }
  {
    auto a = std::make_shared<MountArgs>();
    auto* cmd = app.add_subcommand("mount", "Mount a drive (in the foreground unless --background)");
    cmd->add_option("MOUNTPOINT", a->mountpoint, "An existing empty directory")->required();
    auto* drive = cmd->add_option("--drive", a->drive, "Drive directory (default: the default drive, created if missing)");
    auto* manifest = cmd->add_option("--manifest", a->manifest, "Manifest file (reel.toml)");
    drive->excludes(manifest);
    auto* workspace = cmd->add_option(
        "--workspace", a->workspace,
        "Mount this workspace of a team drive (its server's namespace and stores, this machine's "
        "cache; kept in --drive DIR, default ~/.local/share/reel/team/SERVER/WORKSPACE); A,B: "
        "each of them in a folder MOUNTPOINT/NAME");
    auto* server = cmd->add_option("--server", a->server,
                                   "The team drive's server (default: the one you are logged in "
                                   "to); alone: every workspace you may see, each in a folder "
                                   "MOUNTPOINT/NAME");
    workspace->excludes(manifest);
    server->excludes(manifest);
    cmd->add_flag("--background", a->background, "Return once mounted; keep serving in the background");
    auto* allow = cmd->add_flag("--allow-other", a->allow_other,
                                "Let other users in (the default as root, or when /etc/fuse.conf "
                                "has user_allow_other; needs that line for other users)");
    auto* priv = cmd->add_flag("--private", a->private_mount,
                               "Keep the mount to the user who mounts it");
    allow->excludes(priv);
    cmd->add_flag("--debug", a->debug, "Debug logging and FUSE request tracing");
    cmd->add_flag("--json", a->json, "Machine-readable output (with --background)");
    cmd->add_option("--metrics", a->metrics,
                    "Serve Prometheus metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:9464; "
                    "no token: keep it on loopback)")
        ->check([](const std::string& v) {
          auto parsed = ParseListenAddress(v);
          return parsed.ok() ? std::string() : parsed.status().message();
        });
    cmd->callback([a, run] { *run = [a] { return Mount(*a); }; });
  }
  {
    auto a = std::make_shared<UmountArgs>();
    auto* cmd = app.add_subcommand("umount", "Unmount a drive and wait until its process has finished");
    cmd->alias("unmount");
    cmd->add_option("MOUNTPOINT", a->mountpoint, "Where the drive is mounted")->required();
    cmd->add_option("--timeout", a->timeout, "Seconds to wait for the mount process to finish")
        ->check(CLI::Range(1, 24 * 3600));
    cmd->add_flag("--json", a->json, "Machine-readable output");
    cmd->callback([a, run] { *run = [a] { return Umount(*a); }; });
  }
}

}  // namespace reel::cli
