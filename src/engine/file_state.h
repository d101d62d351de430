// FileState: the engine's in-memory state of one regular file that is open, staged or being
// committed. Lives in EngineImpl::files_ while pinned (open handles, queued commits, API calls)
// or while it holds staged writes.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>

#include "catalog/types.h"
#include "engine/file_content.h"
#include "engine/staged_file.h"

namespace reel {

struct FileState {
  explicit FileState(InodeId i) : ino(i) {}

  const InodeId ino;
  // Exclusive for writes, truncates and commits; shared for reads.
  std::shared_mutex mu;
  // --- guarded by mu ---
  bool loaded = false;                  // `base` reflects the catalog's current version
  VersionLayout base;                   // the current version
  std::unique_ptr<StagedFile> staged;   // writes not yet in a version (null when none)
  uint32_t writers = 0;                 // open handles that may write
  // --- guarded by EngineImpl::files_mu_ ---
  uint32_t pins = 0;

  // The staged size and mtime while a commit holds `mu` (set and cleared under it): the staged
  // content cannot change meanwhile, so attribute reads use these instead of waiting seconds for
  // a big file's commit (`ls -l`, or `reel publish` resolving the path it publishes).
  struct CommittingAttrs {
    uint64_t size = 0;
    TimeNs mtime = 0;
  };
  std::mutex committing_mu;  // guards committing
  std::optional<CommittingAttrs> committing;

  uint64_t LogicalSize() const { return staged ? staged->size() : base.size(); }
  bool Dirty() const { return staged && staged->dirty(); }
};

}  // namespace reel
