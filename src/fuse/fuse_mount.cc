#include "fuse/fuse_mount.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <csignal>

#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <shared_mutex>
#include <sstream>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "fuse/fuse_reply.h"
#include "fuse/lock_waiters.h"
#include "fuse/op_timing.h"

namespace reel {
namespace {

using fuse::Context;

// libfuse splices a write request (header page + data) into a pipe of max_write + 4 KiB, and
// falls back to copying when the pipe cannot grow that far. Unprivileged pipes stop at
// /proc/sys/fs/pipe-max-size (1 MiB by default): the largest write that still splices.
unsigned MaxWrite() {
  constexpr unsigned kWanted = 1u << 20, kHeader = 4096;
  unsigned long pipe_max = 0;
  std::ifstream("/proc/sys/fs/pipe-max-size") >> pipe_max;
  if (pipe_max >= kWanted + kHeader || pipe_max <= kHeader) return kWanted;
  return std::min<unsigned long>(kWanted, pipe_max - kHeader);
}

void Init(void* userdata, fuse_conn_info* conn) {
  auto* ctx = static_cast<Context*>(userdata);
  conn->max_write = MaxWrite();
  // The kernel offers the readahead RaiseReadahead set (before this handshake) and keeps the
  // smaller of its offer and this answer: answering less would undo the raise.
  conn->max_readahead = ctx->max_readahead;
  if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC) conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
  if (conn->capable & FUSE_CAP_PARALLEL_DIROPS) conn->want |= FUSE_CAP_PARALLEL_DIROPS;
  if (conn->capable & FUSE_CAP_READDIRPLUS) conn->want |= FUSE_CAP_READDIRPLUS;
  if (conn->capable & FUSE_CAP_CACHE_SYMLINKS) conn->want |= FUSE_CAP_CACHE_SYMLINKS;
  // Written pages reach the write_buf handler through a pipe (spliced, not copied).
  if (conn->capable & FUSE_CAP_SPLICE_READ) conn->want |= FUSE_CAP_SPLICE_READ;
  // Versions are immutable and written data goes through the kernel, so the page cache stays
  // valid; restores invalidate explicitly.
  conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
  if (ctx->want_writeback_cache && (conn->capable & FUSE_CAP_WRITEBACK_CACHE)) {
    conn->want |= FUSE_CAP_WRITEBACK_CACHE;
  }
  ctx->writeback_cache = (conn->want & FUSE_CAP_WRITEBACK_CACHE) != 0;
}

// The kernel caps a FUSE mount's readahead at 128 KiB unless told otherwise through sysfs
// (root only); bigger reads mean fewer round trips for streaming readers. Best effort. The
// device number comes from /proc/self/mountinfo: a stat() of the mountpoint would wait for this
// very filesystem, which is not serving requests yet.
void RaiseReadahead(const std::string& mountpoint, unsigned kib) {
  char real[PATH_MAX];
  if (kib == 0 || !::realpath(mountpoint.c_str(), real)) return;
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line, device;
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point;
    if (fields >> id >> parent >> dev >> root >> point && point == real) device = dev;
  }
  if (device.empty()) return;
  std::ofstream("/sys/class/bdi/" + device + "/read_ahead_kb") << kib << "\n";
}

class FuseMountImpl final : public FuseMount, public InvalidationSink {
 public:
  FuseMountImpl(Engine* engine, MountOptions options) : options_(std::move(options)) {
    ctx_.engine = engine;
    ctx_.attr_timeout = options_.attr_timeout;
    ctx_.want_writeback_cache = options_.writeback_cache;
    ctx_.max_readahead = options_.readahead_kib * 1024u;
    if (options_.metrics != nullptr) ctx_.op_series = fuse::OpSeries(*options_.metrics);
  }

  ~FuseMountImpl() override {
    ctx_.engine->SetInvalidationSink(nullptr);
    if (lock_waiters_) lock_waiters_->Stop();
    if (session_) {
      Unmount();
      fuse_remove_signal_handlers(session_);
      fuse_session_destroy(session_);
    }
  }

  Status Start() {
    struct stat st;
    if (::stat(options_.mountpoint.c_str(), &st) != 0) {
      return Status::FromErrno(errno, "mountpoint " + options_.mountpoint);
    }
    if (!S_ISDIR(st.st_mode)) return Status::NotDirectory("mountpoint is not a directory");

    fuse_lowlevel_ops ops;
    std::memset(&ops, 0, sizeof ops);
    ops.init = Init;
    fuse::AddAttrOps(ops);
    fuse::AddDirOps(ops);
    fuse::AddFileOps(ops);
    fuse::AddXattrOps(ops);
    if (ctx_.engine->file_locks() != nullptr) {
      fuse::AddLockOps(ops);
      lock_waiters_ = std::make_unique<fuse::LockWaiters>(ctx_.engine->file_locks());
      ctx_.lock_waiters = lock_waiters_.get();
    }

    std::vector<std::string> argv_s = {"reel", "-o", "fsname=reel,subtype=reel,default_permissions"};
    if (options_.allow_other) argv_s.back() += ",allow_other";
    if (options_.read_only) argv_s.back() += ",ro";
    if (options_.debug) argv_s.push_back("-d");
    std::vector<char*> argv;
    for (auto& s : argv_s) argv.push_back(s.data());
    fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
    session_ = fuse_session_new(&args, &ops, sizeof ops, &ctx_);
    fuse_opt_free_args(&args);
    if (!session_) return Status::Internal("fuse_session_new failed (see stderr)");
    ctx_.session = session_;
    if (fuse_set_signal_handlers(session_) != 0) return Status::Internal("fuse signal handlers");
    if (fuse_session_mount(session_, options_.mountpoint.c_str()) != 0) {
      return Status::IOError("could not mount at " + options_.mountpoint +
                             " (is /dev/fuse available and the mountpoint free?)");
    }
    mounted_ = true;
    ctx_.engine->SetInvalidationSink(this);
    RaiseReadahead(options_.mountpoint, options_.readahead_kib);
    return Status::Ok();
  }

  Status Run() override {
    fuse_loop_config* config = fuse_loop_cfg_create();
    fuse_loop_cfg_set_max_threads(config, options_.max_threads);
    fuse_loop_cfg_set_clone_fd(config, 0);
    int rc = fuse_session_loop_mt(session_, config);
    fuse_loop_cfg_destroy(config);
    if (lock_waiters_) lock_waiters_->Stop();
    ctx_.engine->SetInvalidationSink(nullptr);
    Unmount();
    if (rc != 0 && rc != SIGINT && rc != SIGTERM && rc != SIGHUP) {
      return Status::IOError("FUSE loop ended with " + std::to_string(rc));
    }
    return Status::Ok();
  }

  void RequestExit() override {
    if (!session_) return;
    // No fuse_session_unmount here: it closes /dev/fuse under the worker threads still reading
    // it. The kernel unmount (fusermount3 -u) ends their reads; Run() then unmounts the session.
    fuse_session_exit(session_);
  }

  void InvalidateContent(InodeId ino) override {
    std::shared_lock lock(unmount_mu_);
    if (session_ && mounted_) fuse_lowlevel_notify_inval_inode(session_, ino, 0, 0);
  }

  void InvalidateEntry(InodeId parent, const std::string& name) override {
    std::shared_lock lock(unmount_mu_);
    if (session_ && mounted_) {
      fuse_lowlevel_notify_inval_entry(session_, parent, name.c_str(), name.size());
    }
  }

  void InvalidateLater(InodeId ino, InodeId parent, const std::string& name) override {
    {
      std::lock_guard<std::mutex> lock(later_mu_);
      if (stop_later_) return;
      later_.push_back({ino, parent, name});
      if (!notifier_.joinable()) notifier_ = std::thread([this] { NotifyLater(); });
    }
    later_cv_.notify_one();
  }

 private:
  // The thread of InvalidateLater: notifications a request handler must not send itself (the
  // kernel may wait for that very request to finish).
  void NotifyLater() {
    std::unique_lock<std::mutex> lock(later_mu_);
    for (;;) {
      later_cv_.wait(lock, [this] { return stop_later_ || !later_.empty(); });
      if (stop_later_) return;
      std::vector<Later> batch;
      batch.swap(later_);
      lock.unlock();
      for (const Later& l : batch) {
        if (l.parent != 0) InvalidateEntry(l.parent, l.name);
        InvalidateContent(l.ino);
      }
      lock.lock();
    }
  }

  // Unmounts the session once. Waits for notifications in flight, which write to the session's
  // /dev/fuse descriptor that fuse_session_unmount closes.
  void Unmount() {
    {
      std::lock_guard<std::mutex> lock(later_mu_);
      stop_later_ = true;
    }
    later_cv_.notify_all();
    if (notifier_.joinable()) notifier_.join();
    std::unique_lock lock(unmount_mu_);
    if (mounted_.exchange(false)) fuse_session_unmount(session_);
  }

  MountOptions options_;
  Context ctx_;
  fuse_session* session_ = nullptr;
  std::unique_ptr<fuse::LockWaiters> lock_waiters_;  // with the engine's file_locks()
  std::atomic<bool> mounted_{false};
  // Held shared while a notification writes to the session, exclusively while unmounting.
  std::shared_mutex unmount_mu_;
  std::mutex later_mu_;  // guards later_, stop_later_ and the start of notifier_
  std::condition_variable later_cv_;
  struct Later {
    InodeId ino;
    InodeId parent;
    std::string name;
  };
  std::vector<Later> later_;
  bool stop_later_ = false;
  std::thread notifier_;  // started at the first InvalidateLater
};

}  // namespace

Result<std::unique_ptr<FuseMount>> FuseMount::Mount(Engine* engine, const MountOptions& options) {
  auto mount = std::make_unique<FuseMountImpl>(engine, options);
  REEL_RETURN_IF_ERROR(mount->Start());
  return std::unique_ptr<FuseMount>(std::move(mount));
}

}  // namespace reel
