#include "web/web_sessions.h"

#include <span>
#include <utility>
#include <vector>

#include "chunking/sha256.h"
#include "common/hex.h"
#include "common/secure_random.h"

namespace reel {
namespace {

std::string NewSecret() { return ToHex(SecureRandomBytes(32)); }

std::string Digest(const std::string& secret) {
  ChunkId d = Sha256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(secret.data()),
                                              secret.size()));
  return d.Hex();
}

Status NotSignedIn() {
  return Status::Unauthenticated(
      "not signed in: run `reel web PATH` on the drive's machine for a sign-in link");
}

// Drops entries whose time has come (called with the lock held, on each new secret, so the
// maps stay as small as the live codes and sessions).
void Expire(std::unordered_map<std::string, int64_t>& m, int64_t deadline) {
  for (auto it = m.begin(); it != m.end();) {
    it = it->second < deadline ? m.erase(it) : std::next(it);
  }
}

}  // namespace

WebSessions::WebSessions(std::function<int64_t()> now, WebSessionLimits limits)
    : now_(std::move(now)), limits_(limits) {}

std::string WebSessions::NewSignInCode() {
  std::string code = NewSecret();
  const int64_t now = now_();
  std::lock_guard<std::mutex> lock(mu_);
  Expire(codes_, now);
  codes_[Digest(code)] = now + limits_.code_ttl_ns;
  return code;
}

Result<std::string> WebSessions::Redeem(const std::string& code) {
  if (code.size() != 64) return NotSignedIn();
  const std::string digest = Digest(code);
  std::string session = NewSecret();
  const int64_t now = now_();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = codes_.find(digest);
  if (it == codes_.end()) return NotSignedIn();
  const bool fresh = it->second >= now;
  codes_.erase(it);  // spent, whether or not it was still good
  if (!fresh) return NotSignedIn();
  Expire(sessions_, now - limits_.session_idle_ns);
  sessions_[Digest(session)] = now;
  return session;
}

Status WebSessions::Check(const std::string& session) {
  if (session.size() != 64) return NotSignedIn();
  const std::string digest = Digest(session);
  const int64_t now = now_();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(digest);
  if (it == sessions_.end()) return NotSignedIn();
  if (now - it->second > limits_.session_idle_ns) {
    sessions_.erase(it);
    return NotSignedIn();
  }
  it->second = now;
  return Status::Ok();
}

void WebSessions::End(const std::string& session) {
  const std::string digest = Digest(session);
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(digest);
}

}  // namespace reel
