// Validation of names and paths that come from outside (FUSE, API, CLI, manifest).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace reel {

inline constexpr size_t kMaxNameLength = 255;

// A single directory-entry name: non-empty, at most 255 bytes, no '/', no NUL, not "." or "..".
[[nodiscard]] Status ValidateName(std::string_view name);

// Splits a relative path ("a/b/c", no leading '/') into validated components. Empty components
// ("a//b") and "." are skipped; ".." is rejected so a path can never leave its root.
[[nodiscard]] Result<std::vector<std::string>> SplitRelativePath(std::string_view path);

}  // namespace reel
