// Team API: what the web app changes in a workspace, by path, with the shapes of a drive's web
// API (web/web_server.h), each in one transaction recorded under its request id:
//   POST /v1/workspaces/W/folders {path}            Entry: a new folder
//   POST /v1/workspaces/W/delete {path}             {"trashed","removed"}: a file into the
//                                                   trash; a folder with everything in it
//   POST /v1/workspaces/W/move {from, to}           Entry at `to` (nothing is replaced)
//   POST /v1/workspaces/W/trash/restore {id, path?} {"path","attr"}: back where it was (its
//                                                   folders made again), or to `path`
//   POST /v1/workspaces/W/restore {path, version}   VersionInfo: version N's content again
//   POST /v1/workspaces/W/save {path, message?}     VersionInfo: a named checkpoint
// Writers and admins only (WorkspaceCatalog refuses a reader). A version made here is the
// caller's, made from what they see, as their mount's save would be: the mounts of the
// workspace take it from the change feed as another machine's save.
#include <optional>

#include "catalog_rpc/catalog_json.h"
#include "chunking/sha256.h"
#include "common/names.h"
#include "server/server_routes.h"
#include "server/workspace_paths.h"

namespace reel::server_internal {

using nlohmann::json;

namespace {

// A folder deleted from the app holds at most this many entries, all of them in one
// transaction; a larger one is deleted on a mount.
constexpr size_t kMaxDeletedEntries = 10'000;
constexpr size_t kReadDirPage = 1000;

// What a change's request id is recorded for: the route, the workspace and the body's digest.
std::string ChangeName(const char* route, const std::string& workspace, const json& body) {
  const std::string dumped = body.dump();
  return std::string("web ") + route + " " + workspace + " " +
         Sha256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(dumped.data()),
                                         dumped.size()))
             .Hex();
}

// A change: `change` runs on the caller's view of workspace W (the route's first match) inside
// the transaction that records it, and answers JSON.
using WebChange = std::function<Result<json>(WorkspaceCatalog& view, const Workspace& w,
                                             const json& body, TimeNs now)>;

void ChangeRoute(httplib::Server& server, ServerContext& ctx, const char* name,
                 std::initializer_list<const char*> fields, WebChange change) {
  Route(server, ctx, "POST", std::string("/v1/workspaces/([^/]+)/") + name,
        [&ctx, name, fields = std::vector<const char*>(fields), change = std::move(change)](
            const httplib::Request& req, const TeamRequest& request) -> Result<json> {
    REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
    REEL_ASSIGN_OR_RETURN(std::string ws, NameParam(req, 1, "workspace"));
    REEL_ASSIGN_OR_RETURN(json body, http::BodyJson(req));
    REEL_RETURN_IF_ERROR(http::CheckFields(body, fields));
    REEL_ASSIGN_OR_RETURN(auto member, MemberOf(ctx, ws, request.caller));
    const auto& [workspace, role] = member;
    // Before anything is looked up: a reader learns nothing from why a change would fail.
    if (role < Role::kWriter) {
      return Status::PermissionDenied("you are a reader in workspace \"" + ws +
                                      "\": a change needs the writer role");
    }
    REEL_ASSIGN_OR_RETURN(
        std::string answer,
        ctx.team->ChangeCatalog(request, ChangeName(name, ws, body),
                                [&](Catalog& in_txn, const LockFence& fence)
                                    -> Result<std::string> {
                                  WorkspaceCatalog view(in_txn, workspace, role, *ctx.index,
                                                        request.caller.name, &fence);
                                  REEL_ASSIGN_OR_RETURN(json out,
                                                        change(view, workspace, body,
                                                               request.now));
                                  return out.dump();
                                }));
    return json::parse(answer);
  });
}

// Everything in folder `dir` (the team catalog's number), every page.
Result<std::vector<DirEntry>> AllEntries(Catalog& view, InodeId dir, size_t limit) {
  std::vector<DirEntry> all;
  for (uint64_t after = 0;;) {
    REEL_ASSIGN_OR_RETURN(std::vector<DirEntry> page, view.ReadDir(dir, after, kReadDirPage));
    all.insert(all.end(), page.begin(), page.end());
    if (all.size() > limit) {
      return Status::InvalidArgument("the folder holds more than " + std::to_string(limit) +
                                     " entries: delete it on a mount");
    }
    if (page.size() < kReadDirPage) return all;
    after = page.back().cookie;
  }
}

struct Deleted {
  uint64_t trashed = 0;
  uint64_t removed = 0;
  size_t budget = kMaxDeletedEntries;
};

// Deletes `name` in `parent`: a file into the trash, a folder after everything in it.
Status DeleteEntry(Catalog& view, InodeId parent, const std::string& name, const Attributes& at,
                   TimeNs now, Deleted& done) {
  if (done.budget == 0) {
    return Status::InvalidArgument("the folder holds more than " +
                                   std::to_string(kMaxDeletedEntries) +
                                   " entries: delete it on a mount");
  }
  --done.budget;
  if (at.type != FileType::kDirectory) {
    REEL_ASSIGN_OR_RETURN(UnlinkResult r, view.Unlink(parent, name, now));
    (r.trash_id ? done.trashed : done.removed) += 1;
    return Status::Ok();
  }
  REEL_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, AllEntries(view, at.ino, done.budget));
  for (const DirEntry& e : entries) {
    REEL_RETURN_IF_ERROR(DeleteEntry(view, at.ino, e.name, e.attr, now, done));
  }
  REEL_RETURN_IF_ERROR(view.RemoveDir(parent, name, now));
  ++done.removed;
  return Status::Ok();
}

// The folder at `path` (made, with the ones above it, when missing).
Result<InodeId> MakeFolders(Catalog& view, const std::string& path, const Attributes& root,
                            TimeNs now) {
  REEL_ASSIGN_OR_RETURN(std::vector<std::string> parts, SplitRelativePath(path));
  Attributes at = root;
  for (const std::string& name : parts) {
    Result<Attributes> next = view.Lookup(at.ino, name);
    if (next.status().code() == Code::kNotFound) {
      next = view.CreateNode(at.ino, name, NewNode{FileType::kDirectory, 0755, at.uid, at.gid, {}},
                             now);
    }
    REEL_ASSIGN_OR_RETURN(at, std::move(next));
    if (at.type != FileType::kDirectory) {
      return Status::NotDirectory(path + ": " + name + " is a file, not a folder");
    }
  }
  return at.ino;
}

// A new version of the file at `path` made of version `from`'s chunks (none: the version the
// caller sees): `kind` with `message`, on the version the caller sees (a conflict when another's
// save replaced it meanwhile, by the workspace's policy).
Result<json> CommitFrom(WorkspaceCatalog& view, const std::string& ws, const std::string& raw,
                        std::optional<uint64_t> from, VersionKind kind,
                        const std::string& message, TimeNs now) {
  REEL_ASSIGN_OR_RETURN(auto found, ResolveInWorkspace(view, raw, ws));
  const auto& [path, attr] = found;
  if (attr.type != FileType::kRegular) return Status::IsDirectory(path + " is not a file");
  if (attr.version == 0) {
    return Status::NotFound(path + " has no version yet (a version is made when it is saved)");
  }
  REEL_ASSIGN_OR_RETURN(Version current, view.GetVersion(attr.ino, attr.version));
  Version source = current;
  if (from && *from != attr.version) {
    Result<Version> old = view.GetVersion(attr.ino, *from);
    if (old.status().code() == Code::kNotFound) {
      return Status::NotFound(path + " has no version " + std::to_string(*from) +
                              " that you can see");
    }
    REEL_ASSIGN_OR_RETURN(source, std::move(old));
  }
  NewVersion v;
  v.size = source.info.size;
  v.chunks = source.chunks;
  v.kind = kind;
  v.message = message;
  v.mtime = now;
  v.base = current.info.id;
  REEL_ASSIGN_OR_RETURN(VersionInfo made, view.CommitVersion(attr.ino, v, now));
  return json(made);
}

}  // namespace

void RegisterWebChangeRoutes(httplib::Server& server, ServerContext& ctx) {
  ChangeRoute(server, ctx, "folders", {"path"},
              [](WorkspaceCatalog& view, const Workspace& w, const json& body,
                 TimeNs now) -> Result<json> {
    REEL_ASSIGN_OR_RETURN(std::string raw, http::StringField(body, "path"));
    REEL_ASSIGN_OR_RETURN(NewName at, NewNameInWorkspace(view, raw, w.name));
    REEL_ASSIGN_OR_RETURN(Attributes parent, view.GetAttributes(at.parent));
    REEL_ASSIGN_OR_RETURN(
        Attributes made,
        view.CreateNode(at.parent, at.name,
                        NewNode{FileType::kDirectory, 0755, parent.uid, parent.gid, {}}, now));
    return WorkspaceEntryJson(at.path, made, "");
  });
  ChangeRoute(server, ctx, "delete", {"path"},
              [](WorkspaceCatalog& view, const Workspace& w, const json& body,
                 TimeNs now) -> Result<json> {
    REEL_ASSIGN_OR_RETURN(std::string raw, http::StringField(body, "path"));
    REEL_ASSIGN_OR_RETURN(NewName at, EntryInWorkspace(view, raw, w.name));
    Deleted done;
    REEL_RETURN_IF_ERROR(DeleteEntry(view, at.parent, at.name, *at.existing, now, done));
    return json{{"trashed", done.trashed}, {"removed", done.removed}};
  });
  ChangeRoute(server, ctx, "move", {"from", "to"},
              [](WorkspaceCatalog& view, const Workspace& w, const json& body,
                 TimeNs now) -> Result<json> {
    REEL_ASSIGN_OR_RETURN(std::string from_raw, http::StringField(body, "from"));
    REEL_ASSIGN_OR_RETURN(std::string to_raw, http::StringField(body, "to"));
    REEL_ASSIGN_OR_RETURN(NewName from, EntryInWorkspace(view, from_raw, w.name));
    REEL_ASSIGN_OR_RETURN(NewName to, NewNameInWorkspace(view, to_raw, w.name));
    REEL_RETURN_IF_ERROR(
        view.Rename(from.parent, from.name, to.parent, to.name, RenameMode::kNoReplace, now)
            .status());
    REEL_ASSIGN_OR_RETURN(Attributes moved, view.Lookup(to.parent, to.name));
    return WorkspaceEntryJson(to.path, moved, "");
  });
  ChangeRoute(server, ctx, "trash/restore", {"id", "path"},
              [](WorkspaceCatalog& view, const Workspace& w, const json& body,
                 TimeNs now) -> Result<json> {
    REEL_ASSIGN_OR_RETURN(uint64_t id, http::PositiveField(body, "id"));
    REEL_ASSIGN_OR_RETURN(std::vector<TrashEntry> trash, view.ListTrash());
    auto entry = std::find_if(trash.begin(), trash.end(),
                              [&](const TrashEntry& e) { return e.id == id; });
    if (entry == trash.end()) {
      return Status::NotFound("no entry " + std::to_string(id) + " in the trash of workspace \"" +
                              w.name + "\"");
    }
    const std::string none;
    REEL_ASSIGN_OR_RETURN(std::string raw, http::StringField(body, "path", &none));
    REEL_ASSIGN_OR_RETURN(std::string path,
                          ValidateDrivePath(raw.empty() ? entry->original_path : raw));
    if (path.empty()) return Status::InvalidArgument("restore to a path inside the workspace");
    const size_t slash = path.find_last_of('/');
    REEL_ASSIGN_OR_RETURN(Attributes root, view.GetAttributes(kRootInode));
    REEL_ASSIGN_OR_RETURN(
        InodeId parent,
        MakeFolders(view, slash == std::string::npos ? "" : path.substr(0, slash), root, now));
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    REEL_ASSIGN_OR_RETURN(Attributes back, view.RestoreFromTrash(id, parent, name, now));
    return json{{"path", path}, {"attr", back}};
  });
  ChangeRoute(server, ctx, "restore", {"path", "version"},
              [](WorkspaceCatalog& view, const Workspace& w, const json& body,
                 TimeNs now) -> Result<json> {
    REEL_ASSIGN_OR_RETURN(std::string raw, http::StringField(body, "path"));
    REEL_ASSIGN_OR_RETURN(uint64_t number, http::PositiveField(body, "version"));
    return CommitFrom(view, w.name, raw, number, VersionKind::kRestore,
                      "restored from version " + std::to_string(number), now);
  });
  ChangeRoute(server, ctx, "save", {"path", "message"},
              [](WorkspaceCatalog& view, const Workspace& w, const json& body,
                 TimeNs now) -> Result<json> {
    REEL_ASSIGN_OR_RETURN(std::string raw, http::StringField(body, "path"));
    const std::string none;
    REEL_ASSIGN_OR_RETURN(std::string message, http::StringField(body, "message", &none));
    return CommitFrom(view, w.name, raw, std::nullopt, VersionKind::kCheckpoint, message, now);
  });
}

}  // namespace reel::server_internal
