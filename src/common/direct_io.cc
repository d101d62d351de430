#include "common/direct_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "common/fs_util.h"

namespace reel {

int OpenAtMaybeDirect(int dirfd, const char* name, int flags, mode_t mode, bool* direct) {
  if (*direct) {
    const int fd = ::openat(dirfd, name, flags | O_DIRECT, mode);
    if (fd >= 0 || errno != EINVAL) return fd;
    *direct = false;
  }
  return ::openat(dirfd, name, flags, mode);
}

DirectIoBuffers::DirectIoBuffers(size_t buffer_bytes)
    : buffer_bytes_((buffer_bytes + kDirectAlign - 1) / kDirectAlign * kDirectAlign) {}

void DirectIoBuffers::FreeDeleter::operator()(uint8_t* p) const { std::free(p); }

DirectIoBuffers::Buffer DirectIoBuffers::Take() {
  {
    std::lock_guard lock(mu_);
    if (!free_.empty()) {
      Buffer b = std::move(free_.back());
      free_.pop_back();
      return b;
    }
  }
  return Buffer(static_cast<uint8_t*>(std::aligned_alloc(kDirectAlign, buffer_bytes_)));
}

void DirectIoBuffers::Give(Buffer b) {
  if (!b) return;
  std::lock_guard lock(mu_);
  free_.push_back(std::move(b));
}

namespace {

Status ClearDirect(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_DIRECT) != 0) {
    return Status::FromErrno(errno, "clear O_DIRECT");
  }
  return Status::Ok();
}

}  // namespace

Status DirectIoBuffers::Write(int fd, std::span<const uint8_t> data) {
  const size_t aligned = data.size() / kDirectAlign * kDirectAlign;
  // Aligned memory (a pack run's member) is written from where it is; other bytes go through a
  // bounce buffer, one buffer's worth at a time.
  const bool in_place = reinterpret_cast<uintptr_t>(data.data()) % kDirectAlign == 0;
  Buffer buf;
  if (aligned > 0 && !in_place) {
    buf = Take();
    if (!buf) return Status::Internal("out of memory for a direct-write buffer");
  }
  size_t done = 0;
  Status s;
  while (done < aligned) {
    const uint8_t* from = data.data() + done;
    size_t n = aligned - done;
    if (!in_place) {
      n = std::min(buffer_bytes_, n);
      std::memcpy(buf.get(), from, n);
      from = buf.get();
    }
    const ssize_t w = ::pwrite(fd, from, n, static_cast<off_t>(done));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EINVAL) break;  // no direct I/O here: the rest goes buffered
    if (w < 0) {
      s = Status::FromErrno(errno, "direct write");
      break;
    }
    // A short direct write leaves `done` aligned only if w is; otherwise finish buffered.
    done += static_cast<size_t>(w);
    if (w == 0 || static_cast<size_t>(w) % kDirectAlign != 0) break;
  }
  Give(std::move(buf));
  REEL_RETURN_IF_ERROR(s);
  if (done == data.size()) return Status::Ok();
  REEL_RETURN_IF_ERROR(ClearDirect(fd));
  return PwriteFull(fd, data.data() + done, data.size() - done, done);
}

Status DirectIoBuffers::ReadAppend(int fd, uint64_t size, std::vector<uint8_t>* out) {
  const size_t at = out->size();
  Status s = ReadAppendOrPart(fd, size, out);
  if (!s.ok()) out->resize(at);  // nothing half-appended
  return s;
}

Status DirectIoBuffers::ReadAppendOrPart(int fd, uint64_t size, std::vector<uint8_t>* out) {
  Buffer buf = Take();
  if (!buf) return Status::Internal("out of memory for a direct-read buffer");
  uint64_t done = 0;
  Status s;
  while (done < size) {
    // Whole blocks: the last read asks past the end and gets the short remainder.
    const size_t want = static_cast<size_t>(
        std::min<uint64_t>(buffer_bytes_, (size - done + kDirectAlign - 1) / kDirectAlign * kDirectAlign));
    const ssize_t r = ::pread(fd, buf.get(), want, static_cast<off_t>(done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      s = Status::FromErrno(errno, "direct read");
      break;
    }
    if (r == 0) {
      s = Status::IOError("direct read: the file is shorter than its size");
      break;
    }
    const size_t n = static_cast<size_t>(std::min<uint64_t>(static_cast<uint64_t>(r), size - done));
    out->insert(out->end(), buf.get(), buf.get() + n);
    done += n;
    if (static_cast<size_t>(r) % kDirectAlign != 0 && done < size) {
      s = Status::IOError("direct read: a short read inside the file");
      break;
    }
  }
  Give(std::move(buf));
  return s;
}

}  // namespace reel
