// The FUSE operations of reel-crashfs: a passthrough of a backing directory that records, in an
// UndoLog, what every content change replaced since the file's last fsync.
#pragma once

#define FUSE_USE_VERSION 312
#include <fuse.h>

#include "undo_log.h"

namespace reel::crashfs {

struct CrashFs {
  int root_fd = -1;  // the backing directory; paths resolve under it
  UndoLog undo;
};

fuse_operations Operations();

}  // namespace reel::crashfs
