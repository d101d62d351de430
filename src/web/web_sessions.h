// Who may use a web front end: one-time sign-in codes and the sessions they open.
//
// `reel web` prints a link holding a fresh code; opening it trades the code (once, within an
// hour) for a session, which the browser then holds in an HttpOnly, SameSite=Strict cookie.
// Codes and session ids are random 256-bit secrets kept only as their SHA-256, so a lookup
// compares digests, never the secret itself, and nothing here can be logged back into a token.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/status.h"

namespace reel {

struct WebSessionLimits {
  int64_t code_ttl_ns = int64_t{3600} * 1'000'000'000;           // an unused link: an hour
  int64_t session_idle_ns = int64_t{7} * 86400 * 1'000'000'000;  // a session unused: a week
};

class WebSessions {
 public:
  // `now` gives nanoseconds since the epoch (tests move it).
  explicit WebSessions(std::function<int64_t()> now, WebSessionLimits limits = {});

  // A new sign-in code (64 hex digits), good once.
  std::string NewSignInCode();
  // The session a code opens: a new session id (64 hex digits); the code is spent.
  // Unauthenticated for a code that is unknown, spent or expired (one message for all).
  [[nodiscard]] Result<std::string> Redeem(const std::string& code);
  // Ok for a live session id (its idle time starts again); Unauthenticated otherwise.
  [[nodiscard]] Status Check(const std::string& session);
  void End(const std::string& session);
  const WebSessionLimits& limits() const { return limits_; }

 private:
  std::function<int64_t()> now_;
  WebSessionLimits limits_;
  std::mutex mu_;  // guards codes_ and sessions_
  // SHA-256 (hex) of a secret -> when it expires (codes) or was last used (sessions).
  std::unordered_map<std::string, int64_t> codes_;
  std::unordered_map<std::string, int64_t> sessions_;
};

}  // namespace reel
