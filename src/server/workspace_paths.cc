#include "server/workspace_paths.h"

#include "catalog_rpc/catalog_json.h"
#include "common/names.h"

namespace reel::server_internal {

using nlohmann::json;

namespace {

Status NoSuchEntry(const std::string& path, const std::string& ws) {
  return Status::NotFound(path + ": no such file or folder in workspace \"" + ws + "\"");
}

}  // namespace

Result<std::pair<std::string, Attributes>> ResolveInWorkspace(Catalog& view,
                                                              const std::string& raw,
                                                              const std::string& ws) {
  REEL_ASSIGN_OR_RETURN(std::string path, ValidateDrivePath(raw));
  REEL_ASSIGN_OR_RETURN(Attributes at, view.GetAttributes(kRootInode));
  REEL_ASSIGN_OR_RETURN(std::vector<std::string> parts, SplitRelativePath(path));
  for (const std::string& name : parts) {
    if (at.type != FileType::kDirectory) {
      return Status::NotDirectory(path + ": a part of the path is a file, not a folder");
    }
    Result<Attributes> next = view.Lookup(at.ino, name);
    if (next.status().code() == Code::kNotFound) return NoSuchEntry(path, ws);
    REEL_ASSIGN_OR_RETURN(at, std::move(next));
  }
  return std::make_pair(path, at);
}

Result<NewName> NewNameInWorkspace(Catalog& view, const std::string& raw, const std::string& ws,
                                   bool exists_ok) {
  REEL_ASSIGN_OR_RETURN(std::string path, ValidateDrivePath(raw));
  if (path.empty()) return Status::InvalidArgument("name a path inside the workspace, not its root");
  const size_t slash = path.find_last_of('/');
  NewName out;
  out.path = path;
  out.name = slash == std::string::npos ? path : path.substr(slash + 1);
  REEL_ASSIGN_OR_RETURN(auto folder,
                        ResolveInWorkspace(view, slash == std::string::npos ? "" : path.substr(0, slash), ws));
  if (folder.second.type != FileType::kDirectory) {
    return Status::NotDirectory(folder.first + " is a file, not a folder");
  }
  out.parent = folder.second.ino;
  Result<Attributes> taken = view.Lookup(out.parent, out.name);
  if (taken.ok()) {
    if (!exists_ok) return Status::AlreadyExists(path + " exists: nothing is replaced");
    out.existing = *taken;
  } else if (taken.status().code() != Code::kNotFound) {
    return taken.status();
  }
  return out;
}

Result<NewName> EntryInWorkspace(Catalog& view, const std::string& raw, const std::string& ws) {
  REEL_ASSIGN_OR_RETURN(NewName at, NewNameInWorkspace(view, raw, ws, /*exists_ok=*/true));
  if (!at.existing) return NoSuchEntry(at.path, ws);
  return at;
}

json EntryJson(const std::string& name, const Attributes& attr, const std::string& author) {
  json j = attr;
  j["name"] = BytesJson(name);
  j["user"] = author;
  return j;
}

json WorkspaceEntryJson(const std::string& path, const Attributes& attr,
                        const std::string& author) {
  json j = EntryJson(path.substr(path.find_last_of('/') + 1), attr, author);
  j["path"] = path;
  return j;
}

}  // namespace reel::server_internal
