// GET /v1/workspaces/W/content: a version's bytes, streamed from the drive as the client reads
// them, with Range requests answered 206 (httplib cuts the ranges), so a player seeks without
// downloading the file. Sent sandboxed: a page or an SVG in the drive runs no script here.
#include <algorithm>
#include <array>
#include <memory>
#include <string_view>
#include <vector>

#include "common/percent_encode.h"
#include "http/json_http.h"
#include "service/drive_service.h"
#include "web/web_internal.h"

namespace reel::web_internal {
namespace {

constexpr size_t kReadBlock = size_t{1} << 20;

struct TypeByExtension {
  std::string_view ext;
  std::string_view type;
};

constexpr std::array<TypeByExtension, 38> kTypes = {{
    {"html", "text/html; charset=utf-8"}, {"js", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},   {"json", "application/json"},
    {"svg", "image/svg+xml"},             {"png", "image/png"},
    {"jpg", "image/jpeg"},                {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},                 {"webp", "image/webp"},
    {"avif", "image/avif"},               {"bmp", "image/bmp"},
    {"ico", "image/x-icon"},              {"mp4", "video/mp4"},
    {"m4v", "video/mp4"},                 {"mov", "video/quicktime"},
    {"webm", "video/webm"},               {"mkv", "video/x-matroska"},
    {"ogv", "video/ogg"},                 {"mp3", "audio/mpeg"},
    {"wav", "audio/wav"},                 {"flac", "audio/flac"},
    {"ogg", "audio/ogg"},                 {"oga", "audio/ogg"},
    {"opus", "audio/ogg"},                {"m4a", "audio/mp4"},
    {"aac", "audio/aac"},                 {"txt", "text/plain; charset=utf-8"},
    {"md", "text/plain; charset=utf-8"},  {"csv", "text/csv; charset=utf-8"},
    {"xml", "text/plain; charset=utf-8"}, {"pdf", "application/pdf"},
    {"woff2", "font/woff2"},              {"map", "application/json"},
    {"exr", "image/x-exr"},               {"dpx", "image/x-dpx"},
    {"tif", "image/tiff"},                {"tiff", "image/tiff"},
}};

// The drive's files are data: pages, scripts and XML are shown as text, never run.
std::string ContentTypeOf(const std::string& name) {
  std::string type = MediaTypeOf(name);
  if (type.starts_with("text/html") || type.starts_with("text/javascript") ||
      type.starts_with("text/css")) {
    return "text/plain; charset=utf-8";
  }
  return type;
}

// The `version` asked for; 0 (what the file holds now) when absent.
Result<uint64_t> VersionParam(const httplib::Request& req) {
  Result<uint64_t> v = UintParam(req, "version", 0);
  if (!v.ok() || (req.has_param("version") && *v == 0)) {
    return Status::InvalidArgument("query parameter 'version' must be a version number (1, 2...)");
  }
  return v;
}

// Makes each byte range of a request fit a file of `size` bytes: a suffix range ("-N") becomes
// the last N bytes, an end past the file's end is the file's end. False when no range starts
// inside the file (416).
bool FitRanges(httplib::Ranges& ranges, uint64_t size) {
  httplib::Ranges fitted;
  const auto last = static_cast<ssize_t>(size) - 1;
  for (auto [first, end] : ranges) {
    if (first < 0) {  // the last `end` bytes
      if (end <= 0) continue;
      first = std::max<ssize_t>(0, last + 1 - end);
      end = last;
    } else if (end < 0 || end > last) {
      end = last;
    }
    if (first > end || first > last) continue;
    fitted.emplace_back(first, end);
  }
  if (fitted.empty()) return false;
  ranges = std::move(fitted);
  return true;
}

}  // namespace

std::string MediaTypeOf(const std::string& name) {
  const size_t dot = name.find_last_of('.');
  if (dot == std::string::npos) return "application/octet-stream";
  std::string ext = name.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  for (const TypeByExtension& t : kTypes) {
    if (t.ext == ext) return std::string(t.type);
  }
  return "application/octet-stream";
}

void RegisterContentRoute(httplib::Server& server, const WebContext& ctx) {
  server.Get("/v1/workspaces/([^/]+)/content", [&ctx](const httplib::Request& req,
                                                      httplib::Response& res) {
    Result<std::shared_ptr<FileReader>> opened = [&]() -> Result<std::shared_ptr<FileReader>> {
      REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
      REEL_RETURN_IF_ERROR(http::CheckQuery(req, {"path", "version", "download"}));
      REEL_ASSIGN_OR_RETURN(std::string path, PathParam(req));
      REEL_ASSIGN_OR_RETURN(uint64_t version, VersionParam(req));
      REEL_ASSIGN_OR_RETURN(std::unique_ptr<FileReader> reader,
                            ctx.drive->OpenForRead(path, version));
      return std::shared_ptr<FileReader>(std::move(reader));
    }();
    if (!opened.ok()) {
      RespondError(res, opened.status());
      return;
    }
    std::shared_ptr<FileReader> reader = *opened;
    const std::string path = req.get_param_value("path");
    const std::string name = path.substr(path.find_last_of('/') + 1);
    // A numbered version never changes; what a file holds now does.
    res.set_header("Cache-Control",
                   req.has_param("version") ? "private, max-age=31536000, immutable" : "no-cache");
    res.set_header("Accept-Ranges", "bytes");
    res.set_header("Content-Security-Policy", "default-src 'none'; sandbox");
    if (req.has_param("download")) {
      res.set_header("Content-Disposition",
                     "attachment; filename*=UTF-8''" + PercentEncode(name));
    }
    const std::string type = ContentTypeOf(name);
    // httplib cuts the ranges from the provider below, but takes an end past the file's as it
    // is (it would promise bytes that do not exist): each range is made to fit the file first,
    // as RFC 9110 says. (The request object is httplib's own, not const where it lives.)
    if (!req.ranges.empty()) {
      if (!FitRanges(const_cast<httplib::Request&>(req).ranges, reader->size())) {
        res.status = 416;
        res.set_header("Content-Range", "bytes */" + std::to_string(reader->size()));
        return;
      }
    }
    if (reader->size() == 0) {
      res.set_content("", type);
      return;
    }
    res.set_content_provider(
        reader->size(), type,
        [reader](size_t offset, size_t length, httplib::DataSink& sink) {
          std::vector<uint8_t> buf(std::min(length, kReadBlock));
          Result<size_t> n = reader->Read(offset, buf);
          if (!n.ok() || *n == 0) return false;  // the connection is cut: the client sees it
          return sink.write(reinterpret_cast<const char*>(buf.data()), *n);
        });
  });
}

}  // namespace reel::web_internal
