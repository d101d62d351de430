// StagedFile: the local, not-yet-versioned writes of one file. Data sits in a sparse file
// (<staging>/<ino>.data) at the file's own offsets; an ExtentMap says which ranges hold written
// data. Everything else reads from the base version (below `base_limit`) or as zeros. Fsync
// persists the data and a small metadata record (<ino>.meta) atomically, which is what crash
// recovery reads. Not thread-safe: the owning FileState's mutex guards it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "catalog/types.h"
#include "common/fs_util.h"
#include "common/status.h"
#include "engine/engine.h"
#include "engine/extent_map.h"

namespace reel {

// The staging record (<ino>.meta). `id` names this round of staging: it is made when staging
// starts and again after each commit, and the version committed from it carries it
// (VersionInfo::commit_id), so recovery knows whether a record was committed without guessing
// from version numbers. The base is named by its creation time as well as its number, since a
// rename that keeps history renumbers versions. Records written before ids existed have 0s.
struct StagedMeta {
  InodeId ino = 0;
  uint64_t id = 0;            // random, never 0 in a new record
  uint64_t base_version = 0;  // version the staged writes apply to (0 = none)
  TimeNs base_created = 0;    // VersionInfo::created of the base (0 = none or unknown)
  uint64_t size = 0;          // logical file size
  uint64_t base_limit = 0;    // base content is visible only below this offset
  TimeNs mtime = 0;
  std::vector<std::pair<uint64_t, uint64_t>> extents;
};

class StagedFile {
 public:
  // Starts staging on top of a base version of `base_size` bytes.
  static Result<std::unique_ptr<StagedFile>> Create(const std::string& dir, InodeId ino,
                                                    uint64_t base_version, uint64_t base_size,
                                                    TimeNs mtime, TimeNs base_created = 0);
  // Reopens staging left behind by a previous run (crash recovery).
  static Result<std::unique_ptr<StagedFile>> Reopen(const std::string& dir, const StagedMeta& meta);
  // Moves the record `meta` in `dir` and its data to inode `ino`, without a base version (bytes
  // not written read as zeros): for writes whose file a restored catalog does not know, given a
  // new file by the restore. Crash-safe: the data is hard-linked first, the old record removed
  // last, so a crash leaves one of the two records (or both, sharing the data).
  static Status Adopt(const std::string& dir, const StagedMeta& meta, InodeId ino);
  // Deletes the record of `ino` in `dir` and its data (whichever of the two exists).
  static void Discard(const std::string& dir, InodeId ino);
  // Reads every <ino>.meta in `dir`; removes data files that have no metadata (never acknowledged).
  static Result<std::vector<StagedMeta>> ListRecoverable(const std::string& dir);

  Status Write(uint64_t offset, std::span<const uint8_t> data, TimeNs now);
  // Lets `fill` move `size` bytes into the data file at `offset`; records and returns what it
  // moved (a short count is a short write; bytes moved before an error count as not written).
  Result<size_t> WriteFrom(uint64_t offset, size_t size, const StagingFill& fill, TimeNs now);
  // A fill that pwrites `data`.
  static StagingFill PwriteFill(std::span<const uint8_t> data);
  Status Truncate(uint64_t size, TimeNs now);
  Status PunchHole(uint64_t offset, uint64_t length, TimeNs now);
  // An explicit modification time (utimens) for the version this staging becomes.
  void SetMtime(TimeNs mtime) { meta_.mtime = mtime; }
  // Reads staged bytes of [offset, offset+out.size()); the range must lie inside an extent.
  Status ReadStaged(uint64_t offset, std::span<uint8_t> out) const;
  // Makes data and metadata durable.
  Status Sync();
  // Writes the metadata record atomically (without syncing the data). kAtomicOnly is enough at a
  // plain close: it survives kill -9; durability against a machine crash is what fsync promises.
  Status PersistMeta(Durability durability);
  // After a version was committed: nothing is staged any more; the base is the new version
  // (`created`: its VersionInfo::created); staging continues under a new id.
  Status MarkCommitted(uint64_t version, uint64_t size, TimeNs created = 0);
  // Deletes the staging files.
  void Remove();

  const ExtentMap& extents() const { return extents_; }
  uint64_t size() const { return meta_.size; }
  uint64_t base_limit() const { return meta_.base_limit; }
  uint64_t base_version() const { return meta_.base_version; }
  // The record's id, to be stored with the version committed from it (VersionInfo::commit_id).
  uint64_t id() const { return meta_.id; }
  const StagedMeta& meta() const { return meta_; }
  TimeNs mtime() const { return meta_.mtime; }
  // Whether anything differs from the base version.
  bool dirty() const { return dirty_; }

 private:
  StagedFile(std::string dir, StagedMeta meta, UniqueFd fd);
  std::string DataPath() const;
  std::string MetaPath() const;

  std::string dir_;
  StagedMeta meta_;  // meta_.extents is refreshed from extents_ when persisted
  ExtentMap extents_;
  UniqueFd fd_;
  bool dirty_ = false;
  uint64_t unflushed_ = 0;  // bytes written since writeback of the data file was last started
};

}  // namespace reel
