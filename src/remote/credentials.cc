#include "remote/credentials.h"

#include <sys/stat.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "common/fs_util.h"
#include "remote/server_url.h"

namespace reel {

using nlohmann::json;

Result<std::string> CredentialsPath() {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/reel/credentials.json";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/') return std::string(home) + "/.config/reel/credentials.json";
  return Status::NotFound("neither XDG_CONFIG_HOME nor HOME is set: nowhere to keep logins");
}

Result<Credentials> Credentials::Load(const std::string& path) {
  Credentials c;
  c.path_ = path;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return c;
    return Status::FromErrno(errno, "stat " + path);
  }
  if ((st.st_mode & 077) != 0) {
    return Status::PermissionDenied(path + " can be read by other users; it holds tokens: run chmod 600 " +
                                    path + " (and consider the tokens in it compromised)");
  }
  REEL_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  const Status corrupt = Status::Corruption(path + " is not a credentials file ({\"servers\":{...}})");
  if (j.is_discarded() || !j.is_object() || !j.contains("servers") || !j["servers"].is_object()) {
    return corrupt;
  }
  try {
    for (const auto& [url, entry] : j["servers"].items()) {
      ServerLogin login;
      login.user = entry.at("user").get<std::string>();
      login.token = entry.at("token").get<std::string>();
      login.ca_cert = entry.value("ca_cert", std::string());
      c.servers_[url] = std::move(login);
    }
  } catch (const std::exception&) {
    return corrupt;
  }
  return c;
}

Status Credentials::Save() const {
  REEL_RETURN_IF_ERROR(MakeDirs(DirName(path_), 0700));
  json servers = json::object();
  for (const auto& [url, login] : servers_) {
    servers[url] = json{{"user", login.user}, {"token", login.token}, {"ca_cert", login.ca_cert}};
  }
  return WriteFileAtomic(path_, json{{"servers", servers}}.dump(2) + "\n", 0600);
}

Result<std::pair<std::string, ServerLogin>> Credentials::Find(const std::string& server) const {
  if (server.empty()) {
    if (servers_.empty()) {
      return Status::NotFound("not logged in to any server; run: reel login URL");
    }
    if (servers_.size() > 1) {
      std::string list;
      for (const auto& [url, login] : servers_) list += (list.empty() ? "" : ", ") + url;
      return Status::InvalidArgument("logged in to several servers (" + list +
                                     "); say which with --server URL");
    }
    return std::pair<std::string, ServerLogin>(*servers_.begin());
  }
  REEL_ASSIGN_OR_RETURN(std::string url, NormalizeServerUrl(server));
  auto it = servers_.find(url);
  if (it == servers_.end()) {
    return Status::NotFound("not logged in to " + url + "; run: reel login " + url);
  }
  return std::pair<std::string, ServerLogin>(*it);
}

void Credentials::Set(const std::string& normalized_url, ServerLogin login) {
  servers_[normalized_url] = std::move(login);
}

bool Credentials::Remove(const std::string& normalized_url) {
  return servers_.erase(normalized_url) > 0;
}

}  // namespace reel
