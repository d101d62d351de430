#include "store/local_dir_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <ctime>
#include <random>
#include <string_view>

namespace reel {
namespace {

constexpr int kDirOpenFlags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;

// Temp names: "<nonce>-<n>.tmp". The nonce is random per process, so two processes sharing one
// store directory do not collide; O_EXCL catches the rest (e.g. after fork) and we retry.
std::string NextTempName() {
  static const uint64_t nonce = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }();
  static std::atomic<uint64_t> counter{0};
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%016llx-%llu.tmp", static_cast<unsigned long long>(nonce),
                        static_cast<unsigned long long>(counter.fetch_add(1, std::memory_order_relaxed)));
  return std::string(buf, static_cast<size_t>(n));
}

// "a/b/c" -> "a/b"; "c" -> "".
std::string ParentKey(const std::string& key) {
  size_t slash = key.rfind('/');
  return slash == std::string::npos ? std::string() : key.substr(0, slash);
}

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

bool IsKeyName(std::string_view name) {
  if (name == "." || name == "..") return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Status NotFound(const std::string& key) { return Status::NotFound("object not found: " + key); }

// Owns a DIR* (and the descriptor inside it).
struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

// fdopendir that takes ownership of `fd` in every case.
Result<DirPtr> OpenDirStream(int fd, std::string_view what) {
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    int err = errno;
    ::close(fd);
    return Status::FromErrno(err, std::string("opendir ") + std::string(what));
  }
  return DirPtr(d);
}

// Depth-first walk below an open directory. `key_prefix` is the key of the directory plus '/'
// ("" for the objects root); only entries whose name starts with `name_filter` are taken.
Status Walk(DirPtr dir, std::string& key_prefix, std::string_view name_filter,
            const std::function<bool(const ObjectInfo&)>& visit, bool* stop) {
  const int dfd = ::dirfd(dir.get());
  ObjectInfo info;
  for (;;) {
    errno = 0;
    struct dirent* ent = ::readdir(dir.get());
    if (ent == nullptr) {
      if (errno != 0) return Status::FromErrno(errno, "readdir objects/" + key_prefix);
      return Status::Ok();
    }
    std::string_view name(ent->d_name);
    if (!name.starts_with(name_filter) || !IsKeyName(name)) continue;

    unsigned char type = ent->d_type;
    struct stat st;
    bool have_stat = false;
    if (type == DT_REG || type == DT_UNKNOWN) {
      if (::fstatat(dfd, ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;  // deleted meanwhile
        return Status::FromErrno(errno, "stat objects/" + key_prefix + std::string(name));
      }
      have_stat = true;
      type = S_ISREG(st.st_mode) ? DT_REG : S_ISDIR(st.st_mode) ? DT_DIR : DT_UNKNOWN;
    }
    if (type == DT_REG && have_stat) {
      info.key.assign(key_prefix).append(name);
      info.size = static_cast<uint64_t>(st.st_size);
      info.mtime_unix_ns = MtimeNs(st);
      if (!visit(info)) {
        *stop = true;
        return Status::Ok();
      }
    } else if (type == DT_DIR) {
      int sub = ::openat(dfd, ent->d_name, kDirOpenFlags | O_NOFOLLOW);
      if (sub < 0) {
        if (errno == ENOENT) continue;
        return Status::FromErrno(errno, "open objects/" + key_prefix + std::string(name));
      }
      size_t old_len = key_prefix.size();
      key_prefix.append(name).push_back('/');
      auto sub_dir = OpenDirStream(sub, key_prefix);
      if (!sub_dir.ok()) return sub_dir.status();
      Status s = Walk(std::move(sub_dir).value(), key_prefix, {}, visit, stop);
      key_prefix.resize(old_len);
      if (!s.ok() || *stop) return s;
    }
    // Anything else (symlinks, sockets, ...) is not ours; skip it.
  }
}

}  // namespace

Result<std::unique_ptr<LocalDirStore>> LocalDirStore::Open(const std::string& root_in,
                                                           Options options) {
  if (root_in.empty() || root_in[0] != '/') {
    return Status::InvalidArgument("local store root must be an absolute path: '" + root_in + "'");
  }
  std::string root = root_in;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (root == "/") return Status::InvalidArgument("refusing to use / as a local store root");

  const std::string objects = root + "/objects";
  const std::string tmp = root + "/tmp";
  struct stat st;
  bool exists = ::stat(objects.c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
                ::stat(tmp.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  if (!exists) {
    REEL_RETURN_IF_ERROR(MakeDirs(objects).WithContext("open local store"));
    REEL_RETURN_IF_ERROR(MakeDirs(tmp).WithContext("open local store"));
    // Make the new directories durable: their entries live in root and root in its parent.
    REEL_RETURN_IF_ERROR(FsyncDir(root).WithContext("open local store"));
    REEL_RETURN_IF_ERROR(FsyncDir(DirName(root)).WithContext("open local store"));
  }
  UniqueFd objects_fd(::open(objects.c_str(), kDirOpenFlags));
  if (!objects_fd.valid()) return Status::FromErrno(errno, "open " + objects);
  UniqueFd tmp_fd(::open(tmp.c_str(), kDirOpenFlags));
  if (!tmp_fd.valid()) return Status::FromErrno(errno, "open " + tmp);

  std::unique_ptr<LocalDirStore> store(
      new LocalDirStore(std::move(root), std::move(objects_fd), std::move(tmp_fd)));
  store->stale_temps_removed_ = store->RemoveStaleTemps(options.stale_temp_age);
  return store;
}

size_t LocalDirStore::RemoveStaleTemps(std::chrono::seconds max_age) {
  // Best effort: a temp file we cannot remove only costs space.
  int fd = ::openat(tmp_fd_.get(), ".", kDirOpenFlags);
  if (fd < 0) return 0;
  auto dir = OpenDirStream(fd, "tmp");
  if (!dir.ok()) return 0;
  struct timespec now;
  ::clock_gettime(CLOCK_REALTIME, &now);
  const int64_t cutoff_ns =
      static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec -
      std::chrono::duration_cast<std::chrono::nanoseconds>(max_age).count();
  size_t removed = 0;
  while (struct dirent* ent = ::readdir(dir->get())) {
    std::string_view name(ent->d_name);
    if (name == "." || name == "..") continue;
    struct stat st;
    if (::fstatat(tmp_fd_.get(), ent->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (!S_ISREG(st.st_mode) || MtimeNs(st) >= cutoff_ns) continue;
    if (::unlinkat(tmp_fd_.get(), ent->d_name, 0) == 0) ++removed;
  }
  return removed;
}

Status LocalDirStore::FsyncObjectDir(const std::string& rel_dir) {
  if (rel_dir.empty()) {
    if (::fsync(objects_fd_.get()) != 0) return Status::FromErrno(errno, "fsync objects/");
    return Status::Ok();
  }
  UniqueFd fd(::openat(objects_fd_.get(), rel_dir.c_str(), kDirOpenFlags));
  if (!fd.valid()) return Status::FromErrno(errno, "open objects/" + rel_dir);
  if (::fsync(fd.get()) != 0) return Status::FromErrno(errno, "fsync objects/" + rel_dir);
  return Status::Ok();
}

Status LocalDirStore::MakeObjectDirs(const std::string& rel_dir) {
  const std::string parent = ParentKey(rel_dir);
  if (::mkdirat(objects_fd_.get(), rel_dir.c_str(), 0700) != 0) {
    if (errno == ENOENT && !parent.empty()) {
      REEL_RETURN_IF_ERROR(MakeObjectDirs(parent));
      if (::mkdirat(objects_fd_.get(), rel_dir.c_str(), 0700) != 0 && errno != EEXIST) {
        return Status::FromErrno(errno, "mkdir objects/" + rel_dir);
      }
    } else if (errno != EEXIST) {
      return Status::FromErrno(errno, "mkdir objects/" + rel_dir);
    }
    // EEXIST: a racing Put created it and may not have fsynced its parent yet; do it here too
    // (rare: only on this slow path), so our object never hangs off a non-durable entry.
  }
  return FsyncObjectDir(parent);
}

Status LocalDirStore::Put(const std::string& key, std::span<const uint8_t> data) {
  return PutImpl(key, data, true);
}

Status LocalDirStore::PutUnsynced(const std::string& key, std::span<const uint8_t> data) {
  return PutImpl(key, data, false);
}

Status LocalDirStore::SyncPuts() {
  if (::syncfs(objects_fd_.get()) != 0) return Status::FromErrno(errno, "syncfs " + root_);
  return Status::Ok();
}

Status LocalDirStore::PutImpl(const std::string& key, std::span<const uint8_t> data,
                              bool durable) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  bool direct = !durable && data.size() >= kDirectAlign;  // a small object is all tail

  // 1. Temp file in DIR/tmp, written and flushed.
  std::string tmp_name;
  UniqueFd fd;
  for (int attempt = 0;; ++attempt) {
    tmp_name = NextTempName();
    fd = UniqueFd(OpenAtMaybeDirect(tmp_fd_.get(), tmp_name.c_str(),
                                    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &direct));
    if (fd.valid()) break;
    if (errno != EEXIST || attempt == 100) {
      return Status::FromErrno(errno, "put " + key + ": create temp file in " + tmp_dir());
    }
  }
  Status s = direct ? direct_buffers_.Write(fd.get(), data)
                    : PwriteFull(fd.get(), data.data(), data.size(), 0);
  // fdatasync suffices: it flushes the data and the size; other inode metadata (times) is not
  // needed to read the object back.
  if (s.ok() && durable && ::fdatasync(fd.get()) != 0) s = Status::FromErrno(errno, "fdatasync");
  fd.Reset();

  // 2. Rename into place, creating the parent directories on first use.
  const size_t slash = key.rfind('/');
  const std::string parent = slash == std::string::npos ? std::string() : key.substr(0, slash);
  const char* leaf = key.c_str() + (slash == std::string::npos ? 0 : slash + 1);
  UniqueFd parent_fd;
  int dfd = objects_fd_.get();
  if (s.ok() && !parent.empty()) {
    parent_fd = UniqueFd(::openat(objects_fd_.get(), parent.c_str(), kDirOpenFlags));
    if (!parent_fd.valid() && errno == ENOENT) {
      s = MakeObjectDirs(parent);
      if (s.ok()) parent_fd = UniqueFd(::openat(objects_fd_.get(), parent.c_str(), kDirOpenFlags));
    }
    if (s.ok() && !parent_fd.valid()) s = Status::FromErrno(errno, "open objects/" + parent);
    dfd = parent_fd.get();
  }
  if (s.ok() && ::renameat(tmp_fd_.get(), tmp_name.c_str(), dfd, leaf) != 0) {
    s = Status::FromErrno(errno, "rename into objects/" + key);
  }
  if (!s.ok()) {
    ::unlinkat(tmp_fd_.get(), tmp_name.c_str(), 0);
    return s.WithContext("put " + key);
  }
  // 3. Make the new directory entry durable.
  if (durable && ::fsync(dfd) != 0) {
    return Status::FromErrno(errno, "fsync objects/" + parent).WithContext("put " + key);
  }
  return Status::Ok();
}

Result<UniqueFd> LocalDirStore::OpenObject(const std::string& key, uint64_t* size, bool direct) {
  UniqueFd fd(OpenAtMaybeDirect(objects_fd_.get(), key.c_str(), O_RDONLY | O_CLOEXEC, 0, &direct));
  if (!fd.valid()) {
    // ENOTDIR: a leading segment is an object, so this key cannot exist.
    if (errno == ENOENT || errno == ENOTDIR) return NotFound(key);
    return Status::FromErrno(errno, "open objects/" + key);
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Status::FromErrno(errno, "stat objects/" + key);
  if (!S_ISREG(st.st_mode)) return NotFound(key);  // a directory of other keys
  *size = static_cast<uint64_t>(st.st_size);
  return fd;
}

Result<std::vector<uint8_t>> LocalDirStore::Get(const std::string& key) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  uint64_t size = 0;
  REEL_ASSIGN_OR_RETURN(UniqueFd fd, OpenObject(key, &size));
  std::vector<uint8_t> out(size);
  REEL_RETURN_IF_ERROR(PreadFull(fd.get(), out.data(), out.size(), 0).WithContext("get " + key));
  return out;
}

Status LocalDirStore::GetAppend(const std::string& key, std::vector<uint8_t>* out) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  uint64_t size = 0;
  REEL_ASSIGN_OR_RETURN(UniqueFd fd, OpenObject(key, &size, /*direct=*/true));
  return direct_buffers_.ReadAppend(fd.get(), size, out).WithContext("get " + key);
}

Result<std::vector<uint8_t>> LocalDirStore::GetRange(const std::string& key, uint64_t offset,
                                                     uint64_t length) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  uint64_t size = 0;
  REEL_ASSIGN_OR_RETURN(UniqueFd fd, OpenObject(key, &size));
  if (offset >= size) return std::vector<uint8_t>();
  std::vector<uint8_t> out(std::min(length, size - offset));
  REEL_RETURN_IF_ERROR(
      PreadFull(fd.get(), out.data(), out.size(), offset).WithContext("get range of " + key));
  return out;
}

Result<ObjectInfo> LocalDirStore::Head(const std::string& key) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  struct stat st;
  if (::fstatat(objects_fd_.get(), key.c_str(), &st, 0) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return NotFound(key);
    return Status::FromErrno(errno, "stat objects/" + key);
  }
  if (!S_ISREG(st.st_mode)) return NotFound(key);
  return ObjectInfo{key, static_cast<uint64_t>(st.st_size), MtimeNs(st)};
}

Status LocalDirStore::Delete(const std::string& key) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  if (::unlinkat(objects_fd_.get(), key.c_str(), 0) != 0) {
    // Absent, below an object (ENOTDIR) or a directory of other keys (EISDIR): no such object.
    if (errno == ENOENT || errno == ENOTDIR || errno == EISDIR) return Status::Ok();
    return Status::FromErrno(errno, "delete objects/" + key);
  }
  return FsyncObjectDir(ParentKey(key)).WithContext("delete " + key);
}

Status LocalDirStore::List(const std::string& prefix,
                           const std::function<bool(const ObjectInfo&)>& visit) {
  REEL_RETURN_IF_ERROR(ValidateObjectKeyPrefix(prefix));
  // Only the directory the prefix names is read: "chunks/ab" -> objects/chunks, entries "ab*".
  const size_t slash = prefix.rfind('/');
  std::string key_prefix = slash == std::string::npos ? std::string() : prefix.substr(0, slash + 1);
  std::string_view name_filter = std::string_view(prefix).substr(key_prefix.size());
  const std::string dir = key_prefix.empty() ? "." : prefix.substr(0, slash);
  int fd = ::openat(objects_fd_.get(), dir.c_str(), kDirOpenFlags);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::Ok();  // nothing below the prefix
    return Status::FromErrno(errno, "open objects/" + key_prefix);
  }
  REEL_ASSIGN_OR_RETURN(DirPtr d, OpenDirStream(fd, "objects/" + key_prefix));
  bool stop = false;
  return Walk(std::move(d), key_prefix, name_filter, visit, &stop).WithContext("list " + prefix);
}

}  // namespace reel
