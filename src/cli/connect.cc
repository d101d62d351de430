#include "cli/commands.h"
#include "remote/credentials.h"

namespace reel::cli {

Result<Connection> Connect(const std::string& path) {
  REEL_ASSIGN_OR_RETURN(MountRegistry registry, MountRegistry::Open());
  REEL_ASSIGN_OR_RETURN(MountLookup mount, registry.FindMountFor(path));
  ApiClient client(mount.record.socket_path);
  return Connection{std::move(mount), std::move(client)};
}

Result<TeamClient> TeamClientFor(const std::string& server) {
  REEL_ASSIGN_OR_RETURN(std::string path, CredentialsPath());
  REEL_ASSIGN_OR_RETURN(Credentials creds, Credentials::Load(path));
  REEL_ASSIGN_OR_RETURN(auto login, creds.Find(server));
  TeamClientOptions o;
  o.url = login.first;
  o.token = login.second.token;
  o.ca_cert = login.second.ca_cert;
  return TeamClient(o);
}

}  // namespace reel::cli
