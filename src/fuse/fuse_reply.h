// Shared pieces of the FUSE adapter: the per-session context, attribute conversion and the
// error reply (through the one Status -> errno mapping in common/error_mapping.h).
#pragma once

#include <fuse3/fuse_lowlevel.h>
#include <sys/stat.h>

#include <array>
#include <optional>

#include "catalog/types.h"
#include "common/status.h"
#include "engine/engine.h"
#include "fuse/op_list.h"

namespace reel {
class TimedCalls;
}  // namespace reel

namespace reel::fuse {

class LockWaiters;

struct Context {
  Engine* engine = nullptr;
  LockWaiters* lock_waiters = nullptr;  // with file_locks(): requests that wait for a lock
  double attr_timeout = 1.0;
  bool want_writeback_cache = true;
  // Readahead to accept at init (the kernel uses the smaller of this and what it offers).
  unsigned max_readahead = 16u << 20;
  // Set at init: the kernel caches writes and resolves O_APPEND offsets itself.
  bool writeback_cache = false;
  fuse_session* session = nullptr;
  // Each operation's timing series (fuse/op_timing.h), all null when the mount has no metrics.
  std::array<TimedCalls*, static_cast<size_t>(Op::kCount)> op_series{};
};

inline Context& Ctx(fuse_req_t req) { return *static_cast<Context*>(fuse_req_userdata(req)); }
inline Engine& Eng(fuse_req_t req) { return *Ctx(req).engine; }

// The S_IF* bits of a file type, and back (nullopt for bits no FileType has).
mode_t ModeTypeOf(FileType type);
std::optional<FileType> FileTypeOfMode(mode_t mode);
struct stat ToStat(const Attributes& a);
fuse_entry_param ToEntry(const Attributes& a, double timeout);
void ReplyError(fuse_req_t req, const Status& status);
void ReplyEntry(fuse_req_t req, const Result<Attributes>& attr);
void ReplyAttr(fuse_req_t req, const Result<Attributes>& attr);

// Operation tables filled by each family's file.
void AddAttrOps(fuse_lowlevel_ops& ops);
void AddDirOps(fuse_lowlevel_ops& ops);
void AddFileOps(fuse_lowlevel_ops& ops);
void AddXattrOps(fuse_lowlevel_ops& ops);
// Only for an engine with file_locks() (fuse_ops_lock.cc).
void AddLockOps(fuse_lowlevel_ops& ops);
// A closed file's POSIX locks of `owner` (flush), or its flock of `owner` (release), go.
void ReleaseLocksOf(fuse_ino_t ino, uint64_t owner, bool flock, Engine& engine);

}  // namespace reel::fuse
