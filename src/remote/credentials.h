// The servers this user is logged in to (`reel login URL`): one JSON file in the user's config
// directory, $XDG_CONFIG_HOME/reel/credentials.json (~/.config/reel/ by default), the directory
// mode 0700 and the file 0600. A file other users could read is refused, not used.
//   {"servers": {"https://reel.example:7480": {"user": "alice", "token": "reel_...",
//                                              "ca_cert": ""}}}
#pragma once

#include <map>
#include <string>

#include "common/status.h"

namespace reel {

struct ServerLogin {
  std::string user;
  std::string token;
  std::string ca_cert;  // PEM file trusted for this server ("": the system's trust store)
};

// $XDG_CONFIG_HOME/reel/credentials.json, or $HOME/.config/reel/credentials.json.
[[nodiscard]] Result<std::string> CredentialsPath();

class Credentials {
 public:
  // Reads the file at `path` (none yet: no logins).
  [[nodiscard]] static Result<Credentials> Load(const std::string& path);
  // Writes them back (atomically, 0600; the directory is made 0700).
  [[nodiscard]] Status Save() const;

  // The login for `server` (a URL, normalized here); with `server` empty, the only one there is.
  // NotFound with the command to run when there is none; InvalidArgument when `server` is empty
  // and there are several.
  [[nodiscard]] Result<std::pair<std::string, ServerLogin>> Find(const std::string& server) const;
  void Set(const std::string& normalized_url, ServerLogin login);
  // Whether there was a login for it.
  bool Remove(const std::string& normalized_url);

  const std::map<std::string, ServerLogin>& servers() const { return servers_; }

 private:
  std::string path_;
  std::map<std::string, ServerLogin> servers_;
};

}  // namespace reel
