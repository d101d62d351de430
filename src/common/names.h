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

// Checks a path relative to a mountpoint: no "..", valid names, not inside the ".reel" virtual
// directory. Returns it normalized ("a//b/./c" -> "a/b/c", "" for the root).
[[nodiscard]] Result<std::string> ValidateMountRelativePath(std::string_view relative);
// A path from outside (a request): at most 4096 bytes, no NUL, then as above.
[[nodiscard]] Result<std::string> ValidateDrivePath(const std::string& raw);
// How a drive-relative path is shown to the user: "/" for the root.
[[nodiscard]] std::string ShownPath(const std::string& path);

}  // namespace reel
