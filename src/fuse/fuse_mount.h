// FuseMount: serves an Engine as a Linux FUSE filesystem (libfuse3 low-level API, multithreaded).
// The adapter only translates between FUSE requests and Engine calls; behaviour lives in the engine.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace reel {

class Engine;
class Metrics;

struct MountOptions {
  std::string mountpoint;
  bool allow_other = false;    // let other users in (for non-root: user_allow_other in fuse.conf)
  bool read_only = false;      // the kernel refuses every change (EROFS)
  unsigned max_threads = 16;   // FUSE worker threads
  double attr_timeout = 1.0;   // seconds the kernel may cache attributes and names
  // Let the kernel buffer writes in its page cache and send them in large batches (writes return
  // at page-cache speed; close and fsync still flush them to the drive first).
  bool writeback_cache = true;
  // Kernel readahead for the mount (KiB), raised through /sys/class/bdi when permitted.
  unsigned readahead_kib = 16384;
  bool debug = false;          // libfuse request tracing to stderr
  Metrics* metrics = nullptr;  // when set, every request is timed into it (fuse/op_timing.h)
};

class FuseMount {
 public:
  // Mounts `engine` (which must outlive the mount) at options.mountpoint. The filesystem is
  // visible when this returns OK; requests are served once Run() is called.
  static Result<std::unique_ptr<FuseMount>> Mount(Engine* engine, const MountOptions& options);
  virtual ~FuseMount() = default;  // unmounts if still mounted

  // Serves requests until the filesystem is unmounted (`reel umount`, fusermount3 -u, umount) or
  // RequestExit() is called. SIGINT/SIGTERM/SIGHUP make it exit too.
  virtual Status Run() = 0;
  // Asks Run() to return; safe from any thread. Does not unmount: the loop ends at the kernel
  // unmount (fusermount3 -u, as `reel umount` does first) or at the next request.
  virtual void RequestExit() = 0;
};

}  // namespace reel
