#include "server/server_config.h"

#include <sys/stat.h>

#include <filesystem>

#include "common/fs_util.h"
#include "common/toml_reader.h"
#include "forward/event_sink.h"
#include "http/listen_address.h"
#include "team/team_directory.h"

namespace reel {
namespace {

bool HasScheme(const std::string& uri, std::initializer_list<const char*> schemes) {
  for (const char* s : schemes) {
    if (uri.rfind(std::string(s) + "://", 0) == 0 && uri.size() > std::string(s).size() + 3) {
      return true;
    }
  }
  return false;
}

std::string Absolute(const std::string& dir) {
  std::error_code ec;
  auto p = std::filesystem::absolute(dir, ec);
  return ec ? dir : p.lexically_normal().string();
}

}  // namespace

std::string ServerConfigPath(const std::string& dir) { return dir + "/server.toml"; }
std::string ServerPidPath(const std::string& dir) { return dir + "/server.pid"; }
std::string ServerLogPath(const std::string& dir) { return dir + "/server.log"; }

Status ValidateServerConfig(const ServerConfig& c) {
  if (!HasScheme(c.catalog_uri, {"postgresql", "postgres"})) {
    return Status::InvalidArgument("the team catalog must be a postgresql:// URI, not \"" +
                                   c.catalog_uri.substr(0, c.catalog_uri.find("://")) + "\"");
  }
  if (!HasScheme(c.cloud_uri, {"s3", "rados", "file"})) {
    return Status::InvalidArgument("the cloud store must be an s3://, rados:// or file:// URI");
  }
  if (!c.edge_uri.empty() && !HasScheme(c.edge_uri, {"s3", "rados", "file"})) {
    return Status::InvalidArgument("the edge store must be an s3://, rados:// or file:// URI");
  }
  REEL_RETURN_IF_ERROR(ParseListenAddress(c.listen).status());
  if (c.threads < kMinServerThreads || c.threads > kMaxServerThreads) {
    return Status::InvalidArgument("threads is " + std::to_string(kMinServerThreads) + " to " +
                                   std::to_string(kMaxServerThreads));
  }
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return Status::InvalidArgument("HTTPS needs both a certificate and its key ([tls] cert, key)");
  }
  const int64_t every = c.maintenance_interval_seconds;
  if (every != 0 && (every < kMinMaintenanceIntervalSeconds ||
                     every > kMaxMaintenanceIntervalSeconds)) {
    return Status::InvalidArgument("[maintenance] interval_seconds is 0 (none) or " +
                                   std::to_string(kMinMaintenanceIntervalSeconds) + " to " +
                                   std::to_string(kMaxMaintenanceIntervalSeconds));
  }
  if (c.trash_retention_days < 0 || c.trash_retention_days > kMaxTeamTrashRetentionDays) {
    return Status::InvalidArgument("[maintenance] trash_retention_days is 0 to " +
                                   std::to_string(kMaxTeamTrashRetentionDays));
  }
  if (c.gc_grace_seconds < kMinTeamGcGraceSeconds || c.gc_grace_seconds > kMaxTeamGcGraceSeconds) {
    return Status::InvalidArgument("[maintenance] gc_grace_seconds is " +
                                   std::to_string(kMinTeamGcGraceSeconds) + " to " +
                                   std::to_string(kMaxTeamGcGraceSeconds));
  }
  if (c.lock_lease_seconds < kMinLockLeaseSeconds || c.lock_lease_seconds > kMaxLockLeaseSeconds) {
    return Status::InvalidArgument("[locks] lease_seconds is " +
                                   std::to_string(kMinLockLeaseSeconds) + " to " +
                                   std::to_string(kMaxLockLeaseSeconds));
  }
  if (!c.metrics_listen.empty()) {
    REEL_RETURN_IF_ERROR(ParseListenAddress(c.metrics_listen).status().WithContext("[metrics] listen"));
  }
  for (size_t i = 0; i < c.forwards.size(); ++i) {
    const ForwardConfig& f = c.forwards[i];
    REEL_RETURN_IF_ERROR(ValidateForwarderName(f.name).WithContext("[[forward]]"));
    for (size_t j = 0; j < i; ++j) {
      if (c.forwards[j].name == f.name) {
        return Status::InvalidArgument("[[forward]] name \"" + f.name + "\" is used twice");
      }
    }
    REEL_RETURN_IF_ERROR(CheckForwardUri(f.uri).WithContext("[[forward]] " + f.name));
    const bool webhook = f.uri.starts_with("http://") || f.uri.starts_with("https://");
    if (webhook != !f.secret_file.empty()) {
      return Status::InvalidArgument("[[forward]] " + f.name +
                                     ": a webhook needs secret_file (the key it signs with), "
                                     "and only a webhook takes one");
    }
  }
  return Status::Ok();
}

Result<ServerConfig> LoadServerConfig(const std::string& dir) {
  ServerConfig c;
  c.dir = Absolute(dir);
  const std::string path = ServerConfigPath(c.dir);
  auto text = ReadWholeFile(path);
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) {
      return Status::NotFound("no server configuration at " + path +
                              " (make one with: reel server init " + dir + " --catalog URI --cloud URI)");
    }
    return text.status();
  }
  REEL_ASSIGN_OR_RETURN(toml::table root, ParseToml(*text, path));
  TomlReader r(path);
  REEL_RETURN_IF_ERROR(r.CheckKeys(root, "top level", {"format", "listen", "threads", "catalog", "stores", "tls", "maintenance", "forward", "metrics", "locks"}));
  int64_t format = 0;
  REEL_RETURN_IF_ERROR(r.Integer(&root, "top level", "format", 1, INT32_MAX, &format));
  if (format != kServerConfigFormat) {
    return Status(Code::kNotSupported, path + ": format " + std::to_string(format) +
                                           " is not supported by this version of reel");
  }
  REEL_RETURN_IF_ERROR(r.String(&root, "top level", "listen", &c.listen, false));
  REEL_RETURN_IF_ERROR(
      r.Integer(&root, "top level", "threads", kMinServerThreads, kMaxServerThreads, &c.threads));
  REEL_ASSIGN_OR_RETURN(const toml::table* catalog, r.Table(root, "catalog", true));
  REEL_RETURN_IF_ERROR(r.CheckKeys(*catalog, "[catalog]", {"uri"}));
  REEL_RETURN_IF_ERROR(r.String(catalog, "[catalog]", "uri", &c.catalog_uri, true));
  REEL_ASSIGN_OR_RETURN(const toml::table* stores, r.Table(root, "stores", true));
  REEL_RETURN_IF_ERROR(r.CheckKeys(*stores, "[stores]", {"cloud", "edge"}));
  REEL_RETURN_IF_ERROR(r.String(stores, "[stores]", "cloud", &c.cloud_uri, true));
  REEL_RETURN_IF_ERROR(r.String(stores, "[stores]", "edge", &c.edge_uri, false));
  REEL_ASSIGN_OR_RETURN(const toml::table* tls, r.Table(root, "tls", false));
  if (tls != nullptr) {
    REEL_RETURN_IF_ERROR(r.CheckKeys(*tls, "[tls]", {"cert", "key"}));
    REEL_RETURN_IF_ERROR(r.String(tls, "[tls]", "cert", &c.tls_cert, true));
    REEL_RETURN_IF_ERROR(r.String(tls, "[tls]", "key", &c.tls_key, true));
    for (std::string* p : {&c.tls_cert, &c.tls_key}) {
      if (!p->empty() && p->front() != '/') *p = c.dir + "/" + *p;
    }
  }
  REEL_ASSIGN_OR_RETURN(const toml::table* maintenance, r.Table(root, "maintenance", false));
  if (maintenance != nullptr) {
    REEL_RETURN_IF_ERROR(
        r.CheckKeys(*maintenance, "[maintenance]",
                    {"interval_seconds", "trash_retention_days", "gc_grace_seconds"}));
    REEL_RETURN_IF_ERROR(r.Integer(maintenance, "[maintenance]", "interval_seconds", 0,
                                   kMaxMaintenanceIntervalSeconds,
                                   &c.maintenance_interval_seconds));
    REEL_RETURN_IF_ERROR(r.Integer(maintenance, "[maintenance]", "trash_retention_days", 0,
                                   kMaxTeamTrashRetentionDays, &c.trash_retention_days));
    REEL_RETURN_IF_ERROR(r.Integer(maintenance, "[maintenance]", "gc_grace_seconds",
                                   kMinTeamGcGraceSeconds, kMaxTeamGcGraceSeconds,
                                   &c.gc_grace_seconds));
  }
  REEL_ASSIGN_OR_RETURN(const toml::table* locks, r.Table(root, "locks", false));
  if (locks != nullptr) {
    REEL_RETURN_IF_ERROR(r.CheckKeys(*locks, "[locks]", {"lease_seconds"}));
    REEL_RETURN_IF_ERROR(r.Integer(locks, "[locks]", "lease_seconds", kMinLockLeaseSeconds,
                                   kMaxLockLeaseSeconds, &c.lock_lease_seconds));
  }
  REEL_ASSIGN_OR_RETURN(const toml::table* metrics, r.Table(root, "metrics", false));
  if (metrics != nullptr) {
    REEL_RETURN_IF_ERROR(r.CheckKeys(*metrics, "[metrics]", {"listen"}));
    REEL_RETURN_IF_ERROR(r.String(metrics, "[metrics]", "listen", &c.metrics_listen, true));
  }
  if (const toml::node* forwards = root.get("forward"); forwards != nullptr) {
    if (!forwards->is_array_of_tables()) {
      return r.Error(forwards, "forward", "", "must be tables ([[forward]])");
    }
    for (const toml::node& n : *forwards->as_array()) {
      const toml::table* t = n.as_table();
      ForwardConfig f;
      REEL_RETURN_IF_ERROR(r.CheckKeys(*t, "[[forward]]", {"name", "uri", "secret_file"}));
      REEL_RETURN_IF_ERROR(r.String(t, "[[forward]]", "name", &f.name, true));
      REEL_RETURN_IF_ERROR(r.String(t, "[[forward]]", "uri", &f.uri, true));
      REEL_RETURN_IF_ERROR(r.String(t, "[[forward]]", "secret_file", &f.secret_file, false));
      if (!f.secret_file.empty() && f.secret_file.front() != '/') {
        f.secret_file = c.dir + "/" + f.secret_file;
      }
      c.forwards.push_back(std::move(f));
    }
  }
  REEL_RETURN_IF_ERROR(ValidateServerConfig(c).WithContext(path));
  return c;
}

Status WriteServerConfig(const ServerConfig& c) {
  REEL_RETURN_IF_ERROR(ValidateServerConfig(c));
  const std::string dir = Absolute(c.dir);
  REEL_RETURN_IF_ERROR(MakeDirs(dir, 0700));
  const std::string path = ServerConfigPath(dir);
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    return Status::AlreadyExists(path + " exists; refusing to overwrite it");
  }
  std::string s = "# ReelDrive team server (reel server run " + dir + ")\n";
  s += "format = " + std::to_string(kServerConfigFormat) + "\n";
  s += "listen = " + TomlQuote(c.listen) + "\n";
  s += "# Request threads: each open connection holds one while it is open (a mount keeps about\n"
       "# two: its change feed's and one for everything else); half of them may wait for events.\n";
  s += "threads = " + std::to_string(c.threads) + "\n\n";
  s += "[catalog]\nuri = " + TomlQuote(c.catalog_uri) + "\n\n";
  s += "[stores]\ncloud = " + TomlQuote(c.cloud_uri) + "\n";
  if (!c.edge_uri.empty()) s += "edge = " + TomlQuote(c.edge_uri) + "\n";
  if (!c.tls_cert.empty()) {
    s += "\n[tls]\ncert = " + TomlQuote(c.tls_cert) + "\nkey = " + TomlQuote(c.tls_key) + "\n";
  }
  s += "\n# The team's once-only work (trash purge, chunk collection), by whichever server holds "
       "its lease.\n";
  s += "[maintenance]\ninterval_seconds = " + std::to_string(c.maintenance_interval_seconds) +
       "\ntrash_retention_days = " + std::to_string(c.trash_retention_days) +
       "\ngc_grace_seconds = " + std::to_string(c.gc_grace_seconds) + "\n";
  return WriteFileAtomic(path, s, 0600);
}

}  // namespace reel
