// readdir(plus), mkdir, rmdir, unlink, rename, symlink, readlink, link, mknod.
#include <cstring>
#include <vector>

#include "engine/virtual_tree.h"
#include "fuse/fuse_reply.h"
#include "fuse/op_timing.h"

namespace reel::fuse {
namespace {

// FUSE directory offsets: 1 = after ".", 2 = after "..", 2 + cookie = after that entry.
constexpr off_t kFirstEntryOffset = 2;
constexpr size_t kBatch = 256;

void ReadDirCommon(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, bool plus) {
  Engine& engine = Eng(req);
  double timeout = Ctx(req).attr_timeout;
  std::vector<char> buf(size);
  size_t pos = 0;
  auto add = [&](const char* name, const Attributes& a, off_t next) -> bool {
    size_t room = size - pos;
    size_t n;
    if (plus) {
      fuse_entry_param e = ToEntry(a, timeout);
      n = fuse_add_direntry_plus(req, buf.data() + pos, room, name, &e, next);
    } else {
      struct stat st = ToStat(a);
      n = fuse_add_direntry(req, buf.data() + pos, room, name, &st, next);
    }
    if (n > room) return false;
    pos += n;
    return true;
  };
  if (off < kFirstEntryOffset) {
    auto self = engine.GetAttributes(ino);
    if (!self.ok()) return ReplyError(req, self.status());
    // "." and ".." carry only type and inode; the kernel does not look them up through plus.
    if (off < 1 && !add(".", *self, 1)) return (void)fuse_reply_buf(req, buf.data(), pos);
    if (!add("..", *self, kFirstEntryOffset)) return (void)fuse_reply_buf(req, buf.data(), pos);
    off = kFirstEntryOffset;
  }
  uint64_t cookie = static_cast<uint64_t>(off - kFirstEntryOffset);
  for (;;) {
    auto entries = engine.ReadDir(ino, cookie, kBatch);
    if (!entries.ok()) {
      if (pos > 0) break;  // report what fits; the error comes on the next call
      return ReplyError(req, entries.status());
    }
    if (entries->empty()) break;
    for (const auto& e : *entries) {
      if (!add(e.name.c_str(), e.attr, static_cast<off_t>(e.cookie) + kFirstEntryOffset)) {
        return (void)fuse_reply_buf(req, buf.data(), pos);
      }
      cookie = e.cookie;
    }
    if (entries->size() < kBatch) break;
  }
  fuse_reply_buf(req, buf.data(), pos);
}

// Listings of real directories may be cached by the kernel: every change to them goes through
// this mount (the kernel drops its copy on create, unlink, rename...) or is invalidated by the
// engine (trash restore). The version tree changes with every commit, so it is never cached.
void OpenDir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (!VirtualTree::IsVirtual(ino)) {
    fi->cache_readdir = 1;
    fi->keep_cache = 1;
  }
  fuse_reply_open(req, fi);
}

void ReadDir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  ReadDirCommon(req, ino, size, off, false);
}

void ReadDirPlus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  ReadDirCommon(req, ino, size, off, true);
}

void MkDir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  const fuse_ctx* c = fuse_req_ctx(req);
  ReplyEntry(req, Eng(req).MakeDir(parent, name, mode & ~c->umask, c->uid, c->gid));
}

void RmDir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  ReplyError(req, Eng(req).RemoveDir(parent, name));
}

void Unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  ReplyError(req, Eng(req).Unlink(parent, name));
}

void Rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent,
            const char* newname, unsigned int flags) {
  RenameMode mode = RenameMode::kReplace;
  if (flags == RENAME_NOREPLACE) mode = RenameMode::kNoReplace;
  else if (flags == RENAME_EXCHANGE) mode = RenameMode::kExchange;
  else if (flags != 0) return (void)fuse_reply_err(req, EINVAL);
  ReplyError(req, Eng(req).Rename(parent, name, newparent, newname, mode));
}

void Symlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name) {
  const fuse_ctx* c = fuse_req_ctx(req);
  ReplyEntry(req, Eng(req).MakeSymlink(parent, name, link, c->uid, c->gid));
}

void ReadLink(fuse_req_t req, fuse_ino_t ino) {
  auto target = Eng(req).ReadSymlink(ino);
  if (!target.ok()) return ReplyError(req, target.status());
  fuse_reply_readlink(req, target->c_str());
}

void Link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) {
  ReplyEntry(req, Eng(req).Link(ino, newparent, newname));
}

// Regular files go through the engine's create; fifos, devices and sockets are metadata only (the
// kernel serves their I/O once lookups report their type, so opening one never reaches us).
// The kernel has checked CAP_MKNOD for devices.
void MkNod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  const fuse_ctx* c = fuse_req_ctx(req);
  auto type = FileTypeOfMode(mode);
  if (!type || *type == FileType::kDirectory || *type == FileType::kSymlink) {
    return (void)fuse_reply_err(req, EINVAL);
  }
  if (*type != FileType::kRegular) {
    return ReplyEntry(req, Eng(req).MakeNode(parent, name, *type, mode & ~c->umask & 07777, rdev,
                                             c->uid, c->gid));
  }
  auto created = Eng(req).Create(parent, name, mode & ~c->umask, c->uid, c->gid, OpenFlags{true});
  if (!created.ok()) return ReplyError(req, created.status());
  Status s = Eng(req).Release(created->second);
  if (!s.ok()) return ReplyError(req, s);
  ReplyEntry(req, created->first);
}

void FsyncDir(fuse_req_t req, fuse_ino_t, int, fuse_file_info*) {
  ReplyError(req, Eng(req).SyncMetadata());
}

}  // namespace

void AddDirOps(fuse_lowlevel_ops& ops) {
  ops.opendir = Timed<Op::opendir, OpenDir>::Call;
  ops.readdir = Timed<Op::readdir, ReadDir>::Call;
  ops.readdirplus = Timed<Op::readdirplus, ReadDirPlus>::Call;
  ops.mkdir = Timed<Op::mkdir, MkDir>::Call;
  ops.rmdir = Timed<Op::rmdir, RmDir>::Call;
  ops.unlink = Timed<Op::unlink, Unlink>::Call;
  ops.rename = Timed<Op::rename, Rename>::Call;
  ops.symlink = Timed<Op::symlink, Symlink>::Call;
  ops.readlink = Timed<Op::readlink, ReadLink>::Call;
  ops.link = Timed<Op::link, Link>::Call;
  ops.mknod = Timed<Op::mknod, MkNod>::Call;
  ops.fsyncdir = Timed<Op::fsyncdir, FsyncDir>::Call;
}

}  // namespace reel::fuse
