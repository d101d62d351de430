// Unmounting a FUSE filesystem the way an unprivileged user can: `fusermount3 -u` (never lazy,
// so a busy mount is reported instead of being detached under the feet of open files).
#pragma once

#include <string>

#include "common/status.h"

namespace reel {

// Busy when files or directories are open there, NotFound when nothing is mounted there.
[[nodiscard]] Status FusermountUnmount(const std::string& mountpoint);

// Whether fuse.conf (`path`) lets a user other than root mount with allow_other: a line
// `user_allow_other` (comments and blanks aside). A missing file allows nothing.
bool FuseConfAllowsOther(const std::string& path = "/etc/fuse.conf");

}  // namespace reel
