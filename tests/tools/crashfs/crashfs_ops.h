// The FUSE operations of reel-crashfs: a passthrough of a backing directory that records, in an
// UndoLog, what every content change replaced since the file's last fsync.
#pragma once

#define FUSE_USE_VERSION 312
#include <fuse.h>

#include <memory>
#include <mutex>
#include <unordered_map>

#include "undo_log.h"

namespace reel::crashfs {

struct Handle;

struct CrashFs {
  CrashFs();
  ~CrashFs();  // closes the files still open (a power cut stops the loop before their release)
  int root_fd = -1;  // the backing directory; paths resolve under it
  UndoLog undo;
  std::mutex handles_mu;  // guards handles
  std::unordered_map<Handle*, std::unique_ptr<Handle>> handles;  // the open files
};

fuse_operations Operations();

}  // namespace reel::crashfs
