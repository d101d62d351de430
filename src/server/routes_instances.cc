// Team API: the instances (mounts) of the team's workspaces, how they are, and the tasks sent
// to them.
//   PUT /v1/instances/NAME {workspace, host, online, cache_bytes, cache_limit, transfer_queue,
//                           pending_commits}          {"ok":true} (a role in the workspace;
//                                                      the name is its first reporter's)
//   GET /v1/instances[?workspace=W]                  {"instances":[Instance...]} (the
//                                                      workspaces the caller has a role in)
// Instance: {name, user, workspace, host, online, started_ns, last_seen_ns, cache_bytes,
// cache_limit, transfer_queue, pending_commits}. `online`: reported online and seen within
// kInstanceStale (a mount reports every 10 s).
//   POST /v1/instances/NAME/tasks {kind, path?}      Task (writers of its workspace)
//   GET  /v1/instances/NAME/tasks[?state=S]          {"tasks":[Task...]} (oldest first, <= 100;
//                                                      its user and its workspace's members)
//   GET  /v1/tasks/ID                                Task (the same)
//   PUT  /v1/tasks/ID {state, message?}              Task (the instance's user: running, done,
//                                                      failed)
// Task: {id, instance, workspace, kind, path, state, message, created_by, created_ns,
// updated_ns}. A task queued or running on an instance that is gone (offline) reads as failed.
#include "server/server_routes.h"

namespace reel::server_internal {

using nlohmann::json;

namespace {

// A count field: a JSON integer >= 0.
Result<uint64_t> CountField(const json& body, const char* key) {
  if (!body.contains(key)) return uint64_t{0};
  const json& v = body.at(key);
  if (!v.is_number_unsigned()) {
    return Status::InvalidArgument(std::string("\"") + key + "\" must be an integer >= 0");
  }
  return v.get<uint64_t>();
}

json InstanceJson(const InstanceInfo& i) {
  const InstanceReport& r = i.report;
  return json{{"name", r.name},
              {"user", i.user},
              {"workspace", r.workspace},
              {"host", r.host},
              {"online", r.online},
              {"started_ns", i.started},
              {"last_seen_ns", i.last_seen},
              {"cache_bytes", r.cache_bytes},
              {"cache_limit", r.cache_limit},
              {"transfer_queue", r.transfer_queue},
              {"pending_commits", r.pending_commits}};
}

json TaskJson(const TaskInfo& t) {
  return json{{"id", t.id},
              {"instance", t.instance},
              {"workspace", t.workspace},
              {"kind", t.kind},
              {"path", t.path},
              {"state", t.state},
              {"message", t.message},
              {"created_by", t.created_by},
              {"created_ns", t.created},
              {"updated_ns", t.updated}};
}

Result<uint64_t> TaskId(const httplib::Request& req) {
  const std::string raw = req.matches[1].str();
  if (raw.empty() || raw.size() > 19) return Status::InvalidArgument("a task id is a number");
  return std::stoull(raw);
}

}  // namespace

void RegisterInstanceRoutes(httplib::Server& server, ServerContext& ctx) {
  Route(server, ctx, "PUT", "/v1/instances/([^/]+)",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(
        json body, http::BodyObject(req, {"workspace", "host", "online", "cache_bytes",
                                          "cache_limit", "transfer_queue", "pending_commits"}));
    InstanceReport r;
    r.name = req.matches[1].str();
    REEL_ASSIGN_OR_RETURN(r.workspace, http::StringField(body, "workspace"));
    REEL_ASSIGN_OR_RETURN(r.host, http::StringField(body, "host"));
    if (!body.contains("online") || !body["online"].is_boolean()) {
      return Status::InvalidArgument("\"online\" must be true or false");
    }
    r.online = body["online"].get<bool>();
    REEL_ASSIGN_OR_RETURN(r.cache_bytes, CountField(body, "cache_bytes"));
    REEL_ASSIGN_OR_RETURN(r.cache_limit, CountField(body, "cache_limit"));
    REEL_ASSIGN_OR_RETURN(r.transfer_queue, CountField(body, "transfer_queue"));
    REEL_ASSIGN_OR_RETURN(r.pending_commits, CountField(body, "pending_commits"));
    REEL_RETURN_IF_ERROR(ctx.team->ReportInstance(r, request));
    return json{{"ok", true}};
  });

  Route(server, ctx, "GET", "/v1/instances",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {"workspace"}));
    const std::string workspace = req.get_param_value("workspace");
    if (!workspace.empty()) {
      REEL_RETURN_IF_ERROR(MemberOf(ctx, workspace, request.caller).status());
    }
    REEL_ASSIGN_OR_RETURN(
        std::vector<InstanceInfo> instances,
        ctx.team->ListInstances(request.caller, workspace, request.now,
                                std::chrono::nanoseconds(kInstanceStale).count()));
    json list = json::array();
    for (const InstanceInfo& i : instances) list.push_back(InstanceJson(i));
    return json{{"instances", list}};
  });

  Route(server, ctx, "POST", "/v1/instances/([^/]+)/tasks",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(json body, http::BodyObject(req, {"kind", "path"}));
    REEL_ASSIGN_OR_RETURN(std::string kind, http::StringField(body, "kind"));
    const std::string none;
    REEL_ASSIGN_OR_RETURN(std::string path, http::StringField(body, "path", &none));
    REEL_ASSIGN_OR_RETURN(TaskInfo t,
                          ctx.team->CreateTask(req.matches[1].str(), kind, path, request));
    return TaskJson(t);
  });

  Route(server, ctx, "GET", "/v1/instances/([^/]+)/tasks",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {"state"}));
    REEL_ASSIGN_OR_RETURN(std::vector<TaskInfo> tasks,
                          ctx.team->ListTasks(req.matches[1].str(),
                                              req.get_param_value("state"), request.caller,
                                              request.now));
    json list = json::array();
    for (const TaskInfo& t : tasks) list.push_back(TaskJson(t));
    return json{{"tasks", list}};
  });

  Route(server, ctx, "GET", "/v1/tasks/([0-9]+)",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(uint64_t id, TaskId(req));
    REEL_ASSIGN_OR_RETURN(TaskInfo t, ctx.team->GetTask(id, request.caller, request.now));
    return TaskJson(t);
  });

  Route(server, ctx, "PUT", "/v1/tasks/([0-9]+)",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(uint64_t id, TaskId(req));
    REEL_ASSIGN_OR_RETURN(json body, http::BodyObject(req, {"state", "message"}));
    REEL_ASSIGN_OR_RETURN(std::string state, http::StringField(body, "state"));
    const std::string none;
    REEL_ASSIGN_OR_RETURN(std::string message, http::StringField(body, "message", &none));
    REEL_ASSIGN_OR_RETURN(TaskInfo t, ctx.team->UpdateTask(id, state, message, request));
    return TaskJson(t);
  });
}

}  // namespace reel::server_internal
