#include "fuse/fuse_mount.h"

#include <sys/stat.h>

#include <atomic>
#include <csignal>

#include <cstring>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "fuse/fuse_reply.h"

namespace reel {
namespace {

using fuse::Context;

void Init(void* userdata, fuse_conn_info* conn) {
  conn->max_write = 1 << 20;
  conn->max_readahead = 1 << 20;
  if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC) conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
  if (conn->capable & FUSE_CAP_PARALLEL_DIROPS) conn->want |= FUSE_CAP_PARALLEL_DIROPS;
  if (conn->capable & FUSE_CAP_READDIRPLUS) conn->want |= FUSE_CAP_READDIRPLUS;
  if (conn->capable & FUSE_CAP_CACHE_SYMLINKS) conn->want |= FUSE_CAP_CACHE_SYMLINKS;
  // Versions are immutable and written data goes through the kernel, so the page cache stays
  // valid; restores invalidate explicitly.
  conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
  (void)userdata;
}

class FuseMountImpl final : public FuseMount, public InvalidationSink {
 public:
  FuseMountImpl(Engine* engine, MountOptions options) : options_(std::move(options)) {
    ctx_.engine = engine;
    ctx_.attr_timeout = options_.attr_timeout;
  }

  ~FuseMountImpl() override {
    ctx_.engine->SetInvalidationSink(nullptr);
    if (session_) {
      if (mounted_.exchange(false)) fuse_session_unmount(session_);
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

    std::vector<std::string> argv_s = {"reel", "-o", "fsname=reel,subtype=reel,default_permissions"};
    if (options_.allow_other) argv_s.back() += ",allow_other";
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
    return Status::Ok();
  }

  Status Run() override {
    fuse_loop_config* config = fuse_loop_cfg_create();
    fuse_loop_cfg_set_max_threads(config, options_.max_threads);
    fuse_loop_cfg_set_clone_fd(config, 0);
    int rc = fuse_session_loop_mt(session_, config);
    fuse_loop_cfg_destroy(config);
    ctx_.engine->SetInvalidationSink(nullptr);
    if (mounted_.exchange(false)) fuse_session_unmount(session_);
    if (rc != 0 && rc != SIGINT && rc != SIGTERM && rc != SIGHUP) {
      return Status::IOError("FUSE loop ended with " + std::to_string(rc));
    }
    return Status::Ok();
  }

  void RequestExit() override {
    if (!session_) return;
    fuse_session_exit(session_);
    // Wake the loop, which is blocked reading /dev/fuse: unmounting ends the read.
    if (mounted_.exchange(false)) fuse_session_unmount(session_);
  }

  void InvalidateContent(InodeId ino) override {
    if (session_ && mounted_) fuse_lowlevel_notify_inval_inode(session_, ino, 0, 0);
  }

 private:
  MountOptions options_;
  Context ctx_;
  fuse_session* session_ = nullptr;
  std::atomic<bool> mounted_{false};
};

}  // namespace

Result<std::unique_ptr<FuseMount>> FuseMount::Mount(Engine* engine, const MountOptions& options) {
  auto mount = std::make_unique<FuseMountImpl>(engine, options);
  REEL_RETURN_IF_ERROR(mount->Start());
  return std::unique_ptr<FuseMount>(std::move(mount));
}

}  // namespace reel
