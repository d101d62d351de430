// What the files of the catalog's transaction logic (catalog_txn.cc, catalog_txn_versions.cc)
// share: paths of names, the change events a transaction records, and inserting a node. Internal
// to the catalog: use catalog_txn.h.
#pragma once

#include <string>
#include <string_view>

#include "catalog/catalog_txn.h"

namespace reel::catalog_txn_internal {

[[nodiscard]] bool IsDir(const Attributes& a);
[[nodiscard]] std::string JoinPath(const std::string& dir, std::string_view name);
// The path of the name `name` in directory `dir`.
[[nodiscard]] Result<std::string> PathIn(CatalogTxn& tx, InodeId dir, std::string_view name);
// Adds `e` to the transaction's events, under the top-level directory its path starts with.
[[nodiscard]] Status Append(CatalogTxn& tx, const ChangeEvent& e);
// Event `kind` of `subject`, now at `path` (see ChangeEvent).
[[nodiscard]] ChangeEvent EventOf(ChangeKind kind, const Attributes& subject, std::string path,
                                  TimeNs now);
// Records event `kind` of `subject`, now named by `path` in directory `parent` (and before, for
// a rename, by `old_path` in `old_parent`).
[[nodiscard]] Status Record(CatalogTxn& tx, ChangeKind kind, const Attributes& subject,
                            InodeId parent, std::string path, TimeNs now, InodeId old_parent = 0,
                            std::string old_path = {});
// Event `kind` of `subject` named by its first name (none: a file in the trash).
[[nodiscard]] Result<ChangeEvent> EventAtFirstName(CatalogTxn& tx, ChangeKind kind,
                                                   const Attributes& subject, TimeNs now);
// AlreadyExists naming `name`.
[[nodiscard]] Status Exists(const std::string& name);
// Inserts the node `attr` (its number set, or 0 for a new one) as `name` in `dir`, and records
// its creation.
[[nodiscard]] Result<Attributes> InsertNode(CatalogTxn& tx, const Attributes& dir,
                                            const std::string& name, const NewNode& node,
                                            InodeId ino, TimeNs now);

}  // namespace reel::catalog_txn_internal
