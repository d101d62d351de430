// ServerConfig: what `reel server init DIR` writes to DIR/server.toml (mode 0600: the catalog URI
// may hold a password) and what `reel server run DIR` reads.
//
//   format = 1
//   listen = "127.0.0.1:7480"        # loopback unless told otherwise
//   threads = 256                    # request threads (8 to 4096): each open connection holds
//                                    # one; a mount keeps about two open, half may wait for events
//   [catalog]
//   uri = "postgresql://reel@127.0.0.1:5432/reel"
//   [stores]
//   cloud = "s3://bucket/prefix?endpoint=..."
//   edge = "..."                     # optional
//   [tls]                            # optional: HTTPS with this certificate and key (PEM files)
//   cert = "/etc/reel/server.crt"
//   key = "/etc/reel/server.key"
//   [maintenance]                    # optional (server/team_maintenance.h)
//   interval_seconds = 3600          # 0: none (60 to 604800 otherwise)
//   trash_retention_days = 30        # 0 to 3650
//   gc_grace_seconds = 3600          # unreferenced chunks older than this are collected
//                                    # (600 to 2592000)
//   [locks]                          # optional
//   lease_seconds = 30               # a dead mount's locks are free this long after it was
//                                    # last heard (3 to 300)
//   [metrics]                        # optional: GET /metrics for Prometheus
//   listen = "127.0.0.1:9464"        # no token: loopback unless told otherwise
//   [[forward]]                      # optional, any number (forward/event_sink.h)
//   name = "pipeline"                # its cursor and lease in the team's database
//   uri = "nats://127.0.0.1:4222?stream=REEL_EVENTS"
//   secret_file = "hook.secret"      # webhooks (http://, https://): the HMAC key
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace reel {

inline constexpr int kServerConfigFormat = 1;
inline constexpr const char* kDefaultServerListen = "127.0.0.1:7480";
inline constexpr int64_t kMinMaintenanceIntervalSeconds = 60;
inline constexpr int64_t kMaxMaintenanceIntervalSeconds = 7 * 24 * 3600;
inline constexpr int64_t kMinTeamGcGraceSeconds = 600;
inline constexpr int64_t kMaxTeamGcGraceSeconds = 30 * 24 * 3600;
inline constexpr int64_t kMaxTeamTrashRetentionDays = 3650;
inline constexpr int64_t kMinLockLeaseSeconds = 3;
inline constexpr int64_t kMaxLockLeaseSeconds = 300;
inline constexpr int64_t kDefaultServerThreads = 256;
inline constexpr int64_t kMinServerThreads = 8;
inline constexpr int64_t kMaxServerThreads = 4096;

// A [[forward]] table: where the change feed is forwarded.
struct ForwardConfig {
  std::string name;
  std::string uri;
  std::string secret_file;  // absolute ("" when none)
};

struct ServerConfig {
  std::string dir;           // absolute; holds server.toml, server.pid, server.log
  std::string catalog_uri;   // postgresql:// or postgres://
  std::string cloud_uri;
  std::string edge_uri;      // "" when there is none
  std::string listen = kDefaultServerListen;
  int64_t threads = kDefaultServerThreads;
  std::string tls_cert;      // both or neither; relative paths are relative to `dir`
  std::string tls_key;
  int64_t maintenance_interval_seconds = 3600;
  int64_t trash_retention_days = 30;
  int64_t gc_grace_seconds = 3600;
  std::vector<ForwardConfig> forwards;
  std::string metrics_listen;  // "" when there is no [metrics] table
  int64_t lock_lease_seconds = 30;
};

[[nodiscard]] std::string ServerConfigPath(const std::string& dir);   // DIR/server.toml
[[nodiscard]] std::string ServerPidPath(const std::string& dir);      // DIR/server.pid
[[nodiscard]] std::string ServerLogPath(const std::string& dir);      // DIR/server.log

// Checks every field (InvalidArgument naming it).
[[nodiscard]] Status ValidateServerConfig(const ServerConfig& config);
// Reads DIR/server.toml. NotFound when DIR has none (with the command that makes one).
[[nodiscard]] Result<ServerConfig> LoadServerConfig(const std::string& dir);
// Creates DIR (0700) if needed and writes DIR/server.toml (0600); AlreadyExists rather than
// overwrite one.
[[nodiscard]] Status WriteServerConfig(const ServerConfig& config);

}  // namespace reel
