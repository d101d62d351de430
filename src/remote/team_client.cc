#include "remote/team_client.h"

#include <httplib.h>

#include <mutex>

#include "common/hex.h"
#include "common/percent_encode.h"
#include "common/retry_backoff.h"
#include "common/secure_random.h"
#include "http/json_client.h"

namespace reel {

using nlohmann::json;

namespace {

WorkspaceView ReadWorkspace(const json& j) {
  WorkspaceView w;
  w.name = j.at("name").get<std::string>();
  w.role = j.at("role").get<std::string>();
  w.home = j.at("home").get<bool>();
  w.share = j.at("share").get<std::string>();
  w.conflict = j.value("conflict", std::string("last-writer-wins"));  // an older server
  w.encrypted = j.at("encrypted").get<bool>();
  w.created_ns = j.at("created_ns").get<int64_t>();
  return w;
}

}  // namespace

std::string NewRequestId() { return "r-" + ToHex(SecureRandomBytes(16)); }

std::string NewInstanceId() { return "m-" + ToHex(SecureRandomBytes(16)); }

std::unique_ptr<httplib::Client> NewServerClient(const TeamClientOptions& options) {
  auto client = std::make_unique<httplib::Client>(options.url);
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);  // a request's header and body go out at once
  client->set_connection_timeout(std::chrono::seconds(5));
  client->set_read_timeout(options.timeout);
  client->set_write_timeout(options.timeout);
  if (!options.ca_cert.empty()) client->set_ca_cert_path(options.ca_cert.c_str());
  client->enable_server_certificate_verification(true);
  return client;
}

std::multimap<std::string, std::string> ServerHeaders(const TeamClientOptions& options) {
  std::multimap<std::string, std::string> headers{{"Authorization", "Bearer " + options.token}};
  if (!options.instance.empty()) headers.emplace("Reel-Instance", options.instance);
  return headers;
}

// Idle HTTP clients to the server, each with its connection kept open.
class TeamConnections {
 public:
  explicit TeamConnections(const TeamClientOptions& options) : options_(options) {
    options_.connections = nullptr;  // no cycle
    options_.token.clear();          // not needed to connect
  }

  std::unique_ptr<httplib::Client> Take() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        auto client = std::move(idle_.back());
        idle_.pop_back();
        return client;
      }
    }
    return NewServerClient(options_);
  }
  // Keeps `client` for a later call, unless enough are idle already.
  void Give(std::unique_ptr<httplib::Client> client) {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(client));
  }

 private:
  static constexpr size_t kMaxIdle = 8;
  TeamClientOptions options_;
  std::mutex mu_;  // guards idle_
  std::vector<std::unique_ptr<httplib::Client>> idle_;
};

std::shared_ptr<TeamConnections> NewTeamConnections(const TeamClientOptions& options) {
  return std::make_shared<TeamConnections>(options);
}

TeamClient::TeamClient(TeamClientOptions options)
    : options_(std::move(options)),
      connections_(options_.connections ? options_.connections : NewTeamConnections(options_)) {}

Result<json> TeamClient::Call(const std::string& method, const std::string& target,
                              const json& body) {
  REEL_ASSIGN_OR_RETURN(std::string text, CallText(method, target, body));
  return http::ParseAnswer(text, options_.url);
}

Result<std::string> TeamClient::CallText(const std::string& method, const std::string& target,
                                         const json& body) {
  std::unique_ptr<httplib::Client> kept = connections_->Take();
  httplib::Client& client = *kept;
  // A shared connection was made for another client's options: this call's timeouts.
  client.set_read_timeout(options_.timeout);
  client.set_write_timeout(options_.timeout);
  const auto common = ServerHeaders(options_);
  httplib::Headers headers(common.begin(), common.end());
  if (method != "GET") headers.emplace("Reel-Request-Id", NewRequestId());
  const std::string payload = body.is_null() ? std::string() : body.dump();
  const auto deadline = std::chrono::steady_clock::now() + options_.retry_for;
  RetryBackoff backoff(std::chrono::milliseconds(50), std::chrono::milliseconds(1000));
  for (;;) {
    httplib::Result res = method == "GET"    ? client.Get(target.c_str(), headers)
                          : method == "POST" ? client.Post(target.c_str(), headers, payload,
                                                           "application/json")
                          : method == "PUT"  ? client.Put(target.c_str(), headers, payload,
                                                          "application/json")
                          : method == "PATCH" ? client.Patch(target.c_str(), headers, payload,
                                                             "application/json")
                                              : client.Delete(target.c_str(), headers);
    Result<std::string> out = http::DecodeResponseText(res, options_.url);
    if (out.ok() || out.status().code() != Code::kUnavailable ||
        std::chrono::steady_clock::now() >= deadline) {
      if (res) connections_->Give(std::move(kept));  // a connection that answered
      return out;
    }
    backoff.Wait();
  }
}

Result<std::vector<std::string>> TeamClient::StoreTiers(const std::string& workspace) {
  return Decode<std::vector<std::string>>(
      Call("GET", "/v1/workspaces/" + PercentEncode(workspace) + "/stores", nullptr), options_.url,
      [](const json& j) { return j.at("tiers").get<std::vector<std::string>>(); });
}

Result<std::string> TeamClient::WhoAmI() {
  return Decode<std::string>(Call("GET", "/v1/me", nullptr), options_.url,
                             [](const json& j) { return j.at("user").get<std::string>(); });
}

Result<std::vector<WorkspaceView>> TeamClient::Workspaces() {
  return Decode<std::vector<WorkspaceView>>(
      Call("GET", "/v1/workspaces", nullptr), options_.url, [](const json& j) {
        std::vector<WorkspaceView> out;
        for (const json& w : j.at("workspaces")) out.push_back(ReadWorkspace(w));
        return out;
      });
}

Result<WorkspaceView> TeamClient::CreateWorkspace(const std::string& name, bool encrypted) {
  json body{{"name", name}};
  if (encrypted) body["encrypted"] = true;
  return Decode<WorkspaceView>(Call("POST", "/v1/workspaces", body), options_.url, ReadWorkspace);
}

Result<WorkspaceView> TeamClient::WorkspaceInfo(const std::string& name) {
  return Decode<WorkspaceView>(Call("GET", "/v1/workspaces/" + PercentEncode(name), nullptr),
                               options_.url, ReadWorkspace);
}

Result<WorkspaceView> TeamClient::SetWorkspace(const std::string& name, const json& settings) {
  return Decode<WorkspaceView>(Call("PATCH", "/v1/workspaces/" + PercentEncode(name), settings),
                               options_.url, ReadWorkspace);
}

Status TeamClient::ReportInstance(const InstanceView& self) {
  json body{{"workspace", self.workspace},
            {"host", self.host},
            {"online", self.online},
            {"cache_bytes", self.cache_bytes},
            {"cache_limit", self.cache_limit},
            {"transfer_queue", self.transfer_queue},
            {"pending_commits", self.pending_commits}};
  return Call("PUT", "/v1/instances/" + PercentEncode(self.name), body).status();
}

Result<std::vector<InstanceView>> TeamClient::Instances(const std::string& workspace) {
  const std::string target =
      "/v1/instances" + (workspace.empty() ? std::string() : "?workspace=" + PercentEncode(workspace));
  return Decode<std::vector<InstanceView>>(
      Call("GET", target, nullptr), options_.url, [](const json& j) {
        std::vector<InstanceView> out;
        for (const json& i : j.at("instances")) {
          InstanceView v;
          v.name = i.at("name").get<std::string>();
          v.user = i.at("user").get<std::string>();
          v.workspace = i.at("workspace").get<std::string>();
          v.host = i.at("host").get<std::string>();
          v.online = i.at("online").get<bool>();
          v.started_ns = i.at("started_ns").get<int64_t>();
          v.last_seen_ns = i.at("last_seen_ns").get<int64_t>();
          v.cache_bytes = i.at("cache_bytes").get<uint64_t>();
          v.cache_limit = i.at("cache_limit").get<uint64_t>();
          v.transfer_queue = i.at("transfer_queue").get<uint64_t>();
          v.pending_commits = i.at("pending_commits").get<uint64_t>();
          out.push_back(std::move(v));
        }
        return out;
      });
}

namespace {

TaskView ReadTask(const json& j) {
  TaskView t;
  t.id = j.at("id").get<uint64_t>();
  t.instance = j.at("instance").get<std::string>();
  t.workspace = j.at("workspace").get<std::string>();
  t.kind = j.at("kind").get<std::string>();
  t.path = j.at("path").get<std::string>();
  t.state = j.at("state").get<std::string>();
  t.message = j.at("message").get<std::string>();
  t.created_by = j.at("created_by").get<std::string>();
  t.created_ns = j.at("created_ns").get<int64_t>();
  t.updated_ns = j.at("updated_ns").get<int64_t>();
  return t;
}

}  // namespace

Result<TaskView> TeamClient::SendTask(const std::string& instance, const std::string& kind,
                                      const std::string& path) {
  return Decode<TaskView>(Call("POST", "/v1/instances/" + PercentEncode(instance) + "/tasks",
                               json{{"kind", kind}, {"path", path}}),
                          options_.url, ReadTask);
}

Result<std::vector<TaskView>> TeamClient::Tasks(const std::string& instance,
                                                const std::string& state) {
  const std::string target = "/v1/instances/" + PercentEncode(instance) + "/tasks" +
                             (state.empty() ? std::string() : "?state=" + PercentEncode(state));
  return Decode<std::vector<TaskView>>(Call("GET", target, nullptr), options_.url,
                                       [](const json& j) {
                                         std::vector<TaskView> out;
                                         for (const json& t : j.at("tasks")) {
                                           out.push_back(ReadTask(t));
                                         }
                                         return out;
                                       });
}

Result<TaskView> TeamClient::Task(uint64_t id) {
  return Decode<TaskView>(Call("GET", "/v1/tasks/" + std::to_string(id), nullptr), options_.url,
                          ReadTask);
}

Result<TaskView> TeamClient::UpdateTask(uint64_t id, const std::string& state,
                                        const std::string& message) {
  return Decode<TaskView>(Call("PUT", "/v1/tasks/" + std::to_string(id),
                               json{{"state", state}, {"message", message}}),
                          options_.url, ReadTask);
}

Result<std::vector<uint8_t>> TeamClient::WorkspaceKey(const std::string& name) {
  REEL_ASSIGN_OR_RETURN(
      std::string hex,
      Decode<std::string>(Call("GET", "/v1/workspaces/" + PercentEncode(name) + "/key", nullptr),
                          options_.url, [](const json& j) { return j.at("key").get<std::string>(); }));
  auto key = FromHex(hex);
  if (!key) return Status::Internal("bad response from " + options_.url + ": a key not in hex");
  return std::move(*key);
}

Result<std::vector<GrantView>> TeamClient::Grants(const std::string& workspace) {
  return Decode<std::vector<GrantView>>(
      Call("GET", "/v1/workspaces/" + PercentEncode(workspace) + "/grants", nullptr),
      options_.url, [](const json& j) {
        std::vector<GrantView> out;
        for (const json& g : j.at("grants")) {
          out.push_back({g.at("principal").get<std::string>(), g.at("role").get<std::string>()});
        }
        return out;
      });
}

Status TeamClient::Grant(const std::string& workspace, const std::string& principal,
                         const std::string& role) {
  return Call("PUT",
              "/v1/workspaces/" + PercentEncode(workspace) + "/grants/" + PercentEncode(principal),
              json{{"role", role}})
      .status();
}

Status TeamClient::Revoke(const std::string& workspace, const std::string& principal) {
  return Call("DELETE",
              "/v1/workspaces/" + PercentEncode(workspace) + "/grants/" + PercentEncode(principal),
              nullptr)
      .status();
}

}  // namespace reel
