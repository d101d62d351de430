// RadosStore: an ObjectStore in a Ceph RADOS pool through librados (URI rados://POOL/PREFIX, see
// rados_config.h). For studios that run Ceph without the RADOS Gateway (S3).
//
// Layout: the object for `key` is the RADOS object named `key` in namespace PREFIX of POOL.
// Why a namespace and not "PREFIX/key" names: RADOS has no name index, listing means walking
// every object of every placement group. With a namespace the OSDs filter the walk and send only
// this store's objects, so List costs the store's own size on the wire, not the pool's; two
// stores in one pool (a test per prefix, two drives) never see each other's objects; and Ceph
// capabilities can confine a client to its namespace (`allow rw pool=P namespace=PREFIX`). An
// empty PREFIX is the default namespace (the pool belongs to this store alone).
//
// Put: one compound write op (create + write_full) per object, which the OSD applies atomically;
// librados returns after every replica has committed it, so OK means durable.
// Get/GetRange: one compound read op (stat + read), so size and bytes come from the same object
// version even while a Put replaces it.
// Head: stat (size, mtime). Delete: remove; ENOENT is OK. List: pages of the namespace
// (NObjectIterator), filtered by the plain-string prefix, each page stat'ed with parallel aio
// stat ops; objects gone between listing and stat are skipped, and so are names that are not
// valid keys (other tools' objects in the default namespace).
//
// Size limit: a Put larger than max_object_size (default 90 MiB = osd_max_write_size; an object
// may not exceed osd_max_object_size, 128 MiB) is refused with Code::kRange, naming the limit,
// before anything is sent. Objects are not split: chunks are at most 64 MiB. If the cluster's own
// limits are lower, the OSD's EFBIG/EMSGSIZE also maps to kRange.
//
// Errors: librados' negative errno values map to codes: ENOENT NotFound, EACCES/EPERM
// PermissionDenied, ETIMEDOUT/ENOTCONN/ESHUTDOWN (also "blocklisted")/ECONNREFUSED Unavailable,
// ENOSPC/EDQUOT NoSpace, EFBIG/EMSGSIZE Range. Every operation is bounded by the timeout option.
//
// Thread-safety: no locks of our own. One librados::Rados handle and one IoCtx are shared by all
// threads. librados documents that an IoCtx's settings (namespace, snapshot, locator) are not
// safe to change concurrently; this store sets the namespace once in Open, before the store is
// shared, and never changes it. The I/O calls themselves are thread-safe (librados serializes
// internally in its Objecter).
#pragma once

#include <memory>

#include "store/object_store.h"
#include "store/rados/rados_config.h"

namespace reel {

// Connects to the cluster `config` names and opens (or creates, with create_pool) its pool.
// `uri` is what Uri() reports (it carries no secrets: keys come from the keyring).
// Unavailable when the cluster does not answer within the timeout; NotFound when the pool does
// not exist (and create_pool is off); messages name the config file, client and pool.
[[nodiscard]] Result<std::unique_ptr<ObjectStore>> OpenRadosStore(const RadosConfig& config,
                                                                  std::string uri);

}  // namespace reel
