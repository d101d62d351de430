// lookup, forget, getattr, setattr, statfs.
#include <sys/statvfs.h>

#include <cstring>

#include "fuse/fuse_reply.h"
#include "fuse/op_timing.h"

namespace reel::fuse {
namespace {

TimeNs NsOf(const timespec& ts) { return static_cast<TimeNs>(ts.tv_sec) * 1000000000 + ts.tv_nsec; }

TimeNs NowNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return NsOf(ts);
}

void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  ReplyEntry(req, Eng(req).Lookup(parent, name));
}

// The engine keeps no per-lookup state, so there is nothing to forget.
void Forget(fuse_req_t req, fuse_ino_t, uint64_t) { fuse_reply_none(req); }

void GetAttr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  ReplyAttr(req, Eng(req).GetAttributes(ino));
}

void SetAttr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info*) {
  AttrUpdate update;
  std::optional<uint64_t> size;
  if (to_set & FUSE_SET_ATTR_MODE) update.mode = attr->st_mode & 07777;
  if (to_set & FUSE_SET_ATTR_UID) update.uid = attr->st_uid;
  if (to_set & FUSE_SET_ATTR_GID) update.gid = attr->st_gid;
  if (to_set & FUSE_SET_ATTR_SIZE) size = static_cast<uint64_t>(attr->st_size);
  if (to_set & FUSE_SET_ATTR_ATIME_NOW) update.atime = NowNs();
  else if (to_set & FUSE_SET_ATTR_ATIME) update.atime = NsOf(attr->st_atim);
  if (to_set & FUSE_SET_ATTR_MTIME_NOW) update.mtime = NowNs();
  else if (to_set & FUSE_SET_ATTR_MTIME) update.mtime = NsOf(attr->st_mtim);
  ReplyAttr(req, Eng(req).SetAttributes(ino, update, size));
}

void StatFs(fuse_req_t req, fuse_ino_t) {
  auto st = Eng(req).StatFs();
  if (!st.ok()) return ReplyError(req, st.status());
  struct statvfs sv;
  std::memset(&sv, 0, sizeof sv);
  sv.f_bsize = sv.f_frsize = st->block_size;
  sv.f_blocks = st->total_bytes / st->block_size;
  sv.f_bfree = sv.f_bavail = st->free_bytes / st->block_size;
  sv.f_files = st->files + st->free_files;
  sv.f_ffree = sv.f_favail = st->free_files;
  sv.f_namemax = 255;
  fuse_reply_statfs(req, &sv);
}

}  // namespace

void AddAttrOps(fuse_lowlevel_ops& ops) {
  ops.lookup = Timed<Op::lookup, Lookup>::Call;
  ops.forget = Timed<Op::forget, Forget>::Call;
  ops.getattr = Timed<Op::getattr, GetAttr>::Call;
  ops.setattr = Timed<Op::setattr, SetAttr>::Call;
  ops.statfs = Timed<Op::statfs, StatFs>::Call;
}

}  // namespace reel::fuse
