// create, open, read, write, flush, release, fsync, fallocate.
#include <fcntl.h>
#include <sys/uio.h>

#include <climits>

#include <vector>

#include <spdlog/spdlog.h>

#include "engine/virtual_tree.h"
#include "fuse/fuse_reply.h"
#include "fuse/op_timing.h"

namespace reel::fuse {
namespace {

OpenFlags FlagsOf(fuse_req_t req, int flags) {
  OpenFlags f;
  int acc = flags & O_ACCMODE;
  f.write = acc == O_WRONLY || acc == O_RDWR;
  f.truncate = (flags & O_TRUNC) != 0;
  // With the writeback cache the kernel computes append offsets and may send any handle's
  // cached pages through this one: offsets must be taken as they come.
  f.append = (flags & O_APPEND) != 0 && !Ctx(req).writeback_cache;
  return f;
}

void Create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  const fuse_ctx* c = fuse_req_ctx(req);
  auto created = Eng(req).Create(parent, name, mode & ~c->umask, c->uid, c->gid, FlagsOf(req, fi->flags));
  if (!created.ok()) return ReplyError(req, created.status());
  fi->fh = created->second;
  fuse_entry_param e = ToEntry(created->first, Ctx(req).attr_timeout);
  if (fuse_reply_create(req, &e, fi) != 0) (void)Eng(req).Release(fi->fh);
}

void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  auto h = Eng(req).Open(ino, FlagsOf(req, fi->flags));
  if (!h.ok()) return ReplyError(req, h.status());
  fi->fh = *h;
  // A real file's content only changes through this mount (a restore makes a new inode), so
  // pages cached by the kernel stay valid across opens: warm reads run at page-cache speed.
  // Version-tree inode numbers can be reused when history moves to another file: not cached.
  fi->keep_cache = VirtualTree::IsVirtual(ino) ? 0 : 1;
  if (fuse_reply_open(req, fi) != 0) (void)Eng(req).Release(fi->fh);
}

// The reply goes out from the chunks' own memory (one iovec per slice), not through a copy. A
// read made of more slices than one writev takes (a staged file written in scattered small
// pieces) is copied into one buffer instead; libfuse adds one iovec for the header.
void Read(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) {
  auto pieces = Eng(req).ReadShared(fi->fh, static_cast<uint64_t>(off), size);
  if (!pieces.ok()) return ReplyError(req, pieces.status());
  if (pieces->empty()) return (void)fuse_reply_buf(req, nullptr, 0);
  if (pieces->size() >= static_cast<size_t>(IOV_MAX)) {
    thread_local std::vector<uint8_t> joined;
    joined.clear();
    for (const SharedBytes& p : *pieces) joined.insert(joined.end(), p.begin(), p.end());
    return (void)fuse_reply_buf(req, reinterpret_cast<const char*>(joined.data()), joined.size());
  }
  std::vector<iovec> iov;
  iov.reserve(pieces->size());
  for (const SharedBytes& p : *pieces) {
    iov.push_back(iovec{const_cast<uint8_t*>(p.data()), p.size()});
  }
  fuse_reply_iov(req, iov.data(), static_cast<int>(iov.size()));
}

// With FUSE_CAP_SPLICE_READ the kernel hands written pages over in a pipe: they are spliced into
// the staging file without a copy through this process. Otherwise `in` holds them in memory.
void WriteBuf(fuse_req_t req, fuse_ino_t, fuse_bufvec* in, off_t off, fuse_file_info* fi) {
  auto fill = [in](int fd, uint64_t at, size_t len) -> Result<size_t> {
    fuse_bufvec out = FUSE_BUFVEC_INIT(len);
    out.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
    out.buf[0].fd = fd;
    out.buf[0].pos = static_cast<off_t>(at);
    ssize_t n = fuse_buf_copy(&out, in, static_cast<fuse_buf_copy_flags>(0));
    if (n < 0) return Status::FromErrno(static_cast<int>(-n), "write to the staging file");
    return static_cast<size_t>(n);
  };
  auto n = Eng(req).WriteFrom(fi->fh, static_cast<uint64_t>(off), fuse_buf_size(in), fill);
  if (!n.ok()) return ReplyError(req, n.status());
  fuse_reply_write(req, *n);
}

// close(2) returns after flush; versions are made at release so a dup'ed descriptor's close
// does not cut one.
// A close also drops the closing process's POSIX locks on the file (the kernel leaves that to
// flush when the filesystem keeps locks).
void Flush(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  ReleaseLocksOf(ino, fi->lock_owner, /*flock=*/false, Eng(req));
  ReplyError(req, Eng(req).Flush(fi->fh));
}

void Release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (fi->flock_release) ReleaseLocksOf(ino, fi->lock_owner, /*flock=*/true, Eng(req));
  Status s = Eng(req).Release(fi->fh);
  if (!s.ok()) spdlog::error("release of inode {}: {}", ino, s.ToString());
  ReplyError(req, s);
}

void Fsync(fuse_req_t req, fuse_ino_t, int datasync, fuse_file_info* fi) {
  ReplyError(req, Eng(req).Fsync(fi->fh, datasync != 0));
}

void Fallocate(fuse_req_t req, fuse_ino_t, int mode, off_t offset, off_t length,
               fuse_file_info* fi) {
  ReplyError(req, Eng(req).Fallocate(fi->fh, mode, static_cast<uint64_t>(offset),
                                     static_cast<uint64_t>(length)));
}

}  // namespace

void AddFileOps(fuse_lowlevel_ops& ops) {
  ops.create = Timed<Op::create, Create>::Call;
  ops.open = Timed<Op::open, Open>::Call;
  ops.read = Timed<Op::read, Read>::Call;
  ops.write_buf = Timed<Op::write_buf, WriteBuf>::Call;
  ops.flush = Timed<Op::flush, Flush>::Call;
  ops.release = Timed<Op::release, Release>::Call;
  ops.fsync = Timed<Op::fsync, Fsync>::Call;
  ops.fallocate = Timed<Op::fallocate, Fallocate>::Call;
}

}  // namespace reel::fuse
