// CachedCatalog: what a team mount's engine runs on: the remote catalog with the answers it gave
// kept for a short time (`ttl`, 1 s by default), so that `ls -l` of a directory is one listing
// and not a call per name, attribute and extended-attribute probe. A change made through this
// catalog forgets everything kept, so this machine always sees its own changes at once; another
// machine's change is seen within `ttl` (as in JuiceFS's default client cache; the change feed
// will tell instances at once). Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "catalog/catalog_wrapper.h"

namespace reel {

class CachedCatalog final : public CatalogWrapper {
 public:
  explicit CachedCatalog(std::unique_ptr<Catalog> inner,
                         std::chrono::milliseconds ttl = std::chrono::milliseconds(1000));

  Result<Attributes> Lookup(InodeId parent, const std::string& name) override;
  Result<Attributes> GetAttributes(InodeId ino) override;
  Result<std::vector<DirEntry>> ReadDir(InodeId parent, uint64_t after, size_t limit) override;
  Result<std::string> GetXattr(InodeId ino, const std::string& name) override;

  Result<Attributes> CreateNode(InodeId parent, const std::string& name, const NewNode& node,
                                TimeNs now) override;
  Result<Attributes> Link(InodeId ino, InodeId new_parent, const std::string& new_name,
                          TimeNs now) override;
  Result<UnlinkResult> Unlink(InodeId parent, const std::string& name, TimeNs now) override;
  Status RemoveDir(InodeId parent, const std::string& name, TimeNs now) override;
  Result<RenameResult> Rename(InodeId old_parent, const std::string& old_name, InodeId new_parent,
                              const std::string& new_name, RenameMode mode, TimeNs now) override;
  Result<Attributes> SetAttributes(InodeId ino, const AttrUpdate& update, TimeNs now) override;
  Result<VersionInfo> CommitVersion(InodeId ino, const NewVersion& v, TimeNs now) override;
  Status SetXattr(InodeId ino, const std::string& name, const std::string& value, bool create_only,
                  bool replace_only) override;
  Status RemoveXattr(InodeId ino, const std::string& name) override;
  Result<Attributes> RestoreFromTrash(uint64_t trash_id, InodeId parent, const std::string& name,
                                      TimeNs now) override;
  Result<uint64_t> PurgeTrash(TimeNs cutoff, const std::vector<InodeId>& keep, TimeNs now) override;

 private:
  using Clock = std::chrono::steady_clock;
  template <typename T>
  struct Kept {
    T value;
    Clock::time_point until;
  };
  void KeepAttributes(const Attributes& a, Clock::time_point until);  // mu_ held
  void Forget();

  const std::chrono::milliseconds ttl_;
  std::mutex mu_;  // guards the maps below
  std::unordered_map<InodeId, Kept<Attributes>> attrs_;
  std::map<std::pair<InodeId, std::string>, Kept<InodeId>> names_;  // (parent, name) -> child
  // (ino, xattr name) -> its value, or the NoData answer
  std::map<std::pair<InodeId, std::string>, Kept<Result<std::string>>> xattrs_;
  // ino -> the names of its xattrs, for the entries of the listings read
  std::unordered_map<InodeId, Kept<std::vector<std::string>>> xattr_names_;
};

}  // namespace reel
