// Writing and reading files past the page cache (O_DIRECT), for bytes that are written once and
// not read back soon, or read once: a commit's new chunks and the local cache's fills of fetched
// chunks (LocalDirStore::PutUnsynced), an upload's read of a local chunk (GetAppend). A buffered
// write of such a copy costs the kernel a fresh page-cache page per 4 KiB (allocation,
// memory-cgroup charge, copy, later writeback): on the 2-core benchmark VM, 2 GiB written buffered
// cost 1.6 to 2.0 s of system time against 0.6 s with O_DIRECT, and a 2 GiB commit's chunk writes
// 5 core-s. The writer or reader of the chunk has its bytes in memory already, and the FUSE page
// cache keeps what the user wrote or read, so the chunk file needs no other copy in RAM.
//
// O_DIRECT needs the memory address, the file offset and the length aligned (statx reports 512
// bytes for this machine's disk; kDirectAlign is a safe 4 KiB). Callers' buffers are not aligned,
// so the bytes go through reusable aligned bounce buffers (a copy into memory that is already
// mapped costs a small part of what a page-cache page does); aligned buffers (a pack run's
// members, laid out on 4 KiB boundaries) are written from where they are. The unaligned tail is
// written through the page cache.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "common/status.h"

namespace reel {

inline constexpr size_t kDirectAlign = 4096;

// openat(dirfd, name, flags | O_DIRECT, mode) when `*direct`; a filesystem that refuses O_DIRECT
// (EINVAL) gets the plain open, and `*direct` becomes false. Returns the descriptor or -1 (errno).
int OpenAtMaybeDirect(int dirfd, const char* name, int flags, mode_t mode, bool* direct);

// Aligned bounce buffers of one size, kept for reuse (at most as many as were in use at once).
class DirectIoBuffers {
 public:
  explicit DirectIoBuffers(size_t buffer_bytes = 4u << 20);
  DirectIoBuffers(const DirectIoBuffers&) = delete;
  DirectIoBuffers& operator=(const DirectIoBuffers&) = delete;

  // Writes `data` at offset 0 of `fd`, which was opened with O_DIRECT: whole aligned blocks with
  // direct I/O, then the tail (and everything, if the filesystem refuses direct I/O with EINVAL)
  // with O_DIRECT cleared.
  [[nodiscard]] Status Write(int fd, std::span<const uint8_t> data);
  // Appends the first `size` bytes of `fd` (opened with O_DIRECT, or without if the filesystem
  // refused it) to `out`; a file shorter than `size` is an IOError (and `out` is left as it was).
  [[nodiscard]] Status ReadAppend(int fd, uint64_t size, std::vector<uint8_t>* out);

  size_t buffer_bytes() const { return buffer_bytes_; }

 private:
  struct FreeDeleter {
    void operator()(uint8_t* p) const;
  };
  using Buffer = std::unique_ptr<uint8_t, FreeDeleter>;
  // ReadAppend, leaving what it read so far appended on failure.
  Status ReadAppendOrPart(int fd, uint64_t size, std::vector<uint8_t>* out);
  Buffer Take();
  void Give(Buffer b);

  const size_t buffer_bytes_;
  std::mutex mu_;  // guards free_
  std::vector<Buffer> free_;
};

}  // namespace reel
