// ServerConfig: what `reel server init DIR` writes to DIR/server.toml (mode 0600: the catalog URI
// may hold a password) and what `reel server run DIR` reads.
//
//   format = 1
//   listen = "127.0.0.1:7480"        # loopback unless told otherwise
//   [catalog]
//   uri = "postgresql://reel@127.0.0.1:5432/reel"
//   [stores]
//   cloud = "s3://bucket/prefix?endpoint=..."
//   edge = "..."                     # optional
//   [tls]                            # optional: HTTPS with this certificate and key (PEM files)
//   cert = "/etc/reel/server.crt"
//   key = "/etc/reel/server.key"
#pragma once

#include <string>

#include "common/status.h"

namespace reel {

inline constexpr int kServerConfigFormat = 1;
inline constexpr const char* kDefaultServerListen = "127.0.0.1:7480";

struct ServerConfig {
  std::string dir;           // absolute; holds server.toml, server.pid, server.log
  std::string catalog_uri;   // postgresql:// or postgres://
  std::string cloud_uri;
  std::string edge_uri;      // "" when there is none
  std::string listen = kDefaultServerListen;
  std::string tls_cert;      // both or neither; relative paths are relative to `dir`
  std::string tls_key;
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
