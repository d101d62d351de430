#include "web/web_front.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <sstream>
#include <string_view>
#include <vector>

#include "common/error_mapping.h"
#include "common/fs_util.h"
#include "common/percent_encode.h"
#include "http/json_error.h"
#include "http/json_http.h"
#include "web/thumbnails.h"

namespace reel::web {
namespace {

constexpr size_t kMaxAssetBytes = size_t{8} << 20;
constexpr size_t kReadBlock = size_t{1} << 20;

// The app's policy: its own scripts, styles and media only; nothing inline, no frames.
constexpr char kAppPolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'";

constexpr char kNotBuiltPage[] =
    "<!doctype html><title>ReelDrive</title><h1>The web app was not built</h1>"
    "<p>Build it with <code>scripts/build.sh</code> on a machine with Node.js and npm (the API "
    "under /v1/ works without it).</p>";

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

std::string CookieValue(const httplib::Request& req, const std::string& name) {
  const size_t n = req.get_header_value_count("Cookie");
  for (size_t i = 0; i < n; ++i) {
    std::istringstream in(req.get_header_value("Cookie", i));
    std::string part;
    while (std::getline(in, part, ';')) {
      size_t start = part.find_first_not_of(' ');
      if (start == std::string::npos) continue;
      part.erase(0, start);
      if (part.size() > name.size() && part.compare(0, name.size(), name) == 0 &&
          part[name.size()] == '=') {
        return part.substr(name.size() + 1);
      }
    }
  }
  return "";
}

std::string SessionCookie(const std::string& value, uint64_t max_age_s, bool secure) {
  return std::string(kSessionCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "") + "; Max-Age=" + std::to_string(max_age_s);
}

bool FromOwnOrigin(const httplib::Request& req, bool tls) {
  const std::string host = req.get_header_value("Host");
  return !host.empty() && req.get_header_value("Origin") == (tls ? "https://" : "http://") + host;
}

void PreferGzip(const httplib::Request& req) {
  auto& headers = const_cast<httplib::Request&>(req).headers;
  auto it = headers.find("Accept-Encoding");
  if (it == headers.end()) return;
  std::string kept;
  std::istringstream in(it->second);
  std::string part;
  while (std::getline(in, part, ',')) {
    const size_t start = part.find_first_not_of(' ');
    if (start == std::string::npos || part.compare(start, 2, "br") == 0) continue;
    kept += (kept.empty() ? "" : ", ") + part.substr(start);
  }
  it->second = kept;
}

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

Result<uint64_t> VersionParam(const httplib::Request& req) {
  Result<uint64_t> v = http::UintParam(req, "version", 0);
  if (!v.ok() || (req.has_param("version") && *v == 0)) {
    return Status::InvalidArgument("query parameter 'version' must be a version number (1, 2...)");
  }
  return v;
}

void SendBytes(const httplib::Request& req, httplib::Response& res,
               std::shared_ptr<ByteSource> source, const std::string& name, bool immutable,
               bool download) {
  res.set_header("Cache-Control", immutable ? "private, max-age=31536000, immutable" : "no-cache");
  res.set_header("Accept-Ranges", "bytes");
  // In place of the app's policy (a server's default header), not beside it.
  res.headers.erase("Content-Security-Policy");
  res.set_header("Content-Security-Policy", "default-src 'none'; sandbox");
  if (download) {
    res.set_header("Content-Disposition", "attachment; filename*=UTF-8''" + PercentEncode(name));
  }
  const std::string type = ContentTypeOf(name);
  const uint64_t size = source->size();
  // httplib cuts the ranges from the provider below, but takes an end past the file's as it
  // is (it would promise bytes that do not exist): each range is made to fit the file first,
  // as RFC 9110 says. (The request object is httplib's own, not const where it lives.)
  if (!req.ranges.empty() && !FitRanges(const_cast<httplib::Request&>(req).ranges, size)) {
    res.status = 416;
    res.set_header("Content-Range", "bytes */" + std::to_string(size));
    return;
  }
  if (size == 0) {
    res.set_content("", type);
    return;
  }
  res.set_content_provider(
      size, type, [source](size_t offset, size_t length, httplib::DataSink& sink) {
        std::vector<uint8_t> buf(std::min(length, kReadBlock));
        Result<size_t> n = source->Read(offset, buf);
        if (!n.ok() || *n == 0) return false;  // the connection is cut: the client sees it
        return sink.write(reinterpret_cast<const char*>(buf.data()), *n);
      });
}

void AnswerVersion(const httplib::Request& req, httplib::Response& res,
                   const Result<std::shared_ptr<ByteSource>>& opened, Thumbnails* thumbnails) {
  if (!opened.ok()) {
    RespondError(res, opened.status());
    return;
  }
  const std::string path = req.get_param_value("path");
  const std::string name = path.substr(path.find_last_of('/') + 1);
  if (thumbnails != nullptr) {
    thumbnails->Send(res, **opened, name, req.has_param("version"));
  } else {
    SendBytes(req, res, *opened, name, req.has_param("version"), req.has_param("download"));
  }
}

Result<AppFiles> LoadAppFiles(const std::string& dir) {
  AppFiles files;
  if (dir.empty()) return files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (!e.is_regular_file(ec) || e.file_size(ec) > kMaxAssetBytes) continue;
    REEL_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(e.path().string()));
    const std::string name = e.path().filename().string();
    files[name] = {MediaTypeOf(name), std::move(bytes)};
  }
  if (ec) return Status::FromErrno(ec.value(), "read the web app's folder " + dir);
  if (files.count("index.html") == 0) files.clear();
  return files;
}

void ServeAppFiles(httplib::Server& server, std::shared_ptr<const AppFiles> files) {
  server.Get(R"(/([A-Za-z0-9_.-]*))", [files](const httplib::Request& req,
                                               httplib::Response& res) {
    std::string name = req.matches[1];
    if (name.empty()) name = "index.html";
    auto it = files->find(name);
    if (it == files->end()) {
      if (name == "index.html") {
        res.set_content(kNotBuiltPage, "text/html; charset=utf-8");
        return;
      }
      RespondError(res, Status::NotFound("no such page: /" + name));
      return;
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_content(it->second.second, it->second.first);
  });
}

void UseAppPolicy(httplib::Server& server) {
  server.set_default_headers({{"Content-Security-Policy", kAppPolicy},
                              {"X-Content-Type-Options", "nosniff"},
                              {"X-Frame-Options", "DENY"},
                              {"Referrer-Policy", "no-referrer"},
                              {"Cross-Origin-Opener-Policy", "same-origin"}});
}

void RespondError(httplib::Response& res, const Status& s) {
  res.status = ToHttpStatus(s.code());
  res.set_header("Cache-Control", "no-store");
  res.set_content(DumpJson(ErrorJson(s)), "application/json");
}

std::string FindWebAssets() {
  namespace fs = std::filesystem;
  auto has_app = [](const fs::path& dir) {
    std::error_code ec;
    return !dir.empty() && fs::is_regular_file(dir / "index.html", ec);
  };
  if (const char* env = ::getenv("REEL_WEB_DIR"); env != nullptr && *env != '\0') {
    return has_app(env) ? std::string(env) : "";
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "reel" / "web";
    if (has_app(installed)) return installed.string();
  }
#ifdef REEL_WEB_BUILD_DIR
  if (has_app(REEL_WEB_BUILD_DIR)) return REEL_WEB_BUILD_DIR;
#endif
  return "";
}

}  // namespace reel::web
