#include "web/thumbnails.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <vector>

#include "common/fs_util.h"

extern char** environ;

namespace reel::web {
namespace {

constexpr size_t kCopyBlock = size_t{1} << 20;
constexpr size_t kMaxPngBytes = size_t{16} << 20;
constexpr size_t kMaxErrorBytes = 4096;

// A file descriptor closed when it goes.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// The name's extension, lowercased, when it is a plain one ("exr"); "" otherwise.
std::string ExtensionOf(const std::string& name) {
  const size_t dot = name.find_last_of('.');
  if (dot == std::string::npos || name.size() - dot - 1 > 8) return "";
  std::string ext = name.substr(dot + 1);
  for (char& c : ext) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return "";
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return ext;
}

// A new temporary file, unlinked when it goes: ffmpeg reads it by name (some formats need to
// seek, so not a pipe).
class TempFile {
 public:
  static Result<std::unique_ptr<TempFile>> Make(const std::string& suffix) {
    const char* dir = ::getenv("TMPDIR");
    std::string path = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") +
                       "/reel-thumbnail-XXXXXX" + suffix;
    const int fd = ::mkostemps(path.data(), static_cast<int>(suffix.size()), O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(errno, "make a temporary file for a thumbnail");
    return std::unique_ptr<TempFile>(new TempFile(fd, std::move(path)));
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }

 private:
  TempFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  Fd fd_;
  std::string path_;
};

Status CopyInto(ByteSource& source, int fd) {
  std::vector<uint8_t> buf(kCopyBlock);
  for (uint64_t offset = 0; offset < source.size();) {
    REEL_ASSIGN_OR_RETURN(size_t n, source.Read(offset, buf));
    if (n == 0) return Status::IOError("the file ended before its size");
    REEL_RETURN_IF_ERROR(PwriteFull(fd, buf.data(), n, offset));
    offset += n;
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> Thumbnails::Make(ByteSource& source, const std::string& name) {
  if (source.size() > kMaxThumbnailInput) {
    return Status::InvalidArgument(name + " is too large for a thumbnail (over 1 GiB)");
  }
  if (source.size() == 0) return Status::InvalidArgument(name + " is empty: no picture in it");
  const std::string ext = ExtensionOf(name);
  REEL_ASSIGN_OR_RETURN(std::unique_ptr<TempFile> input,
                        TempFile::Make(ext.empty() ? "" : "." + ext));
  REEL_RETURN_IF_ERROR(CopyInto(source, input->fd()));
  REEL_ASSIGN_OR_RETURN(std::unique_ptr<TempFile> png, TempFile::Make(".png"));
  REEL_ASSIGN_OR_RETURN(std::unique_ptr<TempFile> errors, TempFile::Make(".log"));

  const std::string scale = "scale=w=" + std::to_string(kThumbnailSide) +
                            ":h=" + std::to_string(kThumbnailSide) +
                            ":force_original_aspect_ratio=decrease";
  std::vector<std::string> args = {ffmpeg_, "-nostdin", "-hide_banner", "-loglevel", "error",
                                   "-timelimit", "60", "-y"};
  // An EXR holds linear light: shown through the sRGB curve, as a viewer shows it.
  if (ext == "exr") args.insert(args.end(), {"-apply_trc", "iec61966_2_1"});
  args.insert(args.end(), {"-i", input->path(), "-frames:v", "1", "-vf", scale, "-f", "image2",
                           "-c:v", "png", png->path()});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, errors->fd(), STDERR_FILENO);
  running_.acquire();
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, ffmpeg_.c_str(), &actions, nullptr, argv.data(),
                                     environ);
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  if (spawned == 0) {
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  running_.release();
  if (spawned == ENOENT) {
    return Status::NotSupported("thumbnails are made by ffmpeg, which is not installed here "
                                "(apt install ffmpeg)");
  }
  if (spawned != 0) return Status::FromErrno(spawned, "run ffmpeg for a thumbnail");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    Result<std::string> said = ReadWholeFile(errors->path());
    std::string why = said.ok() ? *said : "";
    why = why.substr(0, std::min(why.find('\n'), kMaxErrorBytes));
    return Status::InvalidArgument("ffmpeg cannot make a thumbnail of " + name +
                                   (why.empty() ? "" : ": " + why));
  }
  REEL_ASSIGN_OR_RETURN(std::string out, ReadWholeFile(png->path()));
  if (out.size() > kMaxPngBytes) return Status::Internal("the thumbnail of " + name + " is too large");
  if (out.empty()) return Status::InvalidArgument("ffmpeg found no picture in " + name);
  return out;
}

void Thumbnails::Send(httplib::Response& res, ByteSource& source, const std::string& name,
                      bool immutable) {
  Result<std::string> png = Make(source, name);
  if (!png.ok()) {
    RespondError(res, png.status());
    return;
  }
  res.set_header("Cache-Control", immutable ? "private, max-age=31536000, immutable" : "no-cache");
  res.set_content(std::move(png).value(), "image/png");
}

}  // namespace reel::web
