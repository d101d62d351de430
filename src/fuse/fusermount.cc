#include "fuse/fusermount.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "common/fs_util.h"

extern char** environ;

namespace reel {

bool FuseConfAllowsOther(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    size_t begin = line.find_first_not_of(" \t");
    if (begin == std::string::npos) continue;
    size_t end = line.find_last_not_of(" \t\r");
    if (line.substr(begin, end - begin + 1) == "user_allow_other") return true;
  }
  return false;
}

Status FusermountUnmount(const std::string& mountpoint) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return Status::FromErrno(errno, "pipe");
  UniqueFd read_end(out[0]);
  UniqueFd write_end(out[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDERR_FILENO);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::string prog = "fusermount3";
  std::string flag = "-u";
  std::string mp = mountpoint;
  char* argv[] = {prog.data(), flag.data(), mp.data(), nullptr};
  pid_t pid = 0;
  int err = ::posix_spawnp(&pid, "fusermount3", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  write_end.Reset();
  if (err != 0) return Status::FromErrno(err, "run fusermount3");
  std::string output;
  char buf[1024];
  for (;;) {
    ssize_t n = ::read(read_end.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (output.size() < 4096) output.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Status::FromErrno(errno, "wait for fusermount3");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  if (output.find("busy") != std::string::npos) {
    return Status::Busy(mountpoint +
                        " is busy: a process has a file or directory open there (close it or "
                        "leave the directory, then retry)");
  }
  if (output.find("not found") != std::string::npos ||
      output.find("Invalid argument") != std::string::npos ||
      output.find("not mounted") != std::string::npos) {
    return Status::NotFound(mountpoint + " is not mounted");
  }
  return Status::IOError("fusermount3 -u " + mountpoint + " failed" +
                         (output.empty() ? std::string() : ": " + output));
}

}  // namespace reel
