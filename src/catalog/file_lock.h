// Locks on files that the mounts of a team share through its server: flock(2) locks, POSIX
// byte-range locks (fcntl F_SETLK) and lock-on-open (a whole-file lock a mount takes when it
// opens a configured kind of file for writing). What is held, and the rules of who may take what;
// where locks are kept and how long they last is team/ (TeamDirectory::SetLock).
//
// A holder is an owner within one instance's lock session: the kernel's lock owner for POSIX and
// flock locks (a process's files table, an open file), 0 for lock-on-open (the whole mount). The
// three flavors are independent of each other, as flock and fcntl locks are on Linux.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/types.h"
#include "common/status.h"

namespace reel {

enum class LockFlavor : uint8_t { kPosix = 1, kFlock = 2, kOpen = 3 };
enum class LockType : uint8_t { kUnlock = 0, kRead = 1, kWrite = 2 };

// The last byte of a lock that runs to the end of the file, however long it grows.
inline constexpr uint64_t kLockToEnd = INT64_MAX;

struct FileLock {
  LockFlavor flavor = LockFlavor::kPosix;
  LockType type = LockType::kWrite;
  uint64_t owner = 0;
  uint64_t first = 0;           // bytes first..last, inclusive
  uint64_t last = kLockToEnd;   // flock and lock-on-open: always 0..kLockToEnd
  uint32_t pid = 0;             // the process that took it, as its mount saw it (for F_GETLK)
};

std::string_view LockFlavorName(LockFlavor f);  // "posix", "flock", "open"
std::string_view LockTypeName(LockType t);      // "unlock", "read", "write"
[[nodiscard]] Result<LockFlavor> ParseLockFlavor(std::string_view name);
[[nodiscard]] Result<LockType> ParseLockType(std::string_view name);

// A lock on a file and who holds it.
struct LockHolderInfo {
  InodeId ino = 0;
  FileLock lock;
  uint64_t session = 0;   // the holder's lock session
  std::string instance;   // the holder's mount
  std::string user;
  std::string host;
  TimeNs since = 0;       // when it was taken
};

// InvalidArgument unless `lock` is well formed: first <= last <= kLockToEnd, and a flock or
// lock-on-open covers the whole file (lock-on-open: owner 0).
[[nodiscard]] Status CheckFileLock(const FileLock& lock);

// Whether `held`, another holder's lock, keeps `wanted` from being taken: the same flavor,
// overlapping bytes, and one of them a write lock.
bool LocksConflict(const FileLock& held, const FileLock& wanted);

// The locks of one holder (one flavor) after `change`, which is theirs: as POSIX has it, the
// bytes of `change` are now of its type (none for an unlock) whatever the holder had there
// before; the rest keeps what it had; touching or overlapping locks of one type merge.
[[nodiscard]] std::vector<FileLock> ApplyLock(const std::vector<FileLock>& held,
                                              const FileLock& change);

}  // namespace reel
