#include "fuse/fuse_reply.h"

#include <cstring>

#include "common/error_mapping.h"
#include "engine/virtual_tree.h"

namespace reel::fuse {

static timespec ToTimespec(TimeNs ns) {
  timespec ts;
  ts.tv_sec = static_cast<time_t>(ns / 1000000000);
  ts.tv_nsec = static_cast<long>(ns % 1000000000);
  if (ts.tv_nsec < 0) {
    ts.tv_nsec += 1000000000;
    ts.tv_sec -= 1;
  }
  return ts;
}

namespace {
struct TypeBits {
  FileType type;
  mode_t bits;
};
constexpr TypeBits kTypeBits[] = {
    {FileType::kRegular, S_IFREG},     {FileType::kDirectory, S_IFDIR},
    {FileType::kSymlink, S_IFLNK},     {FileType::kFifo, S_IFIFO},
    {FileType::kCharDevice, S_IFCHR},  {FileType::kBlockDevice, S_IFBLK},
    {FileType::kSocket, S_IFSOCK},
};
}  // namespace

mode_t ModeTypeOf(FileType type) {
  for (const auto& t : kTypeBits) {
    if (t.type == type) return t.bits;
  }
  return S_IFREG;
}

std::optional<FileType> FileTypeOfMode(mode_t mode) {
  for (const auto& t : kTypeBits) {
    if ((mode & S_IFMT) == t.bits) return t.type;
  }
  return std::nullopt;
}

struct stat ToStat(const Attributes& a) {
  struct stat st;
  std::memset(&st, 0, sizeof st);
  st.st_ino = a.ino;
  st.st_mode = ModeTypeOf(a.type) | (a.mode & 07777);
  st.st_rdev = static_cast<dev_t>(a.rdev);
  st.st_nlink = a.nlink;
  st.st_uid = a.uid;
  st.st_gid = a.gid;
  st.st_size = static_cast<off_t>(a.size);
  st.st_blksize = 1 << 20;  // hints tools (cp, dd) to move 1 MiB at a time
  st.st_blocks = static_cast<blkcnt_t>((a.size + 511) / 512);
  st.st_atim = ToTimespec(a.atime);
  st.st_mtim = ToTimespec(a.mtime);
  st.st_ctim = ToTimespec(a.ctime);
  return st;
}

// The version tree changes with every commit and restore: the kernel must ask every time.
static double TimeoutFor(const Attributes& a, double timeout) {
  return VirtualTree::IsVirtual(a.ino) ? 0.0 : timeout;
}

fuse_entry_param ToEntry(const Attributes& a, double timeout) {
  fuse_entry_param e;
  std::memset(&e, 0, sizeof e);
  e.ino = a.ino;
  e.generation = 1;
  e.attr = ToStat(a);
  e.attr_timeout = TimeoutFor(a, timeout);
  e.entry_timeout = TimeoutFor(a, timeout);
  return e;
}

void ReplyError(fuse_req_t req, const Status& status) {
  fuse_reply_err(req, ToErrno(status.code()));
}

void ReplyEntry(fuse_req_t req, const Result<Attributes>& attr) {
  if (!attr.ok()) return ReplyError(req, attr.status());
  fuse_entry_param e = ToEntry(*attr, Ctx(req).attr_timeout);
  fuse_reply_entry(req, &e);
}

void ReplyAttr(fuse_req_t req, const Result<Attributes>& attr) {
  if (!attr.ok()) return ReplyError(req, attr.status());
  struct stat st = ToStat(*attr);
  fuse_reply_attr(req, &st, TimeoutFor(*attr, Ctx(req).attr_timeout));
}

}  // namespace reel::fuse
