#include "cli/background.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include <spdlog/spdlog.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "common/fs_util.h"

namespace reel::cli {
namespace {

void WriteAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

[[noreturn]] void RunChild(UniqueFd ready, const std::string& log_path,
                           const std::function<Status(const std::function<void()>&)>& serve) {
  ::setsid();
  if (::chdir("/") != 0) {
    // Cannot happen in practice; stay where we are.
  }
  int devnull = ::open("/dev/null", O_RDWR);
  int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
  int out = log >= 0 ? log : devnull;
  if (out >= 0) {
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
  }
  bool signalled = false;
  Status s = serve([&] {
    WriteAll(ready.get(), "OK\n");
    ready.Reset();
    signalled = true;
  });
  if (!s.ok()) spdlog::error("{}", s.message());
  if (!signalled) WriteAll(ready.get(), "ERR " + s.message() + "\n");
  spdlog::shutdown();
  std::fflush(nullptr);
#if defined(__SANITIZE_ADDRESS__)
  // _exit skips LeakSanitizer's at-exit check; run it here so the child's leaks reach its log.
  __lsan_do_leak_check();
#endif
  ::_exit(s.ok() ? 0 : 1);
}

}  // namespace

Result<pid_t> RunInBackground(
    const std::string& log_path,
    const std::function<Status(const std::function<void()>& ready)>& serve) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::FromErrno(errno, "pipe");
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = ::fork();
  if (pid < 0) {
    Status s = Status::FromErrno(errno, "fork");
    ::close(fds[0]);
    ::close(fds[1]);
    return s;
  }
  if (pid == 0) {
    ::close(fds[0]);
    RunChild(UniqueFd(fds[1]), log_path, serve);
  }
  ::close(fds[1]);
  std::string reply;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  if (reply.rfind("OK", 0) == 0) return pid;
  while (!reply.empty() && reply.back() == '\n') reply.pop_back();
  if (reply.rfind("ERR ", 0) == 0) return Status::Internal(reply.substr(4));
  return Status::Internal("the background process exited before it was ready; see " + log_path);
}

}  // namespace reel::cli
