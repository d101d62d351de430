// The per-user runtime directory where a mount keeps its control socket and registry record.
// Access to the control API is limited to the owning user by this directory's permissions:
// it must be a real directory (not a symlink) owned by the effective uid with no group/other
// access. reel refuses to use a directory that is not.
#pragma once

#include <string>

#include "common/status.h"

namespace reel {

// $XDG_RUNTIME_DIR/reel when XDG_RUNTIME_DIR is an absolute path to an existing directory owned
// by the effective uid, else /tmp/reel-<euid> (the variable is missing, relative, or left over
// from another user or session, as after `su`). Only computes the path.
[[nodiscard]] std::string RuntimeDirPath();

// Checks that `dir` is a directory (not a symlink), owned by the effective uid, mode without any
// group/other bits. PermissionDenied (with what is wrong and how to fix it) otherwise.
[[nodiscard]] Status CheckPrivateDir(const std::string& dir);

// Creates `dir` with mode 0700 if it is missing (its parent must exist), then CheckPrivateDir.
[[nodiscard]] Status EnsurePrivateDir(const std::string& dir);

// RuntimeDirPath(), created and checked.
[[nodiscard]] Result<std::string> EnsureRuntimeDir();

}  // namespace reel
