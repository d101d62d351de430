// LocalDirStore: an ObjectStore in a local directory (URI file:///abs/dir).
//
// Layout under the root directory DIR:
//   DIR/objects/<key>   the object `key`, one regular file (mode 0600); key segments are
//                       directories, created on demand (mode 0700)
//   DIR/tmp/            temp files of Puts in progress ("<pid>-<n>.tmp"), same filesystem
//
// Put: write a new temp file in DIR/tmp, fdatasync it, rename it over DIR/objects/<key>, fsync
// the object's directory. A new parent directory is fsynced into its own parent before the rename.
// Readers therefore see the whole old or the whole new object, and a Put that returned OK
// survives a crash. Concurrent Puts of one key each rename their own temp file; the last rename
// wins and the object is always whole.
// Get/GetRange: open + fstat + pread on the final file; an open descriptor keeps reading the
// object it opened even if a Put replaces it meanwhile.
// Delete: unlink + fsync of the directory. Directories left empty are NOT removed: removing them
// would race with a concurrent Put into the same directory, and with the chunk layout
// (chunks/xx/...) their number is bounded. List skips them.
// List: walks only the directory the prefix names (for "chunks/ab" that is DIR/objects/chunks,
// filtered to entries starting with "ab", then everything below the matching subdirectories).
// Open: creates the directories and removes temp files in DIR/tmp older than
// Options::stale_temp_age (left by crashed writers; younger ones may belong to another process
// that has the same directory open).
//
// PutUnsynced writes with O_DIRECT (past the page cache, common/direct_io.h) where the
// filesystem allows it: its callers put chunks that are not read back soon. SyncPuts' syncfs
// then commits the files' metadata and flushes the device, so such a put is as durable as Put.
//
// Thread-safety: the store holds two directory descriptors, set at Open and never changed; every
// operation works through openat/renameat/unlinkat relative to them. The only lock is the one of
// the pool of direct-I/O bounce buffers.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/direct_io.h"
#include "common/fs_util.h"
#include "store/object_store.h"

namespace reel {

class LocalDirStore final : public ObjectStore {
 public:
  struct Options {
    // Temp files in DIR/tmp older than this are removed by Open.
    std::chrono::seconds stale_temp_age{3600};
  };

  // `root` must be an absolute path; it is created (with parents) if missing.
  static Result<std::unique_ptr<LocalDirStore>> Open(const std::string& root, Options options);
  static Result<std::unique_ptr<LocalDirStore>> Open(const std::string& root) {
    return Open(root, Options{});
  }

  Status Put(const std::string& key, std::span<const uint8_t> data) override;
  // Skips the fdatasync and the directory fsync; SyncPuts() is one syncfs(2) of the store's
  // filesystem.
  Status PutUnsynced(const std::string& key, std::span<const uint8_t> data) override;
  Status SyncPuts() override;
  Result<std::vector<uint8_t>> Get(const std::string& key) override;
  // With O_DIRECT where the filesystem allows it.
  Status GetAppend(const std::string& key, std::vector<uint8_t>* out) override;
  Result<std::vector<uint8_t>> GetRange(const std::string& key, uint64_t offset,
                                        uint64_t length) override;
  Result<ObjectInfo> Head(const std::string& key) override;
  Status Delete(const std::string& key) override;
  Status List(const std::string& prefix,
              const std::function<bool(const ObjectInfo&)>& visit) override;
  std::string Uri() const override { return "file://" + root_; }

  // The root directory (absolute, without a trailing '/').
  const std::string& root() const { return root_; }
  std::string objects_dir() const { return root_ + "/objects"; }
  std::string tmp_dir() const { return root_ + "/tmp"; }
  // Where `key` lives (no validation).
  std::string ObjectPath(const std::string& key) const { return objects_dir() + "/" + key; }
  // How many stale temp files Open removed.
  size_t stale_temps_removed() const { return stale_temps_removed_; }

 private:
  // `durable`: fsyncs and buffered; otherwise no fsync and direct I/O.
  Status PutImpl(const std::string& key, std::span<const uint8_t> data, bool durable);
  LocalDirStore(std::string root, UniqueFd objects_fd, UniqueFd tmp_fd)
      : root_(std::move(root)), objects_fd_(std::move(objects_fd)), tmp_fd_(std::move(tmp_fd)) {}

  // Opens DIR/objects/<key> for reading (`direct`: with O_DIRECT where the filesystem allows
  // it); NotFound if absent or not a regular file. Fills `size`.
  Result<UniqueFd> OpenObject(const std::string& key, uint64_t* size, bool direct = false);

  // Makes DIR/objects/<rel_dir> (and missing parents) exist durably: every directory entry this
  // creates (or finds just created by a racing Put) is fsynced into its parent.
  Status MakeObjectDirs(const std::string& rel_dir);
  // fsync of DIR/objects/<rel_dir> ("" = DIR/objects itself).
  Status FsyncObjectDir(const std::string& rel_dir);
  size_t RemoveStaleTemps(std::chrono::seconds max_age);

  const std::string root_;
  const UniqueFd objects_fd_;  // DIR/objects, O_DIRECTORY
  const UniqueFd tmp_fd_;      // DIR/tmp, O_DIRECTORY
  size_t stale_temps_removed_ = 0;
  DirectIoBuffers direct_buffers_;  // bounce buffers of PutUnsynced and GetAppend
};

}  // namespace reel
