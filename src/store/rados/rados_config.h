// RadosConfig: what a rados:// store URI says, parsed without touching librados (so it is unit
// tested without a cluster and builds without librados).
//
//   rados://POOL[/PREFIX][?OPTION=VALUE&...]
//
// POOL     the RADOS pool (must exist unless create_pool=true).
// PREFIX   the store's key space inside the pool; it becomes the RADOS namespace of every object
//          (see rados_store.h for why a namespace and not a name prefix). Empty = the pool's
//          default namespace. Same characters as a key ([A-Za-z0-9._-] segments joined by '/'),
//          at most 256 bytes (the OSD's osd_max_object_namespace_len).
// Options (values may be %XX-encoded; an unknown option is InvalidArgument):
//   conf=/path/ceph.conf  the Ceph config file; default: $CEPH_CONF, else librados' own search
//                         (/etc/ceph/ceph.conf, ~/.ceph/config, ./ceph.conf)
//   id=admin              client id (the entity is client.ID); or
//   name=client.x         the full entity name. Default client.admin. Keys come from the keyring
//                         the config names, never from the URI.
//   create_pool=true      create POOL if missing (tests, `reel init`); default false
//   timeout=30            seconds for connecting (client_mount_timeout) and for each monitor and
//                         OSD operation (rados_mon_op_timeout, rados_osd_op_timeout): a dead
//                         cluster gives Unavailable after this instead of hanging. 1..3600.
//   max_object_size=N     largest object Put accepts, in bytes, up to 1 GiB (default 90 MiB, see
//                         below)
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace reel {

struct RadosConfig {
  // One write op may carry at most osd_max_write_size (default 90 MiB) and an object may grow to
  // osd_max_object_size (default 128 MiB): a Put is one write_full op, so the smaller one bounds
  // it. Chunks are at most 64 MiB, so the default leaves room. Raise max_object_size only together
  // with the cluster's limits.
  static constexpr uint64_t kDefaultMaxObjectBytes = 90ull << 20;
  static constexpr size_t kMaxNamespaceBytes = 256;

  std::string pool;
  std::string prefix;       // the RADOS namespace; "" = default namespace
  std::string conf_path;    // "" = $CEPH_CONF, else librados' default search
  std::string client_name = "client.admin";
  bool create_pool = false;
  std::chrono::seconds timeout{30};
  uint64_t max_object_bytes = kDefaultMaxObjectBytes;
};

// Parses a rados:// URI (see above). InvalidArgument, naming the problem, for anything malformed.
[[nodiscard]] Result<RadosConfig> ParseRadosUri(std::string_view uri);

}  // namespace reel
