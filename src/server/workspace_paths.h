// Internal to reel_server: paths inside a workspace as the web app's routes take them (from its
// root, "" for the root; checked as a drive's paths are: common/names.h), resolved on a
// member's view of it, and its entries as the app shows them.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "common/status.h"

namespace reel::server_internal {

// The entry at `raw` and the path normalised; NotFound naming the path and workspace `ws`.
[[nodiscard]] Result<std::pair<std::string, Attributes>> ResolveInWorkspace(
    Catalog& view, const std::string& raw, const std::string& ws);

// A name in a folder: its folder (which must exist), its name, the path normalised, and the
// entry that has the name, if any.
struct NewName {
  InodeId parent = 0;
  std::string name;
  std::string path;
  std::optional<Attributes> existing;
};
// Where a new name goes: AlreadyExists when the name is taken, unless `exists_ok`;
// InvalidArgument for the root.
[[nodiscard]] Result<NewName> NewNameInWorkspace(Catalog& view, const std::string& raw,
                                                 const std::string& ws, bool exists_ok = false);
// An entry that exists, with its folder and name (NotFound as ResolveInWorkspace's; the root is
// InvalidArgument): what a delete or a move starts from.
[[nodiscard]] Result<NewName> EntryInWorkspace(Catalog& view, const std::string& raw,
                                               const std::string& ws);

// An entry as the app shows it: the catalog's attributes, "name", and "user": who made the
// version of it shown (a uid is the writing machine's, which names nobody on the team).
[[nodiscard]] nlohmann::json EntryJson(const std::string& name, const Attributes& attr,
                                       const std::string& author);
// The same with "path" (its name is the path's last part).
[[nodiscard]] nlohmann::json WorkspaceEntryJson(const std::string& path, const Attributes& attr,
                                                const std::string& author);

}  // namespace reel::server_internal
