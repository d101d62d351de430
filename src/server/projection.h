// Projections (Netflix Drive's "project assets into a workspace"): the files of one workspace
// made into files of another, or of the same, without copying a byte: each projected file gets a
// version made of the source version's chunks (the same chunk records, counted once more), under
// the same relative path below a directory of the destination. A render node can then mount a
// workspace holding only one shot's assets. One transaction: all of it or nothing.
#pragma once

#include <string>
#include <vector>

#include "catalog/catalog.h"

namespace reel {

inline constexpr size_t kMaxProjectedFiles = 10'000;
inline constexpr size_t kMaxProjectionPatterns = 100;

struct ProjectionRequest {
  // In the source workspace: a file, a directory (every file below it), or a glob pattern
  // (fnmatch: `*`, `?` and `[...]` stay within one name). 1 to 100 of them.
  std::vector<std::string> paths;
  std::string into;  // a directory of the destination ("": its root), made when missing
  bool published_only = false;  // each file's newest published version (files with none: skipped)
};

struct ProjectionResult {
  uint64_t files = 0;
  uint64_t bytes = 0;  // their logical size
  // Files that matched and were not projected, each "PATH: why" (no version, nothing
  // published, the destination is not a regular file).
  std::vector<std::string> skipped;
};

// InvalidArgument unless every path and `into` is relative, without "..", at most 4096 bytes.
[[nodiscard]] Status CheckProjectionRequest(const ProjectionRequest& request);

// Projects from `source` into `dest` (each a workspace's view, in one transaction). `origin`
// names the source workspace in the versions' messages. InvalidArgument when more than
// kMaxProjectedFiles files match.
[[nodiscard]] Result<ProjectionResult> Project(Catalog& source, Catalog& dest,
                                               const std::string& origin,
                                               const ProjectionRequest& request, TimeNs now);

}  // namespace reel
