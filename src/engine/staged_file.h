// StagedFile: the local, not-yet-versioned writes of one file. Data sits in a sparse file
// (<staging>/<ino>.data, or <ino>.<layer>.data) at the file's own offsets, made at the first
// write, truncate or record (a file created and closed empty touches no staging file); an
// ExtentMap says which ranges hold written data. Everything else reads from the content below
// (below `base_limit`) or as zeros. Fsync persists the data and a small metadata record
// (<ino>[.<layer>].meta) atomically, which is what crash recovery reads.
//
// Layers: while a commit turns one StagedFile into a version, writes go to a new StagedFile over
// it (`over_id`, layer number one higher), so nothing waits for the commit. Once the version
// is in the catalog the upper one is rebased onto it (Rebase) before the lower one is removed, so
// at any crash the records on disk say what each layer lies on.
//
// Not thread-safe: the owning FileState's mutex guards it. A layer being committed is not
// changed until its commit ends, so the committer reads it (const methods) without that mutex.
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
// The staging record (<ino>[.<layer>].meta). `id` names this round of staging: the version
// committed from it carries it (VersionInfo::commit_id), so recovery knows whether a record was
// committed without guessing from version numbers. The base is named by its creation time as
// well as its number, since a rename that keeps history renumbers versions. A layer made while
// the one below it was being committed names that one (`over_id`): its base is the version that
// carries that id. Records written before ids existed have 0s.
struct StagedMeta {
  InodeId ino = 0;
  uint64_t id = 0;            // random, never 0 in a new record
  uint64_t base_version = 0;  // version the staged writes apply to (0 = none)
  TimeNs base_created = 0;    // VersionInfo::created of the base (0 = none or unknown)
  uint32_t layer = 0;         // 0, or n > 0 when the record's files are <ino>.<n>.{data,meta}
  uint64_t over_id = 0;       // the id of the layer below these writes lie on (0 = none)
  uint64_t size = 0;          // logical file size
  uint64_t base_limit = 0;    // base content is visible only below this offset
  TimeNs mtime = 0;
  std::vector<std::pair<uint64_t, uint64_t>> extents;
  // The fencing token of the lock the writes were made under (NewVersion::fence; 0: none), so
  // that their recovery after a crash is refused as current when that lock lapsed meanwhile.
  uint64_t fence = 0;
};

class StagedFile {
 public:
  // Starts staging on top of a base version of `base_size` bytes (`base_created`: its
  // VersionInfo::created).
  static Result<std::unique_ptr<StagedFile>> Create(const std::string& dir, InodeId ino,
                                                    uint64_t base_version, uint64_t base_size,
                                                    TimeNs mtime, TimeNs base_created = 0);
  // Starts staging over `below` while `below` is being committed: the new layer lies over
  // below's content, and records that (over_id) until Rebase.
  static Result<std::unique_ptr<StagedFile>> CreateOver(const StagedFile& below, TimeNs mtime);
  // Reopens staging left behind by a previous run (crash recovery).
  static Result<std::unique_ptr<StagedFile>> Reopen(const std::string& dir, const StagedMeta& meta);
  // Moves the record `meta` in `dir` and its data to inode `ino` (layer 0), without a base
  // version (bytes not written read as zeros): for writes whose file a restored catalog does not
  // know, given a new file by the restore. Crash-safe: the data is hard-linked first, the old
  // record removed last, so a crash leaves one of the two records (or both, sharing the data).
  static Status Adopt(const std::string& dir, const StagedMeta& meta, InodeId ino);
  // Deletes the record `meta` in `dir` and its data (whichever of the two exists).
  static void Discard(const std::string& dir, const StagedMeta& meta);
  // Reads every metadata record in `dir`, ordered by inode and then layer (bottom first); removes
  // data files that have no metadata (never acknowledged) and records a power cut left empty
  // (never made durable, so nothing in them was acknowledged).
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
  void SetMtime(TimeNs mtime) {
    meta_.mtime = mtime;
    record_current_ = false;
  }
  // The writes are made under the lock of fencing token `fence` (recorded with the next record).
  void SetFence(uint64_t fence) {
    if (fence == meta_.fence) return;
    meta_.fence = fence;
    record_current_ = false;
  }
  // Reads staged bytes of [offset, offset+out.size()); the range must lie inside an extent.
  Status ReadStaged(uint64_t offset, std::span<uint8_t> out) const;
  // Makes data and metadata durable (nothing to do for a layer with no files: it is its base).
  Status Sync();
  // Writes the metadata record atomically (without syncing the data). kAtomicOnly is enough at a
  // plain close: it survives kill -9; durability against a machine crash is what fsync promises.
  // Once Sync() made a record durable, every later record is made durable (data synced too):
  // renaming a record that is not over one that is could leave an empty record after a power cut.
  Status PersistMeta(Durability durability);
  // Writes the record (kAtomicOnly, as PersistMeta) unless the one on disk already says what
  // this object does, or the layer has no files: a commit records the layer it takes, usually
  // just recorded by its close.
  Status RecordIfChanged();
  // The layer below was committed as `version` (created at `created`): these writes now apply to
  // it directly. Rewrites the record (durably) when one was written, before the layer below goes.
  Status Rebase(uint64_t version, TimeNs created);
  // Deletes the staging files.
  void Remove();

  const ExtentMap& extents() const { return extents_; }
  uint64_t size() const { return meta_.size; }
  uint64_t base_limit() const { return meta_.base_limit; }
  uint64_t base_version() const { return meta_.base_version; }
  uint32_t layer() const { return meta_.layer; }
  TimeNs mtime() const { return meta_.mtime; }
  // The record's id, to be stored with the version committed from it (VersionInfo::commit_id).
  uint64_t id() const { return meta_.id; }
  const StagedMeta& meta() const { return meta_; }
  // Whether anything differs from the base version.
  bool dirty() const { return dirty_; }
  // Whether the layer has files: a layer gets its data file at its first write, truncate or
  // record (a record is only written with its data file). Until then it holds exactly its base
  // (a new file created and not written yet), so it has nothing to record, sync or lose.
  bool on_disk() const { return fd_.valid(); }

 private:
  StagedFile(std::string dir, StagedMeta meta, UniqueFd fd);
  // A layer of `meta` with no files yet (EnsureDataFile makes them).
  static Result<std::unique_ptr<StagedFile>> CreateLayer(const std::string& dir, StagedMeta meta);
  // Creates the data file, sized to meta_.size with nothing written, unless it exists.
  Status EnsureDataFile();
  std::string DataPath() const;
  std::string MetaPath() const;

  std::string dir_;
  StagedMeta meta_;  // meta_.extents is refreshed from extents_ when persisted
  ExtentMap extents_;
  UniqueFd fd_;  // the data file; invalid until the layer first needs it
  bool dirty_ = false;
  bool meta_written_ = false;  // a metadata record exists on disk
  bool record_current_ = false;  // ... and says what meta_ and extents_ say now
  bool record_durable_ = false;  // Sync() wrote the record on disk; cleared when it is removed
  uint64_t unflushed_ = 0;  // bytes written since writeback of the data file was last started
};

}  // namespace reel
