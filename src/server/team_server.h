// TeamServer: the HTTP/JSON API of a team drive (`reel server run`), versioned under /v1/.
// Stateless: everything it knows is in the team's PostgreSQL database, so several servers run
// against one database behind any load balancer, and any of them answers any request.
//
// Every route but GET /v1/health needs "Authorization: Bearer <token>" (401 unauthenticated
// without a valid one: missing, unknown, expired or revoked). Every mutating call (POST, PUT,
// DELETE) also carries "Reel-Request-Id: <8 to 128 of [A-Za-z0-9._:-]>": a retry with the same
// id answers what the first attempt did instead of applying twice. Bodies are JSON objects of at
// most 64 KiB with only the fields a route knows. Errors: {"error":{"code","message"}} with the
// HTTP status of ToHttpStatus. Times come from this server's clock. The routes are documented in
// docs/team-api.md.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "catalog/types.h"
#include "common/status.h"

namespace reel {

class ObjectStore;

class Metrics;
class TeamDirectory;

struct TeamServerOptions {
  std::string listen = "127.0.0.1:0";  // HOST:PORT; port 0 picks a free one
  std::string tls_cert;                // PEM files: HTTPS when both are set
  std::string tls_key;
  // Request worker threads. A client's open connection holds one while it is busy and for up to
  // 2 s after (keep-alive), so there are more threads than database connections.
  unsigned threads = 64;
  // The team's stores by tier ("cloud", "edge"): URIs as in server.toml. Instances reach an
  // s3:// one through presigned URLs the server signs with its own credentials (the AWS_*
  // environment or files of the server's user); they cannot reach other kinds.
  std::map<std::string, std::string> stores;
  // Whether a pack is recorded only once the server saw it in the store with the size its
  // members cover. Off only where a catalog is exercised with no store behind it (the catalog
  // suite's remote backend).
  bool check_pack_uploads = true;
  std::function<TimeNs()> clock;       // unset: the wall clock
  // Called after every call that changed something succeeded (its events are committed): the
  // server's event forwarders look at the feed now instead of at their next poll.
  std::function<void()> on_commit;
  // When set, every API call is timed into it by route (`reel_server_requests_seconds`).
  Metrics* metrics = nullptr;
  // How long an instance's lock session lives unheard (server.toml [locks] lease_seconds): its
  // mount renews it at a third of this, and a dead mount's locks are free this long after it
  // was last heard.
  std::chrono::milliseconds lock_lease{30'000};
  // The web app (web/web_front.h): its pages at /, browsers signing in with a token
  // (POST /v1/sign-in) to a session cookie, and the by-path routes it reads (routes_web.cc).
  bool web = true;
  std::string web_assets;  // the built app's folder; "": / says how to build it
};

class TeamServer {
 public:
  // Listens and serves on background threads; returns once connections are accepted.
  // `team` must outlive the server.
  [[nodiscard]] static Result<std::unique_ptr<TeamServer>> Start(TeamDirectory* team,
                                                                 TeamServerOptions options);
  ~TeamServer();  // Stop()
  TeamServer(const TeamServer&) = delete;
  TeamServer& operator=(const TeamServer&) = delete;

  // Stops accepting and finishes the requests in flight. Idempotent.
  void Stop();

  int port() const;
  // "http://127.0.0.1:7480" (https:// with TLS; IPv6 hosts in brackets).
  const std::string& url() const;
  // The store of tier `tier` ("cloud", "edge") the server opened to sign for, or nullptr (no
  // such tier, or not s3://): the team's other work on that tier can use the same client.
  std::shared_ptr<ObjectStore> store(const std::string& tier) const;

  struct Impl;

 private:
  explicit TeamServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace reel
