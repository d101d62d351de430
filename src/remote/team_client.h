// TeamClient: the typed client of a team server's HTTP/JSON API (server/team_server.h), used by
// the CLI's team commands and by team mounts. Every call carries the bearer token; every change
// carries a request id, the same one for each attempt, so a retry after a lost reply or on a
// server that did not answer is never applied twice. Calls that reach no server are retried for
// up to `retry_for`, then Unavailable. The token is never part of a message. Connections are kept
// open between calls (a few idle ones, shared by the copies of a client and by every client made
// with the same `connections`); thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace httplib {
class Client;
}

namespace reel {

// Idle kept-alive connections to one server. An open connection holds one of the server's request
// threads until the server's keep-alive timeout ends it, so the parts of one mount (catalog,
// stores, locks, reporter, task runner) take turns on the same few connections rather than each
// keeping its own. Thread-safe.
class TeamConnections;

struct TeamClientOptions {
  std::string url;      // a normalized server URL (NormalizeServerUrl)
  std::string token;
  std::string ca_cert;  // PEM file to trust for https:// ("": the system's trust store)
  std::chrono::seconds timeout{30};
  std::chrono::milliseconds retry_for{10'000};
  // Sent as Reel-Instance with every call ("" sends none): the changes' events name it, so that
  // a mount following the feed knows its own (NewInstanceId).
  std::string instance = {};
  // Shared by the clients made with these options (NewTeamConnections); null: each TeamClient
  // (and its copies) keeps its own.
  std::shared_ptr<TeamConnections> connections = {};
};

[[nodiscard]] std::shared_ptr<TeamConnections> NewTeamConnections(const TeamClientOptions& options);

struct WorkspaceView {
  std::string name;
  std::string role;   // reader, writer, admin
  bool home = false;
  std::string share;  // on-close, on-publish
  std::string conflict = "last-writer-wins";  // keep-both, reject
  bool encrypted = false;
  int64_t created_ns = 0;
};

struct GrantView {
  std::string principal;  // "bob" or "@artists"
  std::string role;
};

// A mount of a workspace as the server knows it (GET /v1/instances).
struct InstanceView {
  std::string name;       // the mount's instance id
  std::string user;       // whose mount (the server says; ignored in a report)
  std::string workspace;
  std::string host;
  bool online = true;     // reported online and seen lately (the server decides)
  int64_t started_ns = 0;    // first seen (the server's clock)
  int64_t last_seen_ns = 0;
  uint64_t cache_bytes = 0;
  uint64_t cache_limit = 0;  // 0: none
  uint64_t transfer_queue = 0;
  uint64_t pending_commits = 0;
};

// A task sent to an instance (POST /v1/instances/NAME/tasks).
struct TaskView {
  uint64_t id = 0;
  std::string instance, workspace;
  std::string kind;   // hydrate, publish, evict, pin, unpin, save
  std::string path;   // in the workspace; "" for the whole of it
  std::string state;  // queued, running, done, failed
  std::string message;
  std::string created_by;
  int64_t created_ns = 0;
  int64_t updated_ns = 0;
};

// `options` for a call that is better tried again later than now (a periodic report).
inline TeamClientOptions WithoutRetries(TeamClientOptions options) {
  options.retry_for = std::chrono::milliseconds(0);
  return options;
}

class TeamClient {
 public:
  explicit TeamClient(TeamClientOptions options);

  // The name of the token's user.
  [[nodiscard]] Result<std::string> WhoAmI();
  [[nodiscard]] Result<std::vector<WorkspaceView>> Workspaces();
  [[nodiscard]] Result<WorkspaceView> CreateWorkspace(const std::string& name,
                                                      bool encrypted = false);
  // One workspace the caller has a role in (PermissionDenied otherwise).
  [[nodiscard]] Result<WorkspaceView> WorkspaceInfo(const std::string& name);
  // Changes a workspace's settings (admins only): `settings` holds "share" and/or "conflict".
  [[nodiscard]] Result<WorkspaceView> SetWorkspace(const std::string& name,
                                                   const nlohmann::json& settings);
  // The key of an encrypted workspace the caller is a member of (chunking/chunk_cipher.h); keep
  // it in memory only.
  [[nodiscard]] Result<std::vector<uint8_t>> WorkspaceKey(const std::string& name);
  [[nodiscard]] Result<std::vector<GrantView>> Grants(const std::string& workspace);
  // role "reader", "writer" or "admin"; Revoke removes the principal's grant.
  [[nodiscard]] Status Grant(const std::string& workspace, const std::string& principal,
                             const std::string& role);
  [[nodiscard]] Status Revoke(const std::string& workspace, const std::string& principal);
  // Reports how this instance (`self.name`) is: PUT /v1/instances/NAME.
  [[nodiscard]] Status ReportInstance(const InstanceView& self);
  // The instances of the workspaces the caller has a role in (only `workspace`'s when given).
  [[nodiscard]] Result<std::vector<InstanceView>> Instances(const std::string& workspace = "");
  // Tasks: sent by a pipeline (a writer of the instance's workspace), run by the instance.
  [[nodiscard]] Result<TaskView> SendTask(const std::string& instance, const std::string& kind,
                                          const std::string& path);
  [[nodiscard]] Result<std::vector<TaskView>> Tasks(const std::string& instance,
                                                    const std::string& state = "");
  [[nodiscard]] Result<TaskView> Task(uint64_t id);
  [[nodiscard]] Result<TaskView> UpdateTask(uint64_t id, const std::string& state,
                                            const std::string& message);
  // The tiers of the team's stores a member of `workspace` can reach ("cloud", "edge").
  [[nodiscard]] Result<std::vector<std::string>> StoreTiers(const std::string& workspace);

  // One call: `method` GET, POST, PUT or DELETE; `body` null for none. A change gets a new
  // request id, kept across its retries.
  [[nodiscard]] Result<nlohmann::json> Call(const std::string& method, const std::string& target,
                                            const nlohmann::json& body);
  // Call, answering the 200's body as it came (for an answer read in one pass).
  [[nodiscard]] Result<std::string> CallText(const std::string& method, const std::string& target,
                                             const nlohmann::json& body);

  const std::string& url() const { return options_.url; }

 private:
  TeamClientOptions options_;
  std::shared_ptr<TeamConnections> connections_;
};

// What `read` makes of answer `r` from server `who`: r's error, or Internal when the answer does
// not have the shape `read` expects (it throws).
template <typename T, typename F>
Result<T> Decode(const Result<nlohmann::json>& r, const std::string& who, F read) {
  if (!r.ok()) return r.status();
  try {
    return read(*r);
  } catch (const std::exception& e) {
    return Status::Internal("bad response from " + who + ": " + e.what());
  }
}

// A new request id: "r-" + 32 random hex digits.
[[nodiscard]] std::string NewRequestId();
// A new instance id for a mount: "m-" + 32 random hex digits.
[[nodiscard]] std::string NewInstanceId();
// An HTTP client of the server as TeamClient uses one (TLS trust, timeouts, kept-alive
// connection), for a caller that must be able to stop() a call in progress from another thread.
[[nodiscard]] std::unique_ptr<httplib::Client> NewServerClient(const TeamClientOptions& options);
// The headers of every call: the bearer token and the instance.
[[nodiscard]] std::multimap<std::string, std::string> ServerHeaders(
    const TeamClientOptions& options);

}  // namespace reel
