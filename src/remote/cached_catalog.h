// CachedCatalog: what a team mount's engine runs on: the remote catalog with the answers it gave
// kept for a short time (`ttl`, 1 s by default), so that `ls -l` of a directory is one listing
// and not a call per name, attribute and extended-attribute probe:
//   - a listing keeps its entries' names, attributes and xattr names, and the entries in order
//     from the directory's start, so that the next pages of the same listing are answered here:
//     a page is asked of the server kReadDirPage entries at a time, whatever the reader's size;
//   - a lookup that misses loads its directory's listing (up to kListedEntries entries) and
//     answers from it, NotFound included when the listing was whole. The first page is read at
//     once; the next ones, when there are more, by a lister thread, while the lookups of names
//     already read are answered (a name not read yet waits for its page or the listing's end;
//     in a directory still queued behind another's listing, it is asked of the catalog):
//     `stat` of every file of a big directory goes on while the directory is still coming in;
//   - a change made through this catalog updates or forgets what it touched (a new name joins
//     its directory's listing; a failed change forgets the listing) and an answer that was on its
//     way while a change was made is not kept, so this machine always sees its own changes at
//     once;
//   - another machine's change is forgotten when the change feed tells of it (Forget, called by
//     remote/feed_follower.h's reader), and at the latest within `ttl` when the feed is out of
//     reach.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "catalog/catalog_wrapper.h"

namespace reel {

class CachedCatalog final : public CatalogWrapper {
 public:
  using Clock = std::chrono::steady_clock;
  // `clock` (tests): the time kept answers are measured by; unset: the steady clock.
  explicit CachedCatalog(std::unique_ptr<Catalog> inner,
                         std::chrono::milliseconds ttl = std::chrono::milliseconds(1000),
                         std::function<Clock::time_point()> clock = {});
  ~CachedCatalog() override;  // stops the lister after the listing it is reading

  Result<Attributes> Lookup(InodeId parent, const std::string& name) override;
  Result<Attributes> GetAttributes(InodeId ino) override;
  Result<std::vector<DirEntry>> ReadDir(InodeId parent, uint64_t after, size_t limit) override;
  Result<std::string> GetXattr(InodeId ino, const std::string& name) override;

  Result<Attributes> CreateNode(InodeId parent, const std::string& name, const NewNode& node,
                                TimeNs now) override;
  Result<std::vector<NodeCreated>> CreateNodes(const std::vector<NodeCreate>& creates) override;
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

  // Changes made elsewhere (the change feed): what they touched is no longer kept. A directory's
  // listing keeps the names it had but no longer answers NotFound, so a name made elsewhere is
  // asked for rather than the whole directory listed again.
  void Forget(const std::vector<ChangeEvent>& events);
  // Nothing kept is trusted any more (events were missed).
  void ForgetAll();

 private:
  template <typename T>
  struct Kept {
    T value;
    Clock::time_point until;
  };
  // Entries of one directory loaded by a lookup miss, at the most.
  static constexpr size_t kListedEntries = 16384;
  // Entries a ReadDir asks the server for at least (one call of each kind).
  static constexpr size_t kReadDirPage = 4096;
  // A directory's entries in order from its start, as far as they were read.
  struct Run {
    std::vector<DirEntry> entries;
    bool to_end = false;  // the directory has no entry after them
  };

  void KeepAttributes(const Attributes& a, Clock::time_point until);  // mu_ held
  void BeforeChange();
  // Runs `update` (under mu_) once a change has returned.
  void AfterChange(const std::function<void()>& update);
  // Forgets `name` in `parent`, the inode it named and the parent's attributes (mu_ held); the
  // parent's listing too unless the outcome of the change is known.
  void ForgetNameIn(InodeId parent, const std::string& name, bool outcome_known);
  // The generation of what is kept: an answer asked for in another generation is not kept.
  uint64_t Generation();
  // Lists `parent` into the cache: its first page here and, when there is more, the rest (up
  // to kListedEntries entries) by the lister. Whether the first page was all.
  Result<bool> LoadListing(InodeId parent);
  // Reads `parent`'s listing into the cache, page by page, up to `most` entries; whether that
  // was all. Lookups waiting for the listing look again after each page.
  Result<bool> ReadListing(InodeId parent, size_t most);
  // The lister thread: reads the rest of the listings LoadListing queued.
  void ListInBackground();
  // A kept answer to Lookup(parent, name), waiting while `parent` is being listed for the page
  // with the name or the listing's end; nullopt when nothing fresh is kept then.
  std::optional<Result<Attributes>> WaitForListing(InodeId parent, const std::string& name);
  // Whether `parent` is queued for the lister or being read by it (mu_ held).
  bool BeingListed(InodeId parent) const;
  // A kept answer to Lookup(parent, name): the attributes, NotFound from a whole listing, or
  // nullopt when nothing fresh is kept.
  std::optional<Result<Attributes>> KeptLookup(InodeId parent, const std::string& name);
  std::optional<Result<Attributes>> KeptLookupLocked(InodeId parent, const std::string& name);
  // ReadDir(parent, after, limit) from a fresh kept run, with the freshest attributes kept; nullopt
  // when the run does not reach that far.
  std::optional<std::vector<DirEntry>> KeptPage(InodeId parent, uint64_t after, size_t limit);
  // The fresh kept run of `parent` that has entries and does not reach the directory's end
  // (the next server page extends it); nullptr when there is none. mu_ held.
  Run* ExtendableRun(InodeId parent);

  Clock::time_point Now() const { return clock_ ? clock_() : Clock::now(); }

  const std::chrono::milliseconds ttl_;
  const std::function<Clock::time_point()> clock_;
  std::mutex mu_;            // guards generation_, the lister's queue and the maps below
  uint64_t generation_ = 0;  // + 1 at every Forget
  // Directories whose rest the lister is to read, the one it reads first (popped when done).
  std::deque<InodeId> to_list_;
  InodeId reading_ = 0;  // the one being read (0: none)
  bool stopping_ = false;
  std::condition_variable to_list_changed_;  // to_list_ or stopping_
  std::condition_variable page_read_;        // a page of a listing kept, or a listing's end
  std::thread lister_;                       // started by the first listing with more pages
  std::unordered_map<InodeId, Kept<bool>> listed_;  // directories loaded: whether whole
  // Directories' entries in order; any change forgets them all (cheap to read again, and a
  // change may alter an entry's attributes without naming its directory).
  std::unordered_map<InodeId, Kept<Run>> runs_;
  std::unordered_map<InodeId, Kept<Attributes>> attrs_;
  std::map<std::pair<InodeId, std::string>, Kept<InodeId>> names_;  // (parent, name) -> child
  // (ino, xattr name) -> its value, or the NoData answer
  std::map<std::pair<InodeId, std::string>, Kept<Result<std::string>>> xattrs_;
  // ino -> the names of its xattrs, for the entries of the listings read
  std::unordered_map<InodeId, Kept<std::vector<std::string>>> xattr_names_;
};

}  // namespace reel
