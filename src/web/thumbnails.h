// Thumbnails the web app shows where a browser cannot show a file itself: an OpenEXR or DPX
// frame, a TIFF. Made on the server by ffmpeg (Debian's package), from the version's bytes, as
// a PNG of at most kThumbnailSide pixels a side; both servers of the app use it.
#pragma once

#include <httplib.h>

#include <memory>
#include <semaphore>
#include <string>

#include "common/status.h"
#include "web/web_front.h"

namespace reel::web {

inline constexpr int kThumbnailSide = 512;
// Larger files are refused (an EXR frame of a 4K plate is tens of MiB).
inline constexpr uint64_t kMaxThumbnailInput = uint64_t{1} << 30;

class Thumbnails {
 public:
  // `ffmpeg`: the program (found on PATH when it has no slash).
  explicit Thumbnails(std::string ffmpeg = "ffmpeg") : ffmpeg_(std::move(ffmpeg)) {}

  // A PNG of the first frame of `source`, a file named `name` (its extension tells ffmpeg its
  // format). NotSupported without ffmpeg; InvalidArgument for a file it cannot read as a picture
  // or one over kMaxThumbnailInput. At most two are made at once; the others wait.
  [[nodiscard]] Result<std::string> Make(ByteSource& source, const std::string& name);

  // Answers with Make's PNG (cached a year for a numbered version: `immutable`), or its error.
  void Send(httplib::Response& res, ByteSource& source, const std::string& name, bool immutable);

 private:
  const std::string ffmpeg_;
  std::counting_semaphore<2> running_{2};  // ffmpeg runs: each takes a core for a moment
};

}  // namespace reel::web
