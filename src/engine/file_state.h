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
  // Held for the whole of a commit of this file (seconds for a big one), so commits of one file
  // run one at a time and in order. Taken before `mu`, never while holding it; `mu` itself is
  // held only for moments by a commit, so nothing else waits for one.
  std::mutex commit_mu;
  // Exclusive for writes, truncates and the start and end of a commit; shared for reads.
  std::shared_mutex mu;
  // --- guarded by mu ---
  bool loaded = false;                  // `base` reflects the catalog's current version
  VersionLayout base;                   // the current version
  // Writes being turned into the next version by a commit, or left by a commit that failed
  // (committed first by the next one). The committer reads it without `mu`, so while it is set
  // nothing changes its content; under `mu` only Sync() may be called on it (an fsync), which
  // writes its record (and the record's flags): the committer reads those flags under `mu`.
  std::shared_ptr<StagedFile> committing;
  // Writes not yet in a version (null when none); over `committing` when that is set.
  std::unique_ptr<StagedFile> staged;
  uint32_t writers = 0;                 // open handles that may write
  // An explicit mtime (utimens) set while a commit ran with no writes staged over it: the
  // commit's version lands its layer's mtime, so this one is applied again when it has landed.
  std::optional<TimeNs> mtime_after_commit;
  // --- guarded by EngineImpl::files_mu_ ---
  uint32_t pins = 0;

  // The file's bytes as readers see them.
  FileContent Content() const { return FileContent{&base, committing.get(), staged.get()}; }
  uint64_t LogicalSize() const { return Content().size(); }
  // Whether anything differs from the current version.
  bool Dirty() const { return committing || (staged && staged->dirty()); }
  // The layer whose size and mtime the file shows (null when the version's apply).
  const StagedFile* Top() const { return staged ? staged.get() : committing.get(); }
};

}  // namespace reel
