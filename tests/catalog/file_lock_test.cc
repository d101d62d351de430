// The rules of file locks shared by a team's mounts: what conflicts, and what a holder has after
// a lock or an unlock (POSIX: the new range replaces what it covered; neighbours of one type
// merge).
#include "catalog/file_lock.h"

#include <gtest/gtest.h>

namespace reel {
namespace {

FileLock Range(LockType type, uint64_t first, uint64_t last,
               LockFlavor flavor = LockFlavor::kPosix) {
  FileLock l;
  l.flavor = flavor;
  l.type = type;
  l.owner = 7;
  l.first = first;
  l.last = last;
  return l;
}

std::string Show(const std::vector<FileLock>& locks) {
  std::string out;
  for (const FileLock& l : locks) {
    out += std::string(LockTypeName(l.type)) + ":" + std::to_string(l.first) + "-" +
           (l.last == kLockToEnd ? std::string("end") : std::to_string(l.last)) + " ";
  }
  return out;
}

TEST(FileLockTest, WriteLocksConflictWithAnyOverlapReadLocksShare) {
  const auto W = LockType::kWrite, R = LockType::kRead;
  EXPECT_TRUE(LocksConflict(Range(W, 0, 99), Range(W, 99, 200)));
  EXPECT_FALSE(LocksConflict(Range(W, 0, 99), Range(W, 100, 200)));
  EXPECT_TRUE(LocksConflict(Range(R, 0, 99), Range(W, 50, 50)));
  EXPECT_TRUE(LocksConflict(Range(W, 0, 99), Range(R, 50, 50)));
  EXPECT_FALSE(LocksConflict(Range(R, 0, 99), Range(R, 0, 99)));
  EXPECT_TRUE(LocksConflict(Range(W, 10, kLockToEnd), Range(W, kLockToEnd, kLockToEnd)));
  // flock, POSIX and lock-on-open locks never meet.
  EXPECT_FALSE(LocksConflict(Range(W, 0, kLockToEnd, LockFlavor::kFlock),
                             Range(W, 0, kLockToEnd)));
  EXPECT_FALSE(LocksConflict(Range(W, 0, kLockToEnd, LockFlavor::kOpen),
                             Range(W, 0, kLockToEnd, LockFlavor::kFlock)));
  EXPECT_FALSE(LocksConflict(Range(LockType::kUnlock, 0, 99), Range(W, 0, 99)));
}

TEST(FileLockTest, ALockReplacesWhatItCoversAndMergesWithItsNeighbours) {
  const auto W = LockType::kWrite, R = LockType::kRead, U = LockType::kUnlock;
  std::vector<FileLock> held = ApplyLock({}, Range(W, 0, 99));
  EXPECT_EQ(Show(held), "write:0-99 ");
  held = ApplyLock(held, Range(W, 100, 199));  // touching: one lock
  EXPECT_EQ(Show(held), "write:0-199 ");
  held = ApplyLock(held, Range(U, 50, 59));  // a hole splits it
  EXPECT_EQ(Show(held), "write:0-49 write:60-199 ");
  held = ApplyLock(held, Range(R, 40, 69));  // a downgrade of the middle
  EXPECT_EQ(Show(held), "read:40-69 write:0-39 write:70-199 ");
  held = ApplyLock(held, Range(W, 0, kLockToEnd));  // everything, to the end
  EXPECT_EQ(Show(held), "write:0-end ");
  held = ApplyLock(held, Range(U, 1000, kLockToEnd));
  EXPECT_EQ(Show(held), "write:0-999 ");
  held = ApplyLock(held, Range(U, 0, kLockToEnd));
  EXPECT_TRUE(held.empty());
  // Another flavor's locks are left as they are.
  held = ApplyLock({Range(W, 0, kLockToEnd, LockFlavor::kFlock)}, Range(U, 0, kLockToEnd));
  EXPECT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].flavor, LockFlavor::kFlock);
}

TEST(FileLockTest, MalformedLocksAreRefused) {
  EXPECT_TRUE(CheckFileLock(Range(LockType::kWrite, 0, 0)).ok());
  EXPECT_FALSE(CheckFileLock(Range(LockType::kWrite, 10, 9)).ok());
  EXPECT_FALSE(CheckFileLock(Range(LockType::kWrite, 0, kLockToEnd + 1)).ok());
  EXPECT_FALSE(CheckFileLock(Range(LockType::kWrite, 0, 99, LockFlavor::kFlock)).ok());
  FileLock open = Range(LockType::kWrite, 0, kLockToEnd, LockFlavor::kOpen);
  EXPECT_FALSE(CheckFileLock(open).ok()) << "a lock-on-open is the mount's, owner 0";
  open.owner = 0;
  EXPECT_TRUE(CheckFileLock(open).ok());
  for (const char* name : {"posix", "flock", "open"}) {
    auto f = ParseLockFlavor(name);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(LockFlavorName(*f), name);
  }
  EXPECT_FALSE(ParseLockFlavor("mandatory").ok());
  EXPECT_FALSE(ParseLockType("exclusive").ok());
}

}  // namespace
}  // namespace reel
