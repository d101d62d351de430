// getxattr, setxattr, listxattr, removexattr.
#include <sys/xattr.h>

#include <string>

#include "fuse/fuse_reply.h"
#include "fuse/op_timing.h"

namespace reel::fuse {
namespace {

void ReplySized(fuse_req_t req, const std::string& value, size_t size) {
  if (size == 0) return (void)fuse_reply_xattr(req, value.size());
  if (value.size() > size) return (void)fuse_reply_err(req, ERANGE);
  fuse_reply_buf(req, value.data(), value.size());
}

void GetXattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  auto value = Eng(req).GetXattr(ino, name);
  if (!value.ok()) return ReplyError(req, value.status());
  ReplySized(req, *value, size);
}

void SetXattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size,
              int flags) {
  ReplyError(req, Eng(req).SetXattr(ino, name, std::string(value, size),
                                    (flags & XATTR_CREATE) != 0, (flags & XATTR_REPLACE) != 0));
}

void ListXattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  auto names = Eng(req).ListXattrs(ino);
  if (!names.ok()) return ReplyError(req, names.status());
  std::string joined;
  for (const auto& n : *names) {
    joined += n;
    joined.push_back('\0');
  }
  ReplySized(req, joined, size);
}

void RemoveXattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  ReplyError(req, Eng(req).RemoveXattr(ino, name));
}

}  // namespace

void AddXattrOps(fuse_lowlevel_ops& ops) {
  ops.getxattr = Timed<Op::getxattr, GetXattr>::Call;
  ops.setxattr = Timed<Op::setxattr, SetXattr>::Call;
  ops.listxattr = Timed<Op::listxattr, ListXattr>::Call;
  ops.removexattr = Timed<Op::removexattr, RemoveXattr>::Call;
}

}  // namespace reel::fuse
