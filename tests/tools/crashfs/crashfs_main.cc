// reel-crashfs BACKING_DIR MOUNTPOINT [-d]: a FUSE passthrough of BACKING_DIR for crash tests.
// Everything goes through to BACKING_DIR at once, but the filesystem keeps an undo log of what
// writes since each file's last fsync replaced (undo_log.h states the model). Unmounting
// (fusermount3 -u, SIGTERM, SIGINT) keeps everything, like a clean shutdown. SIGUSR1 is the power
// cut: the filesystem stops answering, puts every file back to its last-synced state, and exits
// (status 0 once every file is restored). Runs in the foreground, single-threaded, as root.
//
// Limits: syncfs(2) and sync(2) on the mount do not reach this filesystem (FUSE has no such
// request), so unsynced writes stay undoable after them; keep data made durable by syncfs (the
// drive's chunk store) off this mount. Extended attributes, locks and fifos are not passed through
// (the kernel keeps locks locally).
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "crashfs_ops.h"  // before fuse_lowlevel.h: it sets FUSE_USE_VERSION

#include <fuse_lowlevel.h>  // fuse_session_exit

namespace {

fuse_session* g_session = nullptr;
volatile sig_atomic_t g_power_cut = 0;

void OnPowerCut(int) {
  g_power_cut = 1;
  if (g_session != nullptr) fuse_session_exit(g_session);
}

// No SA_RESTART: the signal must interrupt the loop's read of /dev/fuse so it sees the exit.
bool InstallPowerCutHandler() {
  struct sigaction sa {};
  sa.sa_handler = OnPowerCut;
  sigemptyset(&sa.sa_mask);
  return ::sigaction(SIGUSR1, &sa, nullptr) == 0;
}

int Usage() {
  std::fprintf(stderr, "usage: reel-crashfs BACKING_DIR MOUNTPOINT [-d]\n"
                       "  SIGUSR1: power cut (restore every file to its last fsync, exit)\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4 || (argc == 4 && std::strcmp(argv[3], "-d") != 0)) return Usage();
  reel::crashfs::CrashFs fs;
  fs.root_fd = ::open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fs.root_fd < 0) {
    std::fprintf(stderr, "reel-crashfs: %s: %s\n", argv[1], std::strerror(errno));
    return 1;
  }
  fuse_args args = FUSE_ARGS_INIT(0, nullptr);
  fuse_opt_add_arg(&args, argv[0]);
  fuse_opt_add_arg(&args, "-o");
  fuse_opt_add_arg(&args, "fsname=reel-crashfs,default_permissions");
  if (argc == 4) fuse_opt_add_arg(&args, "-d");
  const fuse_operations ops = reel::crashfs::Operations();
  fuse* f = fuse_new(&args, &ops, sizeof(ops), &fs);
  fuse_opt_free_args(&args);
  if (f == nullptr) return 1;
  if (fuse_mount(f, argv[2]) != 0) {
    fuse_destroy(f);
    return 1;
  }
  g_session = fuse_get_session(f);
  if (fuse_set_signal_handlers(g_session) != 0 || !InstallPowerCutHandler()) return 1;
  fuse_loop(f);
  int rc = 0;
  if (g_power_cut) {
    // The loop has stopped: nothing changes the backing files while they are restored.
    reel::Result<size_t> restored = fs.undo.RestoreAll();
    if (restored.ok()) {
      std::fprintf(stderr, "reel-crashfs: power cut: %zu file(s) put back to their last fsync\n",
                   *restored);
    } else {
      std::fprintf(stderr, "reel-crashfs: power cut: restore failed: %s\n",
                   restored.status().ToString().c_str());
      rc = 1;
    }
  }
  fuse_remove_signal_handlers(g_session);
  fuse_unmount(f);
  fuse_destroy(f);
  return rc;
}
