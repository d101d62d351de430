#include "drive/drive.h"

#include <cctype>

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>

#include "catalog/catalog.h"
#include "drive/drive_identity.h"
#include "store/object_store.h"

namespace reel {
namespace {

Result<std::string> AbsoluteNormal(const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("empty drive directory");
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  if (ec) return Status::FromErrno(ec.value(), "absolute path of " + path);
  std::string s = abs.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::string RealPathOr(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) != nullptr) return buf;
  return path;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

Status CheckNoDrive(const std::string& dir) {
  for (const char* name : {kManifestFileName, "catalog.db", "store"}) {
    std::string p = dir + "/" + name;
    if (Exists(p)) {
      return Status::AlreadyExists(dir + " already holds a drive (" + p +
                                   " exists); refusing to overwrite it");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> DefaultTeamDriveDir(const std::string& server, const std::string& workspace) {
  REEL_ASSIGN_OR_RETURN(std::string dir, DefaultDriveDir());
  std::string host = server.substr(server.find("://") + 3);
  for (char& c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '_';
  }
  return dir.substr(0, dir.rfind('/')) + "/team/" + host + "/" + workspace;
}

Result<std::string> DefaultDriveDir() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/reel/default";
  const char* home = std::getenv("HOME");
  std::string h = home != nullptr ? home : "";
  if (h.empty() || h[0] != '/') {
    struct passwd pw;
    struct passwd* result = nullptr;
    char buf[4096];
    if (::getpwuid_r(::geteuid(), &pw, buf, sizeof buf, &result) == 0 && result != nullptr &&
        result->pw_dir != nullptr) {
      h = result->pw_dir;
    }
  }
  if (h.empty() || h[0] != '/') {
    return Status::NotFound("cannot find a home directory for the default drive; set HOME or "
                            "XDG_DATA_HOME, or pass --drive DIR");
  }
  return h + "/.local/share/reel/default";
}

Result<DriveLock> DriveLock::Acquire(const std::string& drive_dir) {
  struct stat st;
  if (::stat(drive_dir.c_str(), &st) != 0) {
    return Status::FromErrno(errno, "drive directory " + drive_dir);
  }
  if (!S_ISDIR(st.st_mode)) return Status::NotDirectory(drive_dir + " is not a directory");
  std::string path = drive_dir + "/lock";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return Status::FromErrno(errno, "open " + path);
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) {
      char buf[32] = {};
      ssize_t n = ::pread(fd.get(), buf, sizeof buf - 1, 0);
      std::string holder = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
      // The file holds the pid of the last process that took the lock; name it only if that
      // process is still there (someone else may hold the lock without writing its pid).
      char* end = nullptr;
      long pid = std::strtol(holder.c_str(), &end, 10);
      if (holder.empty() || *end != '\0' || pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) != 0) {
        holder.clear();
      }
      return Status::Busy("drive " + drive_dir + " is already open in another process" +
                          (holder.empty() ? std::string() : " (pid " + holder + ")"));
    }
    return Status::FromErrno(errno, "flock " + path);
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd.get(), 0) != 0) return Status::FromErrno(errno, "truncate " + path);
  REEL_RETURN_IF_ERROR(PwriteFull(fd.get(), pid.data(), pid.size(), 0));
  return DriveLock(drive_dir, std::move(fd));
}

Result<Manifest> InitDrive(const std::string& dir_in, const InitOptions& options) {
  REEL_ASSIGN_OR_RETURN(std::string dir, AbsoluteNormal(dir_in));
  REEL_RETURN_IF_ERROR(CheckNoDrive(dir));

  Manifest m;
  m.id = NewDriveId();
  m.name = options.name;
  if (m.name.empty()) m.name = std::filesystem::path(dir).filename().string();
  if (m.name.empty()) m.name = "default";
  m.dir = dir;
  if (options.chunking) {
    m.chunking.kind = *options.chunking;
  } else if (options.fixed_size) {
    m.chunking.kind = ChunkerOptions::Kind::kFixed;
  }
  if (options.fixed_size) {
    if (*options.fixed_size > UINT32_MAX) {
      return Status::InvalidArgument("fixed chunk size " + FormatExactSize(*options.fixed_size) +
                                     " is too large");
    }
    m.chunking.fixed_size = static_cast<uint32_t>(*options.fixed_size);
  }
  if (options.policy) m.policy = *options.policy;
  if (options.interval_seconds) m.interval_seconds = *options.interval_seconds;
  if (options.cache_limit) m.tiers.front().limit_bytes = *options.cache_limit;
  m.team_server = options.team_server;
  m.team_workspace = options.team_workspace;
  if (!options.edge_uri.empty()) m.tiers.push_back({"edge", options.edge_uri, 0});
  if (!options.cloud_uri.empty()) m.tiers.push_back({"cloud", options.cloud_uri, 0});
  REEL_RETURN_IF_ERROR(ValidateManifest(m, m.Path()));

  // Valid: now create things.
  REEL_RETURN_IF_ERROR(MakeDirs(dir, 0700));
  m.dir = RealPathOr(dir);

  // Hold the drive's lock while creating it, so two concurrent inits cannot interleave.
  REEL_ASSIGN_OR_RETURN(DriveLock lock, DriveLock::Acquire(m.dir));
  REEL_RETURN_IF_ERROR(CheckNoDrive(m.dir));

  const TierConfig* local = m.LocalTier();
  std::string store_uri = m.ResolvedTierUri(*local);
  if (store_uri.rfind("file://", 0) == 0) REEL_RETURN_IF_ERROR(MakeDirs(store_uri.substr(7), 0700));
  // Every store is marked as this drive's (a shared tier already marked for another drive is
  // refused), so a lost catalog is noticed at the next open (drive_identity.h).
  for (const TierConfig& tier : m.tiers) {
    auto store = OpenObjectStore(m.ResolvedTierUri(tier));
    if (!store.ok()) {
      return store.status().WithContext(&tier == local ? "create store " + store_uri
                                                       : "open the " + tier.name + " tier");
    }
    REEL_RETURN_IF_ERROR(ClaimStore(**store, tier.name, m));
  }
  REEL_RETURN_IF_ERROR(MakeDirs(m.ResolvedStagingDir(), 0700));
  std::string catalog_uri = m.ResolvedCatalogUri();
  {
    auto catalog = OpenCatalog(catalog_uri, ::geteuid(), ::getegid());
    if (!catalog.ok()) return catalog.status().WithContext("create catalog " + catalog_uri);
    REEL_RETURN_IF_ERROR((*catalog)->SetDriveId(m.id));
  }
  if (catalog_uri.rfind("sqlite://", 0) == 0) {
    std::string db = catalog_uri.substr(9);
    if (::chmod(db.c_str(), 0600) != 0 && errno != ENOENT) {
      return Status::FromErrno(errno, "chmod " + db);
    }
  }
  // The manifest goes last: a directory is a drive once reel.toml exists.
  REEL_RETURN_IF_ERROR(WriteManifest(m.Path(), m));
  return m;
}

}  // namespace reel
