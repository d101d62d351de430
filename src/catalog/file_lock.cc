#include "catalog/file_lock.h"

#include <algorithm>

namespace reel {

std::string_view LockFlavorName(LockFlavor f) {
  switch (f) {
    case LockFlavor::kPosix:
      return "posix";
    case LockFlavor::kFlock:
      return "flock";
    case LockFlavor::kOpen:
      return "open";
  }
  return "posix";
}

std::string_view LockTypeName(LockType t) {
  switch (t) {
    case LockType::kUnlock:
      return "unlock";
    case LockType::kRead:
      return "read";
    case LockType::kWrite:
      return "write";
  }
  return "unlock";
}

Result<LockFlavor> ParseLockFlavor(std::string_view name) {
  for (LockFlavor f : {LockFlavor::kPosix, LockFlavor::kFlock, LockFlavor::kOpen}) {
    if (LockFlavorName(f) == name) return f;
  }
  return Status::InvalidArgument("a lock flavor is posix, flock or open");
}

Result<LockType> ParseLockType(std::string_view name) {
  for (LockType t : {LockType::kUnlock, LockType::kRead, LockType::kWrite}) {
    if (LockTypeName(t) == name) return t;
  }
  return Status::InvalidArgument("a lock type is read, write or unlock");
}

Status CheckFileLock(const FileLock& lock) {
  if (lock.first > lock.last || lock.last > kLockToEnd) {
    return Status::InvalidArgument("a lock's bytes run from first to last, at most " +
                                   std::to_string(kLockToEnd));
  }
  if (lock.flavor != LockFlavor::kPosix && (lock.first != 0 || lock.last != kLockToEnd)) {
    return Status::InvalidArgument("a flock or lock-on-open covers the whole file");
  }
  if (lock.flavor == LockFlavor::kOpen && lock.owner != 0) {
    return Status::InvalidArgument("a lock-on-open is the whole mount's (owner 0)");
  }
  return Status::Ok();
}

bool LocksConflict(const FileLock& held, const FileLock& wanted) {
  if (held.flavor != wanted.flavor) return false;
  if (held.type == LockType::kUnlock || wanted.type == LockType::kUnlock) return false;
  if (held.last < wanted.first || wanted.last < held.first) return false;
  return held.type == LockType::kWrite || wanted.type == LockType::kWrite;
}

std::vector<FileLock> ApplyLock(const std::vector<FileLock>& held, const FileLock& change) {
  std::vector<FileLock> out;
  for (const FileLock& l : held) {
    if (l.flavor != change.flavor) {
      out.push_back(l);
      continue;
    }
    if (l.last < change.first || change.last < l.first) {
      out.push_back(l);
      continue;
    }
    // What is left of `l` on either side of `change`.
    if (l.first < change.first) {
      FileLock before = l;
      before.last = change.first - 1;
      out.push_back(before);
    }
    if (l.last > change.last) {
      FileLock after = l;
      after.first = change.last + 1;
      out.push_back(after);
    }
  }
  if (change.type != LockType::kUnlock) out.push_back(change);
  // Merge the ones of one flavor and type that touch or overlap (sorted by start).
  std::sort(out.begin(), out.end(), [](const FileLock& a, const FileLock& b) {
    if (a.flavor != b.flavor) return a.flavor < b.flavor;
    if (a.type != b.type) return a.type < b.type;
    return a.first < b.first;
  });
  std::vector<FileLock> merged;
  for (const FileLock& l : out) {
    if (!merged.empty()) {
      FileLock& m = merged.back();
      if (m.flavor == l.flavor && m.type == l.type &&
          (m.last == kLockToEnd || l.first <= m.last + 1)) {
        m.last = std::max(m.last, l.last);
        if (l.pid != 0 && m.pid == 0) m.pid = l.pid;
        continue;
      }
    }
    merged.push_back(l);
  }
  return merged;
}

}  // namespace reel
