#include "cli/commands.h"

namespace reel::cli {

Result<Connection> Connect(const std::string& path) {
  REEL_ASSIGN_OR_RETURN(MountRegistry registry, MountRegistry::Open());
  REEL_ASSIGN_OR_RETURN(MountLookup mount, registry.FindMountFor(path));
  ApiClient client(mount.record.socket_path);
  return Connection{std::move(mount), std::move(client)};
}

}  // namespace reel::cli
