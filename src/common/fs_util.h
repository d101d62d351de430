// Small POSIX helpers shared by the local store, staging area and manifest code.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "common/status.h"

namespace reel {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset();

 private:
  int fd_ = -1;
};

// Creates `path` and its parents (mode 0700 for new directories unless `mode` says otherwise).
[[nodiscard]] Status MakeDirs(const std::string& path, mode_t mode = 0700);
// fsync of a directory, so a rename or create inside it is durable.
[[nodiscard]] Status FsyncDir(const std::string& dir);
enum class Durability {
  kDurable,   // survives a machine crash once the call returns (fsync of file and directory)
  kAtomicOnly,  // survives a crash of the process (the page cache keeps it), not of the machine
};
// Writes `data` to `path` atomically: temp file in the same directory, (fsync,) rename, (fsync of
// the directory). Readers see the old or the new content, never a mix.
[[nodiscard]] Status WriteFileAtomic(const std::string& path, std::span<const uint8_t> data,
                                     mode_t mode = 0600,
                                     Durability durability = Durability::kDurable);
[[nodiscard]] Status WriteFileAtomic(const std::string& path, std::string_view data,
                                     mode_t mode = 0600,
                                     Durability durability = Durability::kDurable);
[[nodiscard]] Result<std::string> ReadWholeFile(const std::string& path);
// pread/pwrite loops that handle short transfers and EINTR.
[[nodiscard]] Status PreadFull(int fd, void* buf, size_t len, uint64_t offset);
[[nodiscard]] Status PwriteFull(int fd, const void* buf, size_t len, uint64_t offset);
// Directory part of a path ("a/b/c" -> "a/b", "c" -> ".").
[[nodiscard]] std::string DirName(const std::string& path);

}  // namespace reel
