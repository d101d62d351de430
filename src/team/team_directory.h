// TeamDirectory: the people of a team drive and what each may do where. Users and groups; API
// tokens (random 256-bit secrets, stored only as their SHA-256); workspaces (a directory under the
// namespace's root with grants of its own; every user has a home workspace named after them); and
// grants of reader, writer or admin on a workspace to a user or a group. It lives in the team's
// PostgreSQL catalog database (schema 2 of catalog/postgres/pg_schema.cc), beside the namespace,
// so a workspace and its root directory are made in one transaction. `reel server` authorises
// every call through it.
//
// Names of users, groups and workspaces: 1 to 64 of [a-z0-9._-], starting with a letter or a
// digit (InvalidArgument otherwise). A group is written "@name" where a principal is expected.
// Every method is one serializable transaction, retried on conflicts; thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/file_lock.h"
#include "catalog/types.h"
#include "common/status.h"

namespace reel {

class Catalog;

namespace postgres {
class PgPool;
}

enum class Role : int { kNone = 0, kReader = 1, kWriter = 2, kAdmin = 3 };
std::string_view RoleName(Role role);                // "reader", "writer", "admin", "none"
[[nodiscard]] Result<Role> ParseRole(std::string_view name);  // reader|writer|admin

struct User {
  uint64_t id = 0;
  std::string name;
  TimeNs created = 0;
};

struct Workspace {
  uint64_t id = 0;
  std::string name;
  InodeId root = 0;      // its directory, under the namespace's root
  bool home = false;     // a user's home workspace
  std::string share;     // "on-close" (homes) or "on-publish" (projects)
  // What a commit made on a version that is no longer current does (reel workspace set).
  ConflictPolicy conflict = ConflictPolicy::kLastWriterWins;
  bool encrypted = false;  // chunks sealed with the workspace's key (chunking/chunk_cipher.h)
  TimeNs created = 0;
};

// Whether a commit made under lock session `token` (NewVersion::fence) of the calling instance
// may still count: false once the session lapsed, ended, or is not that instance's.
using LockFence = std::function<Result<bool>(uint64_t token)>;

struct WorkspaceOptions {
  std::optional<std::string> share;
  std::optional<ConflictPolicy> conflict;
};

// An instance not seen for this long is offline (its mount reports every 10 s).
inline constexpr std::chrono::seconds kInstanceStale{30};

// What a mount says of itself (TeamDirectory::ReportInstance).
struct InstanceReport {
  std::string name;       // "m-..." (ValidateRequestId's rule)
  std::string workspace;  // the one it mounts
  std::string host;       // the machine's name, 1 to 255 printable characters
  bool online = true;     // false: it is unmounting
  uint64_t cache_bytes = 0;
  uint64_t cache_limit = 0;  // 0: no limit
  uint64_t transfer_queue = 0;   // transfers waiting
  uint64_t pending_commits = 0;  // closed files not yet committed
};

struct InstanceInfo {
  InstanceReport report;
  std::string user;
  TimeNs started = 0;    // first seen
  TimeNs last_seen = 0;
};

// Work a pipeline sends to a running instance (TeamDirectory::CreateTask).
struct TaskInfo {
  uint64_t id = 0;
  std::string instance;
  std::string workspace;  // the instance's
  std::string kind;       // hydrate, publish, evict, pin, unpin, save
  std::string path;       // in the workspace ("" for the whole of it)
  std::string state;      // queued, running, done, failed
  std::string message;    // what the instance said (a failure's reason, a result)
  std::string created_by;
  TimeNs created = 0;
  TimeNs updated = 0;
};

// What SetLock came to.
struct LockOutcome {
  bool granted = false;    // done (for a test: it could be taken)
  // The caller's lock session, its fencing token: 0 when it holds none (an unlock, or a test,
  // with no session yet).
  uint64_t session = 0;
  TimeNs expires = 0;      // when that session lapses unless renewed
  // Why not granted: a lock of another holder (the first found).
  std::optional<LockHolderInfo> conflict;
  bool held = false;       // whether the caller's instance holds any lock on the file after it
};

struct WorkspaceAccess {
  Workspace workspace;
  Role role = Role::kNone;
};

// What a workspace stores (TeamDirectory::StorageOf): its files as they are now, every version
// of them and of its entries in the trash, and the distinct chunks those versions are made of,
// with how many of them (and their bytes) each shared tier holds.
struct TierUsage {
  uint64_t chunks = 0;
  uint64_t bytes = 0;
};
struct WorkspaceStorage {
  uint64_t files = 0;        // regular files with a name in it
  uint64_t bytes = 0;        // their current sizes
  uint64_t versions = 0;     // including those of files in its trash
  uint64_t chunks = 0;       // distinct chunks of those versions
  uint64_t chunk_bytes = 0;  // their bytes (a chunk shared with another workspace counts here too)
  TierUsage edge;
  TierUsage cloud;
};

struct GrantEntry {
  std::string principal;  // "alice" or "@artists"
  Role role = Role::kNone;
};

// A group and the names of its members (TeamDirectory::ListGroups).
struct GroupInfo {
  std::string name;
  std::vector<std::string> members;  // by name
};

// A token as its user sees it listed: never its secret (TeamDirectory::ListTokens).
struct TokenInfo {
  uint64_t id = 0;
  TimeNs created = 0;
  TimeNs expires = 0;  // 0: never
  bool current = false;  // the one the listing was asked with
};

struct IssuedToken {
  uint64_t id = 0;
  std::string secret;  // "reel_" + 64 hex digits; shown once, never stored
  TimeNs expires = 0;  // 0: never
};

// A change someone asks for through the API: checked against their rights inside the change's
// own transaction, and recorded under their request id, so that a retry after a lost reply
// answers what the first attempt did instead of applying twice (ids are kept a day).
struct TeamRequest {
  User caller;
  std::string id;   // the caller's request id (see ValidateRequestId); "" records nothing
  TimeNs now = 0;   // the server's clock
  // The mount or client that asks, as it names itself (Reel-Instance; same rule as ids), named
  // in the events of the change so that it can skip its own; "" when unnamed.
  std::string instance = {};
};

[[nodiscard]] Status ValidateTeamName(std::string_view what, std::string_view name);
// A principal: a user name, or "@" and a group name.
[[nodiscard]] Status ValidatePrincipal(std::string_view principal);
// A request id: 8 to 128 of [A-Za-z0-9._:-] (a UUID fits).
[[nodiscard]] Status ValidateRequestId(std::string_view id);

class TeamDirectory {
 public:
  // Opens the team tables of the PostgreSQL catalog database at `uri` (creating and migrating
  // the schema if needed: the namespace's too).
  [[nodiscard]] static Result<std::unique_ptr<TeamDirectory>> Open(const std::string& uri);
  ~TeamDirectory();
  TeamDirectory(const TeamDirectory&) = delete;
  TeamDirectory& operator=(const TeamDirectory&) = delete;

  // --- users and groups ---
  // Adds a user and their home workspace (a directory named after them, on-close sharing, the
  // user its admin). AlreadyExists if the name is taken by a user or a workspace.
  [[nodiscard]] Result<User> AddUser(const std::string& name, TimeNs now);
  [[nodiscard]] Result<User> FindUser(const std::string& name);
  [[nodiscard]] Result<std::vector<User>> ListUsers();
  [[nodiscard]] Status AddGroup(const std::string& name, TimeNs now);
  [[nodiscard]] Status AddToGroup(const std::string& group, const std::string& user);
  // Every group, by name, with its members.
  [[nodiscard]] Result<std::vector<GroupInfo>> ListGroups();

  // --- tokens ---
  // A new token for `user`; `expires` 0 for one that does not expire.
  [[nodiscard]] Result<IssuedToken> CreateToken(const std::string& user, TimeNs now,
                                                TimeNs expires);
  // The user a token belongs to. Unauthenticated for a malformed, unknown, revoked or expired
  // token (one message for all: a caller learns nothing about which).
  [[nodiscard]] Result<User> Authenticate(std::string_view secret, TimeNs now);
  // Revokes token `id` of `user` (NotFound if they have no such token): its next call fails.
  [[nodiscard]] Status RevokeToken(const std::string& user, uint64_t id, TimeNs now);
  // `user`'s tokens still valid at `now`, oldest first; `current`: the secret of the token the
  // caller used, marked in the list.
  [[nodiscard]] Result<std::vector<TokenInfo>> ListTokens(const User& user, TimeNs now,
                                                          std::string_view current);
  // Revokes the token whose secret is `secret` (a browser's session, at sign-out); nothing for
  // one that is unknown or no longer valid.
  [[nodiscard]] Status RevokeTokenSecret(std::string_view secret, TimeNs now);

  // --- workspaces and grants ---
  // A project workspace named `name` (its directory under the root; on-publish sharing), with
  // the caller its admin; `encrypted` gives it a new random key. AlreadyExists if the name is
  // taken (by a workspace, a user's home or any entry of the root).
  [[nodiscard]] Result<Workspace> CreateWorkspace(const std::string& name,
                                                  const TeamRequest& request,
                                                  bool encrypted = false);
  // The key of encrypted workspace `id` (kWorkspaceKeyBytes); NotFound for one that is not
  // encrypted. The caller authorises: only members may be handed it.
  [[nodiscard]] Result<std::vector<uint8_t>> WorkspaceKey(uint64_t id);
  [[nodiscard]] Result<Workspace> FindWorkspace(const std::string& name);
  // The workspaces `user` has a role in (own or through a group), by name.
  [[nodiscard]] Result<std::vector<WorkspaceAccess>> ListWorkspaces(const User& user);
  // `user`'s role in `workspace`: the highest of their own grant and their groups' (kNone if
  // none).
  [[nodiscard]] Result<Role> RoleOf(const User& user, uint64_t workspace);
  // Gives `principal` ("name" or "@group") `role` in `workspace`, replacing its grant; kNone
  // revokes it. NotFound for an unknown workspace or principal. A workspace keeps at least one
  // user with the admin role granted to them (a group's, which may be empty, does not count):
  // taking away the last one is InvalidArgument. With `request`, its caller must be an admin of
  // the workspace (PermissionDenied otherwise), checked in the same transaction.
  [[nodiscard]] Status SetGrant(const std::string& workspace, const std::string& principal,
                                Role role, const TeamRequest* request = nullptr);
  [[nodiscard]] Result<std::vector<GrantEntry>> ListGrants(const std::string& workspace);
  // Who made each of `versions` ((file, version number) of the team catalog; "" for one made
  // outside team mode); the ones that do not exist are left out. One query for all.
  [[nodiscard]] Result<std::map<std::pair<InodeId, uint64_t>, std::string>> VersionAuthors(
      const std::vector<std::pair<InodeId, uint64_t>>& versions);
  // What `workspace` stores, and on which tiers (team/workspace_storage.cc). One read of its
  // whole tree: for an admin's page, not for every call.
  [[nodiscard]] Result<WorkspaceStorage> StorageOf(const Workspace& workspace);
  // Changes the settings of `workspace` that are set (share: "on-close" or "on-publish";
  // InvalidArgument otherwise) and answers the workspace as it is then. With `request`, its
  // caller must be an admin of the workspace, as for SetGrant.
  [[nodiscard]] Result<Workspace> SetWorkspaceOptions(const std::string& workspace,
                                                      const WorkspaceOptions& options,
                                                      const TeamRequest* request = nullptr);

  // --- leases (team/leases.cc): work that one server of the team does at a time ---
  // Takes the lease `name` for `holder` until now + ttl, or renews it when `holder` has it.
  // Returns the fencing token it is held under, which grows by one each time the lease changes
  // hands (work done under an older token is stale); nullopt while another holder's lease runs.
  // Names and holders are checked as team names (ValidateTeamName); ttl > 0.
  [[nodiscard]] Result<std::optional<uint64_t>> TakeLease(const std::string& name,
                                                          const std::string& holder, TimeNs ttl,
                                                          TimeNs now);
  // Ends `holder`'s lease `name` at once, so another may take it; nothing when another holds it.
  [[nodiscard]] Status ReleaseLease(const std::string& name, const std::string& holder);

  // --- collection of unreferenced chunks (team/chunk_collection.cc; pg_schema.cc schema 14) ---
  // Marks up to `limit` chunk records unreferenced since before `cutoff` as being collected
  // under lease token `token`: from then on nobody else finds, references or records copies of
  // them. Returns how many it marked.
  [[nodiscard]] Result<uint64_t> MarkChunksCollecting(TimeNs cutoff, uint64_t token,
                                                     size_t limit);
  // Up to `limit` marked records, of any run (a collector that died left its marks).
  [[nodiscard]] Result<std::vector<ChunkRecord>> ListCollectingChunks(size_t limit);
  // Deletes a marked record once its objects are gone.
  [[nodiscard]] Status DeleteCollectedChunk(const ChunkId& id);

  // --- instances: the mounts of the team and how they are (team/instances.cc) ---
  // Records what instance `report.name` (a mount, as it names itself: the rule of request ids)
  // of the caller says of itself, seen at request.now. PermissionDenied when the name is another
  // user's instance or the caller has no role in its workspace.
  [[nodiscard]] Status ReportInstance(const InstanceReport& report, const TeamRequest& request);
  // The instances of the workspaces `user` has a role in (only `workspace`'s when it is set), by
  // workspace and name. `online` is false for one not seen for `stale` (its mount is gone).
  [[nodiscard]] Result<std::vector<InstanceInfo>> ListInstances(const User& user,
                                                                const std::string& workspace,
                                                                TimeNs now, TimeNs stale);

  // --- locks on files, shared by the mounts (team/locks.cc) ---
  // Takes, changes or releases (LockType::kUnlock) `lock` on file `ino` of `workspace` for
  // instance request.instance of the caller (PermissionDenied unless it is theirs and mounts
  // `workspace`), in its lock session `session`; 0 starts one when a lock is taken. A session
  // lives `lease` past its last use or renewal. Conflict when `session` has lapsed (or is not
  // the instance's): its locks are gone and the caller starts again with 0. When another
  // holder's lock conflicts, nothing changes and `conflict` says whose. `test`: only whether it
  // could be taken (F_GETLK). Records kLockTaken / kLockReleased when the instance comes to
  // hold a lock on the file or holds none any more, and kLockReleased for the locks of lapsed
  // sessions it finds on the file (they are dropped then). The caller checks that `ino` is a
  // regular file of the workspace.
  [[nodiscard]] Result<LockOutcome> SetLock(const Workspace& workspace, InodeId ino,
                                            const FileLock& lock, uint64_t session, bool test,
                                            TimeNs lease, const TeamRequest& request);
  // The live locks on `ino` of `workspace` (all its files' when `ino` is 0), by file.
  [[nodiscard]] Result<std::vector<LockHolderInfo>> ListLocks(const Workspace& workspace,
                                                              InodeId ino, TimeNs now);
  // Extends the caller's instance's session `session` to now + lease and answers its expiry.
  // Conflict when it lapsed (or is not theirs).
  [[nodiscard]] Result<TimeNs> RenewLockSession(uint64_t session, TimeNs lease,
                                                const TeamRequest& request);
  // Ends session `session` of the caller's instance: its locks go at once (kLockReleased).
  [[nodiscard]] Status EndLockSession(uint64_t session, const TeamRequest& request);

  // --- tasks sent to instances (team/tasks.cc) ---
  // Queues `kind` on `path` for `instance`: the caller must be a writer or admin of its
  // workspace; NotFound for an unknown instance; InvalidArgument for an unknown kind or a bad
  // path (relative, no "." or ".." component, at most 4096 bytes).
  [[nodiscard]] Result<TaskInfo> CreateTask(const std::string& instance, const std::string& kind,
                                            const std::string& path, const TeamRequest& request);
  // `instance`'s tasks (only those in `state` when it is set), oldest first, at most 100: for
  // its own user (who runs them) and the members of its workspace. A task queued or running on
  // an instance that is gone at `now` (reported offline, or not heard from for kInstanceStale)
  // is failed first, with why: that instance will never finish it.
  [[nodiscard]] Result<std::vector<TaskInfo>> ListTasks(const std::string& instance,
                                                        const std::string& state,
                                                        const User& caller, TimeNs now);
  // One task, for the same callers (failed first as in ListTasks).
  [[nodiscard]] Result<TaskInfo> GetTask(uint64_t id, const User& caller, TimeNs now);
  // The instance's user moves task `id` on: queued -> running -> done or failed (a task may go
  // from queued to failed or done at once); a finished task does not change (InvalidArgument).
  [[nodiscard]] Result<TaskInfo> UpdateTask(uint64_t id, const std::string& state,
                                            const std::string& message,
                                            const TeamRequest& request);

  // --- how far each event forwarder has delivered (team/forward_cursors.cc) ---
  // The seq of the last event forwarder `name` delivered (0: none yet).
  [[nodiscard]] Result<uint64_t> ForwardCursor(const std::string& name);
  // Moves forwarder `name`'s cursor to `seq` (never back), only while `holder` holds the lease
  // `lease` under fencing token `token`: Conflict when it does not (another server took over, so
  // what this one delivered since is the other's to redo).
  [[nodiscard]] Status SaveForwardCursor(const std::string& name, uint64_t seq,
                                         const std::string& lease, const std::string& holder,
                                         uint64_t token, TimeNs now);

  // --- the namespace (team/team_catalog.cc) ---
  // The team's catalog, on the directory's connections: every workspace is a directory of it.
  Catalog& catalog() { return *catalog_; }
  // Runs `change` on the team's catalog in one transaction with the record of `request`: the
  // change commits with its record or not at all, and a retry of the request id answers what the
  // first run answered without running it again. `what` names the call and its arguments (the
  // same id with another `what` is InvalidArgument). `change` is also handed a check of fencing
  // tokens inside the same transaction (LockFence). `change` returns the answer to record; it
  // may run more than once (a serialization failure reruns the whole transaction). An error from
  // `change` rolls everything back and records nothing.
  [[nodiscard]] Result<std::string> ChangeCatalog(
      const TeamRequest& request, const std::string& what,
      const std::function<Result<std::string>(Catalog&, const LockFence&)>& change);

 private:
  explicit TeamDirectory(std::unique_ptr<postgres::PgPool> pool);
  std::unique_ptr<postgres::PgPool> pool_;
  std::unique_ptr<Catalog> catalog_;  // on pool_
};

}  // namespace reel
