// TeamDirectory: tasks that pipelines send to running instances.
#include <algorithm>
#include <array>
#include <chrono>
#include <string_view>

#include "catalog/catalog_txn.h"
#include "catalog/postgres/pg_pool.h"
#include "catalog/postgres/pg_txn.h"
#include "team/team_directory.h"
#include "team/team_queries.h"

namespace reel {

using postgres::PgConn;
using postgres::PgRows;

namespace {

constexpr std::array<std::string_view, 6> kKinds = {"hydrate", "publish", "evict",
                                                    "pin",     "unpin",   "save"};
constexpr size_t kMaxTaskPath = 4096;
constexpr size_t kMaxTaskMessage = 4096;
constexpr int64_t kMaxListed = 100;

Status CheckTaskPath(const std::string& path) {
  if (path.size() > kMaxTaskPath) return Status::InvalidArgument("a task's path is too long");
  if (path.empty()) return Status::Ok();
  size_t start = 0;
  while (start <= path.size()) {
    const size_t end = std::min(path.find('/', start), path.size());
    const std::string_view part(path.data() + start, end - start);
    if (part.empty() || part == "." || part == ".." ||
        part.find('\0') != std::string_view::npos) {
      return Status::InvalidArgument("a task's path is relative to the workspace, with no empty, "
                                     "\".\" or \"..\" component");
    }
    start = end + 1;
  }
  return Status::Ok();
}

#define REEL_TASK_COLUMNS                                                                   \
  "t.id, t.instance, w.name, t.kind, t.path, t.state, t.message, u.name, t.created, "      \
  "t.updated FROM tasks t JOIN instances i ON i.name = t.instance "                        \
  "JOIN workspaces w ON w.id = i.workspace_id JOIN users u ON u.id = t.created_by"

TaskInfo ReadTask(const PgRows& rows, int r) {
  TaskInfo t;
  t.id = rows.U64(r, 0);
  t.instance = rows.Text(r, 1);
  t.workspace = rows.Text(r, 2);
  t.kind = rows.Text(r, 3);
  t.path = rows.Text(r, 4);
  t.state = rows.Text(r, 5);
  t.message = rows.Text(r, 6);
  t.created_by = rows.Text(r, 7);
  t.created = rows.Int(r, 8);
  t.updated = rows.Int(r, 9);
  return t;
}

// The caller's role in instance `name`'s workspace, and whether it is the caller's instance.
struct InstanceAccess {
  Role role = Role::kNone;
  bool own = false;
};

Result<InstanceAccess> AccessIn(PgConn& c, const std::string& instance, const User& caller) {
  REEL_ASSIGN_OR_RETURN(
      PgRows rows, c.Query("SELECT i.user_id, coalesce(r.role, 0) FROM instances i LEFT JOIN (" REEL_ROLES_OF_USER
                           ") r ON r.workspace_id = i.workspace_id WHERE i.name = $2",
                           caller.id, instance));
  if (rows.empty()) return Status::NotFound("no instance \"" + instance + "\"");
  InstanceAccess a;
  a.own = rows.U64(0, 0) == caller.id;
  a.role = static_cast<Role>(rows.Int(0, 1));
  if (a.role == Role::kNone && !a.own) return Status::NotFound("no instance \"" + instance + "\"");
  return a;
}

// Tasks queued or running on an instance that is gone (reported offline when it unmounted, or
// not heard from for kInstanceStale: killed, or its machine lost) will never be finished by it (a
// mount's next run is a new instance): they fail, when next read, with why. `instance` or `id`
// narrows it to one instance's tasks or one task.
Status FailTasksOfGoneInstances(PgConn& c, const std::string& instance, uint64_t id, TimeNs now) {
  const TimeNs heard_after = now - std::chrono::nanoseconds(kInstanceStale).count();
  const std::string unheard = "the instance was not heard from for " +
                              std::to_string(kInstanceStale.count()) +
                              " s: it stopped before finishing it";
  return c.Exec("UPDATE tasks t SET state = 'failed', updated = $3, "
                "message = CASE WHEN i.online THEN $5 ELSE $6 END "
                "FROM instances i WHERE i.name = t.instance AND t.state IN ('queued', 'running') "
                "AND (t.instance = $1 OR $1 = '') AND (t.id = $2 OR $2 = 0) "
                "AND (NOT i.online OR i.last_seen < $4)",
                instance, static_cast<int64_t>(id), now, heard_after, unheard,
                "the instance was unmounted before finishing it");
}

Result<TaskInfo> TaskIn(PgConn& c, uint64_t id) {
  REEL_ASSIGN_OR_RETURN(PgRows rows, c.Query("SELECT " REEL_TASK_COLUMNS " WHERE t.id = $1", id));
  if (rows.empty()) return Status::NotFound("no task " + std::to_string(id));
  return ReadTask(rows, 0);
}

}  // namespace

Result<TaskInfo> TeamDirectory::CreateTask(const std::string& instance, const std::string& kind,
                                           const std::string& path, const TeamRequest& request) {
  REEL_RETURN_IF_ERROR(ValidateRequestId(instance).WithContext("instance name"));
  if (std::find(kKinds.begin(), kKinds.end(), kind) == kKinds.end()) {
    return Status::InvalidArgument("unknown task \"" + kind.substr(0, 32) +
                                   "\" (hydrate, publish, evict, pin, unpin, save)");
  }
  REEL_RETURN_IF_ERROR(CheckTaskPath(path));
  const std::string what = "task " + instance + " " + kind + " " + path;
  TaskInfo out;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(InstanceAccess access, AccessIn(c, instance, request.caller));
    if (access.role < Role::kWriter) {
      return Status::PermissionDenied("tasks are sent by writers of the instance's workspace");
    }
    REEL_ASSIGN_OR_RETURN(std::optional<std::string> applied,
                          team::AppliedRequestIn(c, request, what));
    if (applied) {
      REEL_ASSIGN_OR_RETURN(out, TaskIn(c, std::stoull(*applied)));
      return Status::Ok();
    }
    REEL_ASSIGN_OR_RETURN(
        PgRows made,
        c.Query("INSERT INTO tasks (instance, kind, path, state, message, created_by, created, "
                "updated) VALUES ($1, $2, $3, 'queued', '', $4, $5, $5) RETURNING id",
                instance, kind, path, request.caller.id, request.now));
    const uint64_t id = made.U64(0, 0);
    REEL_RETURN_IF_ERROR(team::RecordRequestIn(c, request, what, std::to_string(id)));
    REEL_ASSIGN_OR_RETURN(out, TaskIn(c, id));
    // The instances of the workspace hear of it in its feed (and look at their queues).
    REEL_ASSIGN_OR_RETURN(PgRows root, c.Query("SELECT w.root FROM instances i JOIN workspaces "
                                               "w ON w.id = i.workspace_id WHERE i.name = $1",
                                               instance));
    postgres::PgTxn tx(c, {request.caller.name, request.instance});
    REEL_RETURN_IF_ERROR(RecordTaskEvent(tx, root.U64(0, 0), id, request.now));
    return tx.Finish();
  }));
  return out;
}

Result<std::vector<TaskInfo>> TeamDirectory::ListTasks(const std::string& instance,
                                                       const std::string& state,
                                                       const User& caller, TimeNs now) {
  REEL_RETURN_IF_ERROR(ValidateRequestId(instance).WithContext("instance name"));
  std::vector<TaskInfo> out;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_RETURN_IF_ERROR(AccessIn(c, instance, caller).status());
    REEL_RETURN_IF_ERROR(FailTasksOfGoneInstances(c, instance, 0, now));
    REEL_ASSIGN_OR_RETURN(PgRows rows,
                          c.Query("SELECT " REEL_TASK_COLUMNS " WHERE t.instance = $1 AND "
                                  "($2 = '' OR t.state = $2) ORDER BY t.id LIMIT $3",
                                  instance, state, kMaxListed));
    out.clear();
    for (int r = 0; r < rows.size(); ++r) out.push_back(ReadTask(rows, r));
    return Status::Ok();
  }));
  return out;
}

Result<TaskInfo> TeamDirectory::GetTask(uint64_t id, const User& caller, TimeNs now) {
  TaskInfo out;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(out, TaskIn(c, id));
    Result<InstanceAccess> access = AccessIn(c, out.instance, caller);
    if (!access.ok()) return Status::NotFound("no task " + std::to_string(id));
    if (out.state == "queued" || out.state == "running") {
      REEL_RETURN_IF_ERROR(FailTasksOfGoneInstances(c, "", id, now));
      REEL_ASSIGN_OR_RETURN(out, TaskIn(c, id));
    }
    return Status::Ok();
  }));
  return out;
}

Result<TaskInfo> TeamDirectory::UpdateTask(uint64_t id, const std::string& state,
                                           const std::string& message,
                                           const TeamRequest& request) {
  if (state != "running" && state != "done" && state != "failed") {
    return Status::InvalidArgument("a task's state moves to running, done or failed");
  }
  if (message.size() > kMaxTaskMessage) return Status::InvalidArgument("message too long");
  TaskInfo out;
  REEL_RETURN_IF_ERROR(pool_->Transaction([&](PgConn& c) -> Status {
    REEL_ASSIGN_OR_RETURN(TaskInfo t, TaskIn(c, id));
    Result<InstanceAccess> access = AccessIn(c, t.instance, request.caller);
    if (!access.ok()) return Status::NotFound("no task " + std::to_string(id));
    if (!access->own) {
      return Status::PermissionDenied("only the instance's own user reports on its tasks");
    }
    if (t.state == state && state == "running") {  // said again (a retry): nothing changes
      out = t;
      return Status::Ok();
    }
    if (t.state == "done" || t.state == "failed") {
      if (t.state == state) {  // a retry of the last report
        out = t;
        return Status::Ok();
      }
      return Status::InvalidArgument("task " + std::to_string(id) + " is " + t.state);
    }
    REEL_RETURN_IF_ERROR(c.Exec("UPDATE tasks SET state = $2, message = $3, updated = $4 "
                                "WHERE id = $1",
                                id, state, message, request.now));
    REEL_ASSIGN_OR_RETURN(out, TaskIn(c, id));
    return Status::Ok();
  }));
  return out;
}

}  // namespace reel
