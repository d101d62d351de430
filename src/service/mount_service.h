// A mounted drive or workspace for as long as it is mounted: the opened drive, its FUSE mount,
// the control API on its unix socket, the metrics endpoint and the mount registry's record,
// brought up in that order and taken down in the reverse whatever failed (no new API clients,
// the engine's commits finished, the mount let go, the drive closed). `reel mount` runs it in the
// foreground or in a background child.
#pragma once

#include <functional>
#include <string>

#include "api/mount_registry.h"
#include "common/status.h"
#include "drive/manifest.h"

namespace reel {

struct MountServeOptions {
  std::string mountpoint;    // absolute
  bool allow_other = false;  // other users of the machine in (the kernel checks permissions)
  bool debug = false;        // libfuse's debug output
  std::string metrics;       // HOST:PORT to serve GET /metrics on; "" for none
  std::string version;       // what GET /v1/info reports
};

// Mounts the drive of `m`, serves it, and returns once it is unmounted (POST /v1/unmount,
// fusermount3 -u, or a signal). `on_ready` is called once the filesystem is visible, the API
// answers and `registry` knows the mount.
[[nodiscard]] Status ServeMount(const Manifest& m, const MountServeOptions& options,
                                MountRegistry& registry, const std::function<void()>& on_ready);

}  // namespace reel
