#include "api/runtime_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace reel {

std::string RuntimeDirPath() {
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  struct stat st;
  // A variable left over from another session or user (`su`, a stale login) is not ours to use.
  if (xdg != nullptr && xdg[0] == '/' && ::stat(xdg, &st) == 0 && S_ISDIR(st.st_mode) &&
      st.st_uid == ::geteuid()) {
    std::string base = xdg;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    return base + "/reel";
  }
  return "/tmp/reel-" + std::to_string(::geteuid());
}

Status CheckPrivateDir(const std::string& dir) {
  struct stat st;
  if (::lstat(dir.c_str(), &st) != 0) return Status::FromErrno(errno, "runtime directory " + dir);
  if (S_ISLNK(st.st_mode)) {
    return Status::PermissionDenied("refusing to use runtime directory " + dir +
                                    ": it is a symbolic link");
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::PermissionDenied("refusing to use runtime directory " + dir +
                                    ": it is not a directory");
  }
  if (st.st_uid != ::geteuid()) {
    return Status::PermissionDenied("refusing to use runtime directory " + dir +
                                    ": it is owned by uid " + std::to_string(st.st_uid) +
                                    ", not by you (uid " + std::to_string(::geteuid()) + ")");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::PermissionDenied("refusing to use runtime directory " + dir + ": mode " +
                                    mode + " gives access to other users (run: chmod 700 " +
                                    dir + ")");
  }
  return Status::Ok();
}

Status EnsurePrivateDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::FromErrno(errno, "create runtime directory " + dir);
  }
  return CheckPrivateDir(dir);
}

Result<std::string> EnsureRuntimeDir() {
  std::string dir = RuntimeDirPath();
  REEL_RETURN_IF_ERROR(EnsurePrivateDir(dir));
  return dir;
}

}  // namespace reel
