// WebServer: the browser front end of one drive. It serves the web app's built files and the
// `/v1/` API the app talks to, in the team server's shape (the drive appears as one workspace
// named after it), over HTTP on loopback.
//
// Who may call it: whoever opened a one-time sign-in link (`reel web` prints one; see
// web_sessions.h) and holds the session cookie it set (HttpOnly, SameSite=Strict). Without it
// every /v1/ route but /v1/health answers 401. Requests naming a host other than the one it
// listens on are refused (a DNS-rebinding page cannot reach it), and a change (any method but
// GET and HEAD) must come from the app's own origin with a JSON body. Every answer carries a
// Content-Security-Policy; a file's content is sent sandboxed, so an HTML or SVG file in the
// drive cannot run script in the app's origin.
//
// Routes (W: the workspace name; P: a path relative to its root, "" for the root):
//   GET  /sign-in?code=C                    303 to / with the session cookie; 401 once spent
//   POST /v1/sign-out                       ends the session
//   GET  /v1/health                         {"ok":true}, no session needed
//   GET  /v1/me                             {"user"}
//   GET  /v1/workspaces                     {"workspaces":[{"name","role"}]}
//   GET  /v1/workspaces/W                   {"name","role"}
//   GET  /v1/workspaces/W/files?path=P&after=C&limit=N
//                                           {"path","entries":[Entry...],"next":C or null}
//   GET  /v1/workspaces/W/stat?path=P       Entry with "path"
//   GET  /v1/workspaces/W/versions?path=P   {"path","versions":[VersionInfo...]}
//   GET  /v1/workspaces/W/content?path=P&version=N&download=1
//                                           the bytes; Range requests answered 206
//   POST /v1/workspaces/W/restore {path, version}   VersionInfo of the new version
//   POST /v1/workspaces/W/save {path, message?}     VersionInfo (a checkpoint)
//   POST /v1/workspaces/W/folders {path}            Entry: a new folder
//   POST /v1/workspaces/W/delete {path}             {"trashed","removed"}: a folder with all in it
//   POST /v1/workspaces/W/move {from, to}           Entry at `to` (nothing is replaced)
//   GET  /v1/workspaces/W/trash                     {"entries":[TrashEntry...]}
//   POST /v1/workspaces/W/trash/restore {id, path?} {"path","attr"}
//   GET  /v1/workspaces/W/events?after=N&wait=S     the change feed (long poll)
//   uploads (web_uploads.cc), tiers (web_tiers.cc)
// Entry: the Attributes JSON plus "name" and "user" (the owner's user name). Changes are made as
// the user running the server, and the mount shows them at once (DriveService drops the
// kernel's caches of what they touched).
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace reel {

class DriveService;

struct WebServerOptions {
  std::string listen = "127.0.0.1:0";  // HOST:PORT on loopback; port 0: any free one
  // The built web app (index.html, app.js, app.css...). "" or a folder without index.html: the
  // API alone, and `/` says how to build the app.
  std::string assets_dir;
  std::string workspace;  // the name the drive appears under
  std::string user;       // who the signed-in person is; "": the user running the server
};

class WebServer {
 public:
  // Listens and serves `drive` (which must outlive the server) on background threads; returns
  // once it accepts connections.
  [[nodiscard]] static Result<std::unique_ptr<WebServer>> Start(DriveService* drive,
                                                                WebServerOptions options);
  ~WebServer();  // Stop()
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // "http://HOST:PORT", with the port it got.
  const std::string& origin() const;
  // A link that signs a browser in once, within an hour.
  std::string NewSignInLink();
  // Stops accepting and finishes the requests in flight. Idempotent.
  void Stop();

  struct Impl;

 private:
  explicit WebServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace reel
