// Passthrough operations. Paths from FUSE start with '/'; they resolve against the backing
// directory's descriptor. The loop is single-threaded, so no operation races another.
#include "crashfs_ops.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

namespace reel::crashfs {
namespace {

CrashFs& Fs() { return *static_cast<CrashFs*>(fuse_get_context()->private_data); }
int Root() { return Fs().root_fd; }
// "/a/b" -> "a/b"; "/" -> ".".
const char* Rel(const char* path) { return path[1] == '\0' ? "." : path + 1; }
int Err(int rc) { return rc < 0 ? -errno : rc; }

// An open file: the backing descriptor (always readable, so the undo log can read what a write
// replaces) and whether writes append.
}  // namespace

struct Handle {
  int fd = -1;
  bool append = false;
};

CrashFs::CrashFs() = default;

CrashFs::~CrashFs() {
  for (auto& [raw, h] : handles) ::close(h->fd);
}

namespace {

Handle& H(fuse_file_info* fi) { return *reinterpret_cast<Handle*>(fi->fh); }

int Logged(const Status& s, const char* what) {
  if (s.ok()) return 0;
  std::fprintf(stderr, "reel-crashfs: undo log (%s): %s\n", what, s.ToString().c_str());
  return -EIO;
}

int TruncateFd(int fd, off_t size) {
  if (int rc = Logged(Fs().undo.BeforeTruncate(fd, static_cast<uint64_t>(size)), "truncate")) {
    return rc;
  }
  return Err(::ftruncate(fd, size));
}

// open/create: O_WRONLY becomes O_RDWR, O_DIRECT is dropped (our buffers are not aligned),
// O_APPEND and O_TRUNC are applied here so the undo log sees the offsets and the shrink.
int OpenHandle(const char* path, int flags, mode_t mode, fuse_file_info* fi) {
  int backing = flags & ~(O_DIRECT | O_APPEND | O_TRUNC | O_ACCMODE);
  backing |= ((flags & O_ACCMODE) == O_RDONLY ? O_RDONLY : O_RDWR) | O_CLOEXEC;
  int fd = ::openat(Root(), Rel(path), backing, mode);
  if (fd < 0) return -errno;
  if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY) {
    if (int rc = TruncateFd(fd, 0)) {
      ::close(fd);
      return rc;
    }
  }
  auto h = std::make_unique<Handle>(Handle{fd, (flags & O_APPEND) != 0});
  fi->fh = reinterpret_cast<uint64_t>(h.get());
  std::lock_guard<std::mutex> lock(Fs().handles_mu);
  Fs().handles.emplace(h.get(), std::move(h));
  return 0;
}

void* Init(fuse_conn_info*, fuse_config* cfg) {
  cfg->use_ino = 1;
  cfg->hard_remove = 1;  // unlinked open files stay reachable through their handles
  cfg->kernel_cache = 0;
  return fuse_get_context()->private_data;
}

int GetAttr(const char* path, struct stat* st, fuse_file_info* fi) {
  if (fi != nullptr) return Err(::fstat(H(fi).fd, st));
  return Err(::fstatat(Root(), Rel(path), st, AT_SYMLINK_NOFOLLOW));
}

int ReadLink(const char* path, char* buf, size_t size) {
  ssize_t n = ::readlinkat(Root(), Rel(path), buf, size - 1);
  if (n < 0) return -errno;
  buf[n] = '\0';
  return 0;
}

int MkDir(const char* path, mode_t mode) { return Err(::mkdirat(Root(), Rel(path), mode)); }
int Unlink(const char* path) { return Err(::unlinkat(Root(), Rel(path), 0)); }
int RmDir(const char* path) { return Err(::unlinkat(Root(), Rel(path), AT_REMOVEDIR)); }
int SymLink(const char* target, const char* path) {
  return Err(::symlinkat(target, Root(), Rel(path)));
}
int Rename(const char* from, const char* to, unsigned int flags) {
  return Err(::renameat2(Root(), Rel(from), Root(), Rel(to), flags));
}
int Link(const char* from, const char* to) {
  return Err(::linkat(Root(), Rel(from), Root(), Rel(to), 0));
}

int ChMod(const char* path, mode_t mode, fuse_file_info* fi) {
  if (fi != nullptr) return Err(::fchmod(H(fi).fd, mode));
  return Err(::fchmodat(Root(), Rel(path), mode, 0));
}

int ChOwn(const char* path, uid_t uid, gid_t gid, fuse_file_info* fi) {
  if (fi != nullptr) return Err(::fchown(H(fi).fd, uid, gid));
  return Err(::fchownat(Root(), Rel(path), uid, gid, AT_SYMLINK_NOFOLLOW));
}

int Truncate(const char* path, off_t size, fuse_file_info* fi) {
  if (fi != nullptr) return TruncateFd(H(fi).fd, size);
  int fd = ::openat(Root(), Rel(path), O_RDWR | O_CLOEXEC);
  if (fd < 0) return -errno;
  int rc = TruncateFd(fd, size);
  ::close(fd);
  return rc;
}

int UTimeNs(const char* path, const struct timespec tv[2], fuse_file_info* fi) {
  if (fi != nullptr) return Err(::futimens(H(fi).fd, tv));
  return Err(::utimensat(Root(), Rel(path), tv, AT_SYMLINK_NOFOLLOW));
}

int Open(const char* path, fuse_file_info* fi) { return OpenHandle(path, fi->flags, 0, fi); }
int Create(const char* path, mode_t mode, fuse_file_info* fi) {
  return OpenHandle(path, fi->flags | O_CREAT, mode, fi);
}

int Read(const char*, char* buf, size_t size, off_t offset, fuse_file_info* fi) {
  return Err(static_cast<int>(::pread(H(fi).fd, buf, size, offset)));
}

int Write(const char*, const char* buf, size_t size, off_t offset, fuse_file_info* fi) {
  Handle& h = H(fi);
  if (h.append) {
    struct stat st {};
    if (::fstat(h.fd, &st) != 0) return -errno;
    offset = st.st_size;
  }
  if (int rc = Logged(Fs().undo.BeforeWrite(h.fd, static_cast<uint64_t>(offset), size), "write")) {
    return rc;
  }
  return Err(static_cast<int>(::pwrite(h.fd, buf, size, offset)));
}

int StatFs(const char*, struct statvfs* st) { return Err(::fstatvfs(Root(), st)); }

int Release(const char*, fuse_file_info* fi) {
  Handle* h = &H(fi);
  ::close(h->fd);
  std::lock_guard<std::mutex> lock(Fs().handles_mu);
  Fs().handles.erase(h);
  return 0;
}

// The only way file contents become durable: the file's undo record is dropped.
int FSync(const char*, int datasync, fuse_file_info* fi) {
  int fd = H(fi).fd;
  if ((datasync ? ::fdatasync(fd) : ::fsync(fd)) != 0) return -errno;
  Fs().undo.Synced(fd);
  return 0;
}

int FAllocate(const char*, int mode, off_t offset, off_t length, fuse_file_info* fi) {
  int fd = H(fi).fd;
  Status s = Fs().undo.BeforeWrite(fd, static_cast<uint64_t>(offset), static_cast<uint64_t>(length));
  if (int rc = Logged(s, "fallocate")) return rc;
  return Err(::fallocate(fd, mode, offset, length));
}

int OpenDir(const char* path, fuse_file_info* fi) {
  int fd = ::openat(Root(), Rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -errno;
  DIR* dir = ::fdopendir(fd);
  if (dir == nullptr) {
    ::close(fd);
    return -errno;
  }
  fi->fh = reinterpret_cast<uint64_t>(dir);
  return 0;
}

// Offset 0 for every entry: libfuse collects the whole directory in one call.
int ReadDir(const char*, void* buf, fuse_fill_dir_t fill, off_t, fuse_file_info* fi,
            fuse_readdir_flags) {
  DIR* dir = reinterpret_cast<DIR*>(fi->fh);
  ::rewinddir(dir);
  errno = 0;
  while (dirent* e = ::readdir(dir)) {
    struct stat st {};
    st.st_ino = e->d_ino;
    st.st_mode = static_cast<mode_t>(DTTOIF(e->d_type));
    if (fill(buf, e->d_name, &st, 0, static_cast<fuse_fill_dir_flags>(0)) != 0) break;
  }
  return -errno;
}

int ReleaseDir(const char*, fuse_file_info* fi) {
  ::closedir(reinterpret_cast<DIR*>(fi->fh));
  return 0;
}

// Namespace operations are kept at a power cut anyway (the journaled-namespace model).
int FSyncDir(const char*, int, fuse_file_info*) { return 0; }

}  // namespace

fuse_operations Operations() {
  fuse_operations ops{};
  ops.init = Init;
  ops.getattr = GetAttr;
  ops.readlink = ReadLink;
  ops.mkdir = MkDir;
  ops.unlink = Unlink;
  ops.rmdir = RmDir;
  ops.symlink = SymLink;
  ops.rename = Rename;
  ops.link = Link;
  ops.chmod = ChMod;
  ops.chown = ChOwn;
  ops.truncate = Truncate;
  ops.utimens = UTimeNs;
  ops.open = Open;
  ops.create = Create;
  ops.read = Read;
  ops.write = Write;
  ops.statfs = StatFs;
  ops.release = Release;
  ops.fsync = FSync;
  ops.fallocate = FAllocate;
  ops.opendir = OpenDir;
  ops.readdir = ReadDir;
  ops.releasedir = ReleaseDir;
  ops.fsyncdir = FSyncDir;
  return ops;
}

}  // namespace reel::crashfs
