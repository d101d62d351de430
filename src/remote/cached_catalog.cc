#include "remote/cached_catalog.h"

#include <algorithm>
#include <filesystem>

#include "common/names.h"

namespace reel {

CachedCatalog::CachedCatalog(std::unique_ptr<Catalog> inner, std::chrono::milliseconds ttl,
                             std::function<Clock::time_point()> clock)
    : CatalogWrapper(std::move(inner)), ttl_(ttl), clock_(std::move(clock)) {}

CachedCatalog::~CachedCatalog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  to_list_changed_.notify_all();
  if (lister_.joinable()) lister_.join();
}

void CachedCatalog::KeepAttributes(const Attributes& a, Clock::time_point until) {
  attrs_[a.ino] = {a, until};
}

uint64_t CachedCatalog::Generation() {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

std::optional<Result<Attributes>> CachedCatalog::KeptLookup(InodeId parent,
                                                            const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  return KeptLookupLocked(parent, name);
}

std::optional<Result<Attributes>> CachedCatalog::KeptLookupLocked(InodeId parent,
                                                                  const std::string& name) {
  const auto now = Now();
  auto n = names_.find({parent, name});
  if (n != names_.end() && n->second.until > now) {
    auto a = attrs_.find(n->second.value);
    if (a != attrs_.end() && a->second.until > now) return Result<Attributes>(a->second.value);
    return std::nullopt;  // the name is there; its attributes are to be asked for
  }
  auto listed = listed_.find(parent);
  if (listed != listed_.end() && listed->second.until > now && listed->second.value) {
    return Result<Attributes>(
        Status::NotFound("no entry \"" + name + "\" in directory " + std::to_string(parent)));
  }
  return std::nullopt;
}

Result<bool> CachedCatalog::LoadListing(InodeId parent) {
  REEL_ASSIGN_OR_RETURN(bool whole, ReadListing(parent, kReadDirPage));
  if (whole) return true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    if (!lister_.joinable()) lister_ = std::thread([this] { ListInBackground(); });
    if (!BeingListed(parent)) to_list_.push_back(parent);
  }
  to_list_changed_.notify_one();
  return false;
}

void CachedCatalog::ListInBackground() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    to_list_changed_.wait(lock, [this] { return stopping_ || !to_list_.empty(); });
    if (stopping_) return;
    const InodeId parent = to_list_.front();
    reading_ = parent;
    lock.unlock();
    // The first page comes from the run LoadListing kept. A failure leaves the waiting lookups
    // to ask the catalog themselves.
    (void)ReadListing(parent, kListedEntries);
    lock.lock();
    to_list_.pop_front();
    reading_ = 0;
    page_read_.notify_all();
  }
}

Result<bool> CachedCatalog::ReadListing(InodeId parent, size_t most) {
  const uint64_t generation = Generation();
  std::vector<std::string> names;
  uint64_t cookie = 0;
  while (names.size() < most) {
    REEL_ASSIGN_OR_RETURN(std::vector<DirEntry> page,
                          ReadDir(parent, cookie, std::min(kReadDirPage, most - names.size())));
    if (page.empty()) break;
    for (DirEntry& e : page) names.push_back(std::move(e.name));
    cookie = page.back().cookie;
    page_read_.notify_all();
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;  // unmounting: not a page more (the server may be away)
  }
  const bool whole = names.size() < most;
  std::lock_guard<std::mutex> lock(mu_);
  if (generation_ != generation) return whole;
  // A listing answers NotFound only while every name it held is kept: it expires with the
  // oldest of them (pages kept from earlier, or the first page of a load that took a while).
  auto until = Now() + ttl_;
  for (const std::string& name : names) {
    auto n = names_.find({parent, name});
    if (n == names_.end()) return whole;  // no longer kept: the listing answers nothing
    until = std::min(until, n->second.until);
  }
  // Listed as far as it will be (a bigger directory is not listed again at every miss); a first
  // page with more after it is not: the lister goes on.
  if (whole || most >= kListedEntries) listed_[parent] = {whole, until};
  return whole;
}

bool CachedCatalog::BeingListed(InodeId parent) const {
  return std::find(to_list_.begin(), to_list_.end(), parent) != to_list_.end();
}

std::optional<Result<Attributes>> CachedCatalog::WaitForListing(InodeId parent,
                                                                const std::string& name) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (auto kept = KeptLookupLocked(parent, name)) return kept;
    // Asked of the catalog at once: a name read already whose answer is no longer fresh, or a
    // directory still queued behind another's listing.
    if (!BeingListed(parent) || reading_ != parent ||
        names_.contains({parent, name})) {
      return std::nullopt;
    }
    page_read_.wait(lock);
  }
}

Result<Attributes> CachedCatalog::Lookup(InodeId parent, const std::string& name) {
  REEL_RETURN_IF_ERROR(ValidateName(name));  // a bad name gets its own answer, not NotFound
  if (auto kept = KeptLookup(parent, name)) return *kept;
  bool listed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto l = listed_.find(parent);
    listed = (l != listed_.end() && l->second.until > Now()) || BeingListed(parent);
  }
  // A first lookup in a directory brings the directory: the next ones are answered here.
  if (!listed) (void)LoadListing(parent);
  if (auto kept = WaitForListing(parent, name)) return *kept;
  const uint64_t generation = Generation();
  REEL_ASSIGN_OR_RETURN(Attributes a, inner()->Lookup(parent, name));
  std::lock_guard<std::mutex> lock(mu_);
  if (generation_ != generation) return a;
  const auto until = Now() + ttl_;
  names_[{parent, name}] = {a.ino, until};
  KeepAttributes(a, until);
  return a;
}

Result<Attributes> CachedCatalog::GetAttributes(InodeId ino) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto a = attrs_.find(ino);
    if (a != attrs_.end() && a->second.until > Now()) return a->second.value;
  }
  const uint64_t generation = Generation();
  REEL_ASSIGN_OR_RETURN(Attributes a, inner()->GetAttributes(ino));
  std::lock_guard<std::mutex> lock(mu_);
  if (generation_ == generation) KeepAttributes(a, Now() + ttl_);
  return a;
}

std::optional<std::vector<DirEntry>> CachedCatalog::KeptPage(InodeId parent, uint64_t after,
                                                            size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = Now();
  auto run = runs_.find(parent);
  if (run == runs_.end() || run->second.until <= now) return std::nullopt;
  const std::vector<DirEntry>& kept = run->second.value.entries;
  size_t from = 0;
  if (after != 0) {  // right after the entry whose cookie it is (entries come in cookie order)
    auto at = std::lower_bound(kept.begin(), kept.end(), after,
                               [](const DirEntry& e, uint64_t c) { return e.cookie < c; });
    if (at == kept.end() || at->cookie != after) return std::nullopt;
    from = static_cast<size_t>(at - kept.begin()) + 1;
  }
  const size_t n = std::min(limit, kept.size() - from);
  if (n < limit && !run->second.value.to_end) return std::nullopt;
  std::vector<DirEntry> out(kept.begin() + static_cast<ptrdiff_t>(from),
                            kept.begin() + static_cast<ptrdiff_t>(from + n));
  for (DirEntry& e : out) {
    auto a = attrs_.find(e.attr.ino);
    if (a != attrs_.end() && a->second.until > now) e.attr = a->second.value;
  }
  return out;
}

CachedCatalog::Run* CachedCatalog::ExtendableRun(InodeId parent) {
  auto run = runs_.find(parent);
  if (run == runs_.end() || run->second.until <= Now() || run->second.value.to_end ||
      run->second.value.entries.empty()) {
    return nullptr;
  }
  return &run->second.value;
}

Result<std::vector<DirEntry>> CachedCatalog::ReadDir(InodeId parent, uint64_t after, size_t limit) {
  if (auto kept = KeptPage(parent, after, limit)) return std::move(*kept);
  // A page inside a fresh run that ends too soon extends the run (the next server page after
  // its last entry); anything else is asked from `after`.
  uint64_t from = after;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (const Run* run = ExtendableRun(parent)) {
      const std::vector<DirEntry>& kept = run->entries;
      if (after == 0 || (after >= kept.front().cookie && after <= kept.back().cookie)) {
        from = kept.back().cookie;
      }
    }
  }
  const uint64_t generation = Generation();
  const size_t ask = std::max(limit, kReadDirPage);
  REEL_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, inner()->ReadDir(parent, from, ask));
  // The entries' xattr names come along in one more call, so that the probes `ls -l` makes of
  // every file are answered here.
  std::vector<InodeId> inos;
  inos.reserve(entries.size());
  for (const DirEntry& e : entries) inos.push_back(e.attr.ino);
  Result<std::vector<std::vector<std::string>>> xattr_names =
      entries.empty() ? std::vector<std::vector<std::string>>() : inner()->ListXattrsOf(inos);
  {
    std::lock_guard<std::mutex> lock(mu_);
    const bool to_end = entries.size() < ask;
    if (generation_ == generation) {
      const auto until = Now() + ttl_;
      // One page from the start that holds everything: the whole directory.
      if (from == 0 && to_end) listed_[parent] = {true, until};
      for (size_t i = 0; i < entries.size(); ++i) {
        const DirEntry& e = entries[i];
        names_[{parent, e.name}] = {e.attr.ino, until};
        KeepAttributes(e.attr, until);
        if (xattr_names.ok() && i < xattr_names->size()) {
          xattr_names_[e.attr.ino] = {(*xattr_names)[i], until};
        }
      }
      // The run from the directory's start: begun by a first page, extended by the next one.
      if (from == 0) {
        runs_[parent] = {Run{entries, to_end}, until};
      } else if (Run* run = ExtendableRun(parent); run && run->entries.back().cookie == from) {
        run->entries.insert(run->entries.end(), entries.begin(), entries.end());
        run->to_end = to_end;
      }
    }
  }
  if (from == after) {
    if (entries.size() > limit) entries.resize(limit);
    return entries;
  }
  if (auto kept = KeptPage(parent, after, limit)) return std::move(*kept);
  return inner()->ReadDir(parent, after, limit);  // changed meanwhile: asked as it is
}

Result<std::string> CachedCatalog::GetXattr(InodeId ino, const std::string& name) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto x = xattrs_.find({ino, name});
    if (x != xattrs_.end() && x->second.until > Now()) return x->second.value;
    auto listed = xattr_names_.find(ino);
    if (listed != xattr_names_.end() && listed->second.until > Now() &&
        std::find(listed->second.value.begin(), listed->second.value.end(), name) ==
            listed->second.value.end()) {
      return Status(Code::kNoData, "no xattr \"" + name + "\"");
    }
  }
  const uint64_t generation = Generation();
  Result<std::string> got = inner()->GetXattr(ino, name);
  if (got.ok() || got.status().code() == Code::kNoData) {
    std::lock_guard<std::mutex> lock(mu_);
    if (generation_ != generation) return got;
    xattrs_.insert_or_assign({ino, name}, Kept<Result<std::string>>{got, Now() + ttl_});
  }
  return got;
}

// Changes. The generation moves on before and after each (an answer read meanwhile may predate
// it, so it is not kept), and what the change touched is updated or forgotten; the rest stays,
// so that creating many files in a listed directory does not list it again each time.

void CachedCatalog::BeforeChange() {
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;
}

void CachedCatalog::AfterChange(const std::function<void()>& update) {
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;
  runs_.clear();
  update();
}

void CachedCatalog::ForgetNameIn(InodeId parent, const std::string& name, bool outcome_known) {
  auto known = names_.find({parent, name});
  if (known != names_.end()) {  // the inode that had the name: its link count changed, or gone
    attrs_.erase(known->second.value);
    listed_.erase(known->second.value);
    names_.erase(known);
  }
  attrs_.erase(parent);  // its times and link count changed
  if (!outcome_known) listed_.erase(parent);
}

namespace {
// Locks and tasks change nothing the cache keeps.
bool ChangesNothingKept(ChangeKind kind) {
  return kind == ChangeKind::kLockTaken || kind == ChangeKind::kLockReleased ||
         kind == ChangeKind::kTask;
}
}  // namespace

void CachedCatalog::Forget(const std::vector<ChangeEvent>& events) {
  const bool any = std::any_of(events.begin(), events.end(), [](const ChangeEvent& e) {
    return !ChangesNothingKept(e.kind);
  });
  if (!any) return;
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;  // answers on their way may predate the changes
  runs_.clear();
  auto forget_name = [this](InodeId parent, const std::string& path) {
    if (parent == 0) return;
    auto known = names_.find({parent, std::filesystem::path(path).filename().string()});
    if (known != names_.end()) {
      attrs_.erase(known->second.value);
      names_.erase(known);
    }
    attrs_.erase(parent);
    auto listed = listed_.find(parent);
    if (listed != listed_.end()) listed->second.value = false;  // no longer whole
  };
  for (const ChangeEvent& e : events) {
    if (ChangesNothingKept(e.kind)) continue;
    attrs_.erase(e.ino);
    xattr_names_.erase(e.ino);
    for (auto x = xattrs_.lower_bound({e.ino, std::string()});
         x != xattrs_.end() && x->first.first == e.ino;) {
      x = xattrs_.erase(x);
    }
    if (ChangesNames(e.kind)) {
      forget_name(e.parent, e.path);
      forget_name(e.old_parent, e.old_path);
    }
  }
}

void CachedCatalog::ForgetAll() {
  std::lock_guard<std::mutex> lock(mu_);
  ++generation_;
  listed_.clear();
  runs_.clear();
  attrs_.clear();
  names_.clear();
  xattrs_.clear();
  xattr_names_.clear();
}

Result<Attributes> CachedCatalog::CreateNode(InodeId parent, const std::string& name,
                                             const NewNode& node, TimeNs now) {
  BeforeChange();
  Result<Attributes> made = inner()->CreateNode(parent, name, node, now);
  AfterChange([&] {
    std::optional<Kept<Attributes>> dir;
    if (auto d = attrs_.find(parent); d != attrs_.end() && d->second.until > Now()) {
      dir = d->second;
    }
    ForgetNameIn(parent, name, made.ok() || made.status().code() == Code::kAlreadyExists);
    if (made.ok()) {
      const auto until = Now() + ttl_;
      names_[{parent, name}] = {made->ino, until};
      KeepAttributes(*made, until);
      // The directory changed as the create's transaction changed it (its times are the new
      // node's, a subdirectory adds a link), so the kernel's check of it after a create needs
      // no call; it is kept no longer than it was.
      if (dir) {
        dir->value.mtime = dir->value.ctime = made->ctime;
        if (made->type == FileType::kDirectory) ++dir->value.nlink;
        attrs_[parent] = *dir;
      }
    }
  });
  return made;
}

// A create recorded as it was made ahead joins its directory's listing, as CreateNode's does;
// one recorded otherwise (another name, another directory) is forgotten where it was meant to be
// and where it is.
Result<std::vector<NodeCreated>> CachedCatalog::CreateNodes(const std::vector<NodeCreate>& creates) {
  BeforeChange();
  Result<std::vector<NodeCreated>> made = inner()->CreateNodes(creates);
  AfterChange([&] {
    const auto until = Now() + ttl_;
    for (size_t i = 0; i < creates.size(); ++i) {
      const NodeCreate& c = creates[i];
      const NodeCreated* d = made.ok() && i < made->size() ? &(*made)[i] : nullptr;
      const bool as_made = d != nullptr && d->parent == c.parent && d->name == c.name;
      ForgetNameIn(c.parent, c.name, as_made);
      if (!as_made) {
        if (d != nullptr) ForgetNameIn(d->parent, d->name, false);
        continue;
      }
      names_[{c.parent, c.name}] = {d->attr.ino, until};
      KeepAttributes(d->attr, until);
    }
  });
  return made;
}

Result<Attributes> CachedCatalog::Link(InodeId ino, InodeId new_parent, const std::string& new_name,
                                       TimeNs now) {
  BeforeChange();
  Result<Attributes> linked = inner()->Link(ino, new_parent, new_name, now);
  AfterChange([&] {
    ForgetNameIn(new_parent, new_name, linked.ok());
    attrs_.erase(ino);
  });
  return linked;
}

Result<UnlinkResult> CachedCatalog::Unlink(InodeId parent, const std::string& name, TimeNs now) {
  BeforeChange();
  Result<UnlinkResult> gone = inner()->Unlink(parent, name, now);
  AfterChange([&] {
    ForgetNameIn(parent, name, gone.ok());
    if (gone.ok()) attrs_.erase(gone->ino);
  });
  return gone;
}

Status CachedCatalog::RemoveDir(InodeId parent, const std::string& name, TimeNs now) {
  BeforeChange();
  Status removed = inner()->RemoveDir(parent, name, now);
  AfterChange([&] {
    ForgetNameIn(parent, name, removed.ok());
    attrs_.clear();  // the directory removed, even if its name was never looked up here
  });
  return removed;
}

Result<RenameResult> CachedCatalog::Rename(InodeId old_parent, const std::string& old_name,
                                           InodeId new_parent, const std::string& new_name,
                                           RenameMode mode, TimeNs now) {
  BeforeChange();
  Result<RenameResult> renamed =
      inner()->Rename(old_parent, old_name, new_parent, new_name, mode, now);
  AfterChange([&] {
    ForgetNameIn(old_parent, old_name, false);
    ForgetNameIn(new_parent, new_name, false);
    attrs_.clear();  // the moved, replaced or exchanged inodes' times changed
  });
  return renamed;
}

Result<Attributes> CachedCatalog::SetAttributes(InodeId ino, const AttrUpdate& update, TimeNs now) {
  BeforeChange();
  Result<Attributes> changed = inner()->SetAttributes(ino, update, now);
  AfterChange([&] {
    attrs_.erase(ino);
    if (changed.ok()) KeepAttributes(*changed, Now() + ttl_);
  });
  return changed;
}

Result<VersionInfo> CachedCatalog::CommitVersion(InodeId ino, const NewVersion& v, TimeNs now) {
  BeforeChange();
  Result<VersionInfo> committed = inner()->CommitVersion(ino, v, now);
  AfterChange([&] {
    attrs_.erase(ino);
    // keep-both made a copy next to the file: a name this cache may hold as absent.
    if (committed.ok() && committed->conflict_copy != 0) {
      names_.clear();
      listed_.clear();
      attrs_.clear();
    }
  });
  return committed;
}

Status CachedCatalog::SetXattr(InodeId ino, const std::string& name, const std::string& value,
                               bool create_only, bool replace_only) {
  BeforeChange();
  Status set = inner()->SetXattr(ino, name, value, create_only, replace_only);
  AfterChange([&] {
    xattrs_.erase({ino, name});
    xattr_names_.erase(ino);
    attrs_.erase(ino);
  });
  return set;
}

Status CachedCatalog::RemoveXattr(InodeId ino, const std::string& name) {
  BeforeChange();
  Status removed = inner()->RemoveXattr(ino, name);
  AfterChange([&] {
    xattrs_.erase({ino, name});
    xattr_names_.erase(ino);
    attrs_.erase(ino);
  });
  return removed;
}

Result<Attributes> CachedCatalog::RestoreFromTrash(uint64_t trash_id, InodeId parent,
                                                   const std::string& name, TimeNs now) {
  BeforeChange();
  Result<Attributes> restored = inner()->RestoreFromTrash(trash_id, parent, name, now);
  AfterChange([&] {
    ForgetNameIn(parent, name, false);
    if (restored.ok()) attrs_.erase(restored->ino);
  });
  return restored;
}

Result<uint64_t> CachedCatalog::PurgeTrash(TimeNs cutoff, const std::vector<InodeId>& keep,
                                           TimeNs now) {
  BeforeChange();
  Result<uint64_t> purged = inner()->PurgeTrash(cutoff, keep, now);
  AfterChange([&] { attrs_.clear(); });
  return purged;
}

}  // namespace reel
