// The undo log of reel-crashfs: for every file written since its last fsync, the bytes and the
// size it had at that fsync, so a "power cut" can put every file back to its last-synced state.
//
// Model (leveldb's FaultInjectionTestEnv, moved below the filesystem API): file contents are
// durable only once fsync/fdatasync of the file returns; namespace operations (create, rename,
// unlink, mkdir) are treated as journaled and kept. A file created and written but never synced
// therefore comes back empty after a crash, as on ext4 with delayed allocation.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

#include "common/fs_util.h"
#include "common/status.h"

namespace reel::crashfs {

class UndoLog {
 public:
  // Call before changing bytes [offset, offset + length) of the file open as `fd`: saves the
  // synced bytes of that range not saved yet. `fd` must be readable.
  [[nodiscard]] Status BeforeWrite(int fd, uint64_t offset, uint64_t length);
  // Call before truncating the file open as `fd` to `new_size`: saves the bytes a shrink drops.
  [[nodiscard]] Status BeforeTruncate(int fd, uint64_t new_size);
  // fsync/fdatasync of the file open as `fd` returned: its current state is the synced one.
  void Synced(int fd);
  // Puts every file back to its state at its last sync (sizes and bytes) and forgets the log.
  // Returns the number of files restored.
  [[nodiscard]] Result<size_t> RestoreAll();
  size_t pending_files() const { return files_.size(); }

 private:
  struct FileUndo {
    UniqueFd fd;                               // keeps the inode reachable across renames
    uint64_t synced_size = 0;                  // size at the last sync
    std::map<uint64_t, std::string> saved;     // offset -> synced bytes; ranges never overlap
  };
  using InodeKey = std::pair<dev_t, ino_t>;
  // The record of the file open as `fd`, made on its first change since its last sync.
  Result<FileUndo*> RecordFor(int fd);
  // Saves the synced bytes of [begin, end) (clipped to the synced size) not saved yet.
  static Status SaveRange(FileUndo& file, uint64_t begin, uint64_t end);
  static Status Restore(const FileUndo& file);

  std::map<InodeKey, FileUndo> files_;  // not thread-safe: the filesystem runs one thread
};

}  // namespace reel::crashfs
