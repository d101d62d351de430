#include "remote/cached_catalog.h"

#include <algorithm>

namespace reel {

CachedCatalog::CachedCatalog(std::unique_ptr<Catalog> inner, std::chrono::milliseconds ttl)
    : CatalogWrapper(std::move(inner)), ttl_(ttl) {}

void CachedCatalog::KeepAttributes(const Attributes& a, Clock::time_point until) {
  attrs_[a.ino] = {a, until};
}

void CachedCatalog::Forget() {
  std::lock_guard<std::mutex> lock(mu_);
  attrs_.clear();
  names_.clear();
  xattrs_.clear();
  xattr_names_.clear();
}

Result<Attributes> CachedCatalog::Lookup(InodeId parent, const std::string& name) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto now = Clock::now();
    auto n = names_.find({parent, name});
    if (n != names_.end() && n->second.until > now) {
      auto a = attrs_.find(n->second.value);
      if (a != attrs_.end() && a->second.until > now) return a->second.value;
    }
  }
  REEL_ASSIGN_OR_RETURN(Attributes a, inner()->Lookup(parent, name));
  std::lock_guard<std::mutex> lock(mu_);
  const auto until = Clock::now() + ttl_;
  names_[{parent, name}] = {a.ino, until};
  KeepAttributes(a, until);
  return a;
}

Result<Attributes> CachedCatalog::GetAttributes(InodeId ino) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto a = attrs_.find(ino);
    if (a != attrs_.end() && a->second.until > Clock::now()) return a->second.value;
  }
  REEL_ASSIGN_OR_RETURN(Attributes a, inner()->GetAttributes(ino));
  std::lock_guard<std::mutex> lock(mu_);
  KeepAttributes(a, Clock::now() + ttl_);
  return a;
}

Result<std::vector<DirEntry>> CachedCatalog::ReadDir(InodeId parent, uint64_t after, size_t limit) {
  REEL_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, inner()->ReadDir(parent, after, limit));
  // The entries' xattr names come along in one more call, so that the probes `ls -l` makes of
  // every file are answered here.
  std::vector<InodeId> inos;
  inos.reserve(entries.size());
  for (const DirEntry& e : entries) inos.push_back(e.attr.ino);
  Result<std::vector<std::vector<std::string>>> xattr_names =
      entries.empty() ? std::vector<std::vector<std::string>>() : inner()->ListXattrsOf(inos);
  std::lock_guard<std::mutex> lock(mu_);
  const auto until = Clock::now() + ttl_;
  for (size_t i = 0; i < entries.size(); ++i) {
    const DirEntry& e = entries[i];
    names_[{parent, e.name}] = {e.attr.ino, until};
    KeepAttributes(e.attr, until);
    if (xattr_names.ok() && i < xattr_names->size()) {
      xattr_names_[e.attr.ino] = {(*xattr_names)[i], until};
    }
  }
  return entries;
}

Result<std::string> CachedCatalog::GetXattr(InodeId ino, const std::string& name) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto x = xattrs_.find({ino, name});
    if (x != xattrs_.end() && x->second.until > Clock::now()) return x->second.value;
    auto listed = xattr_names_.find(ino);
    if (listed != xattr_names_.end() && listed->second.until > Clock::now() &&
        std::find(listed->second.value.begin(), listed->second.value.end(), name) ==
            listed->second.value.end()) {
      return Status(Code::kNoData, "no xattr \"" + name + "\"");
    }
  }
  Result<std::string> got = inner()->GetXattr(ino, name);
  if (got.ok() || got.status().code() == Code::kNoData) {
    std::lock_guard<std::mutex> lock(mu_);
    xattrs_.insert_or_assign({ino, name}, Kept<Result<std::string>>{got, Clock::now() + ttl_});
  }
  return got;
}

// Changes: forget everything kept, then change (a call that fails may still have changed
// something on the server before its reply was lost).

Result<Attributes> CachedCatalog::CreateNode(InodeId parent, const std::string& name,
                                             const NewNode& node, TimeNs now) {
  Forget();
  return inner()->CreateNode(parent, name, node, now);
}

Result<Attributes> CachedCatalog::Link(InodeId ino, InodeId new_parent, const std::string& new_name,
                                       TimeNs now) {
  Forget();
  return inner()->Link(ino, new_parent, new_name, now);
}

Result<UnlinkResult> CachedCatalog::Unlink(InodeId parent, const std::string& name, TimeNs now) {
  Forget();
  return inner()->Unlink(parent, name, now);
}

Status CachedCatalog::RemoveDir(InodeId parent, const std::string& name, TimeNs now) {
  Forget();
  return inner()->RemoveDir(parent, name, now);
}

Result<RenameResult> CachedCatalog::Rename(InodeId old_parent, const std::string& old_name,
                                           InodeId new_parent, const std::string& new_name,
                                           RenameMode mode, TimeNs now) {
  Forget();
  return inner()->Rename(old_parent, old_name, new_parent, new_name, mode, now);
}

Result<Attributes> CachedCatalog::SetAttributes(InodeId ino, const AttrUpdate& update, TimeNs now) {
  Forget();
  return inner()->SetAttributes(ino, update, now);
}

Result<VersionInfo> CachedCatalog::CommitVersion(InodeId ino, const NewVersion& v, TimeNs now) {
  Forget();
  return inner()->CommitVersion(ino, v, now);
}

Status CachedCatalog::SetXattr(InodeId ino, const std::string& name, const std::string& value,
                               bool create_only, bool replace_only) {
  Forget();
  return inner()->SetXattr(ino, name, value, create_only, replace_only);
}

Status CachedCatalog::RemoveXattr(InodeId ino, const std::string& name) {
  Forget();
  return inner()->RemoveXattr(ino, name);
}

Result<Attributes> CachedCatalog::RestoreFromTrash(uint64_t trash_id, InodeId parent,
                                                   const std::string& name, TimeNs now) {
  Forget();
  return inner()->RestoreFromTrash(trash_id, parent, name, now);
}

Result<uint64_t> CachedCatalog::PurgeTrash(TimeNs cutoff, const std::vector<InodeId>& keep,
                                           TimeNs now) {
  Forget();
  return inner()->PurgeTrash(cutoff, keep, now);
}

}  // namespace reel
