// The FUSE operations the adapter serves, by their names in fuse_lowlevel_ops (the metrics'
// `op` label).
#pragma once

#include <cstddef>

namespace reel::fuse {

#define REEL_FUSE_OPS(X)                                                                        \
  X(lookup) X(forget) X(getattr) X(setattr) X(statfs) X(opendir) X(readdir) X(readdirplus)      \
  X(mkdir) X(rmdir) X(unlink) X(rename) X(symlink) X(readlink) X(link) X(mknod) X(fsyncdir)     \
  X(create) X(open) X(read) X(write_buf) X(flush) X(release) X(fsync) X(fallocate) X(getxattr)  \
  X(setxattr) X(listxattr) X(removexattr) X(getlk) X(setlk) X(flock)

enum class Op : size_t {
#define REEL_FUSE_OP_ENUM(name) name,
  REEL_FUSE_OPS(REEL_FUSE_OP_ENUM)
#undef REEL_FUSE_OP_ENUM
  kCount
};

}  // namespace reel::fuse
