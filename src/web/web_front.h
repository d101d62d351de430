// What the two servers of the web app share: a drive's (`reel web`, web_server.h) and the team's
// (`reel server`, server/team_server.h). The app's built files and the policy they are served
// under, the session cookie, and a file's bytes sent with ranges and sandboxed.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "common/status.h"

namespace reel::web {

// The cookie a signed-in browser carries.
inline constexpr char kSessionCookie[] = "reel_session";

// The value of cookie `name` in the request's Cookie headers ("" if absent).
[[nodiscard]] std::string CookieValue(const httplib::Request& req, const std::string& name);
// A Set-Cookie value for the session cookie: HttpOnly, SameSite=Strict, Secure over HTTPS;
// `max_age_s` 0 with an empty value clears it.
[[nodiscard]] std::string SessionCookie(const std::string& value, uint64_t max_age_s,
                                        bool secure);
// Whether a change comes from a page of the server's own origin: its Origin header is
// "http(s)://" and the Host it was sent to. A page of another site can make a browser send a
// form, with whatever cookies SameSite lets through; this is what refuses it.
[[nodiscard]] bool FromOwnOrigin(const httplib::Request& req, bool tls);

// httplib answers a client that accepts "br" with Brotli at its slowest quality: 370 ms for the
// 250 KB of JSON of a 1,000-entry folder page, where gzip takes 2 ms for twice the bytes. A
// browser always accepts both, so "br" is taken out of its list and it gets gzip.
void PreferGzip(const httplib::Request& req);

// The media type a file's name suggests (by extension).
[[nodiscard]] std::string MediaTypeOf(const std::string& name);

// The bytes of one version of a file, read at any offset (from any thread, one at a time).
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Up to out.size() bytes at `offset`; fewer only at the end.
  [[nodiscard]] virtual Result<size_t> Read(uint64_t offset, std::span<uint8_t> out) = 0;
};

// The query parameter `version`: a version number (1, 2...); 0 (what the file holds now) when
// absent.
[[nodiscard]] Result<uint64_t> VersionParam(const httplib::Request& req);

// Answers with the bytes of `source`, a file named `name`, streamed as the client reads them:
// Range requests answered 206 (416 when no range starts inside it). `immutable`: a numbered
// version, which never changes (cached for a year); else what a file holds now (revalidated).
// Sent sandboxed, and pages, scripts and styles as text: the drive's files are data, never run
// in the app's origin. `download` names the file as an attachment.
void SendBytes(const httplib::Request& req, httplib::Response& res,
               std::shared_ptr<ByteSource> source, const std::string& name, bool immutable,
               bool download);

class Thumbnails;
// Answers a content request with the bytes of the version `opened` (SendBytes), or a thumbnail
// request with its thumbnail when `thumbnails` is set (thumbnails.h); or with `opened`'s error.
// The file is named by the last part of the request's `path`; `version` makes it immutable.
void AnswerVersion(const httplib::Request& req, httplib::Response& res,
                   const Result<std::shared_ptr<ByteSource>>& opened, Thumbnails* thumbnails);

// The top-level files of the built app (index.html, app.js, app.css...), read once at start.
// Empty for "" or a folder without index.html.
using AppFiles = std::map<std::string, std::pair<std::string, std::string>>;  // name: type, bytes
[[nodiscard]] Result<AppFiles> LoadAppFiles(const std::string& dir);

// GET / (the app's page) and GET /NAME (its files); without them, / says how to build the app.
void ServeAppFiles(httplib::Server& server, std::shared_ptr<const AppFiles> files);

// Every answer's security headers: the app's Content-Security-Policy (its own scripts, styles
// and media only; nothing inline, no frames), nosniff, no framing, no referrer.
void UseAppPolicy(httplib::Server& server);

// A JSON error answer (not cached).
void RespondError(httplib::Response& res, const Status& s);

// Where the built web app is: $REEL_WEB_DIR; else `share/reel/web` beside the binary's `bin`
// (an installed tree); else the build tree's `web` folder (scripts/build.sh puts it there).
// "" when none of them holds an index.html.
[[nodiscard]] std::string FindWebAssets();

}  // namespace reel::web
