// FileLocks: locks on files that other machines see (a team mount's, held through its server:
// remote/team_locks.h). A mount without one leaves flock and fcntl locks to the kernel, which
// keeps them for this machine alone.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "catalog/file_lock.h"
#include "common/status.h"

namespace reel {

class FileLocks {
 public:
  virtual ~FileLocks() = default;

  // Takes, changes or releases `lock` on file `ino`. nullopt when done; otherwise the holder
  // whose lock keeps it from being taken (nothing changed).
  [[nodiscard]] virtual Result<std::optional<LockHolderInfo>> Set(InodeId ino,
                                                                  const FileLock& lock) = 0;
  // Whether `lock` could be taken now: nullopt, or the holder that keeps it.
  [[nodiscard]] virtual Result<std::optional<LockHolderInfo>> Test(InodeId ino,
                                                                   const FileLock& lock) = 0;
  // Whether this mount holds a lock on `ino` (as far as it knows: none once its session lapsed).
  virtual bool Holds(InodeId ino) = 0;
  // The live locks on `ino`, whoever holds them.
  [[nodiscard]] virtual Result<std::vector<LockHolderInfo>> Holders(InodeId ino) = 0;
  // Waits until a lock on `ino` may have gone (released here or elsewhere), at most `max`.
  virtual void WaitForRelease(InodeId ino, std::chrono::milliseconds max) = 0;
  // Another machine released a lock on `ino` (its change feed said so): wakes the waits.
  virtual void ReleasedElsewhere(InodeId ino) = 0;

  // The fencing token a commit of `ino` carries (NewVersion::fence): the lock session under
  // which this mount took a write lock on it since its last commit; 0 when none.
  virtual uint64_t FenceFor(InodeId ino) = 0;
  // A commit of `ino` that carried `fence` is done: the fence is forgotten once no lock is held
  // on the file any more.
  virtual void Committed(InodeId ino, uint64_t fence) = 0;
};

}  // namespace reel
