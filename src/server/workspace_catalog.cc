#include "server/workspace_catalog.h"

#include <algorithm>
#include <string>
#include <unordered_set>
#include <utility>

namespace reel {

namespace {

// The first component of a path from the namespace's root: the workspace's name.
std::string FirstComponent(const std::string& path) { return path.substr(0, path.find('/')); }

Status ServersWork(const char* what) {
  return Status::PermissionDenied(std::string(what) + " is the team server's work");
}

}  // namespace

std::string WorkspaceIndex::Find(InodeId ino) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = where_.find(ino);
  return it == where_.end() ? std::string() : it->second;
}

void WorkspaceIndex::Remember(InodeId ino, const std::string& workspace) {
  std::lock_guard<std::mutex> lock(mu_);
  if (where_.size() >= capacity_) where_.clear();
  where_.emplace(ino, workspace);
}

WorkspaceCatalog::WorkspaceCatalog(Catalog& team, const Workspace& workspace, Role role,
                                   WorkspaceIndex& index, std::string caller,
                                   const LockFence* fence)
    : team_(team),
      workspace_(workspace),
      root_(workspace.root),
      role_(role),
      index_(index),
      caller_(std::move(caller)),
      fence_(fence) {}

Attributes WorkspaceCatalog::Out(Attributes a) const {
  index_.Remember(a.ino, workspace_.name);
  a.ino = Out(a.ino);
  return a;
}

Result<InodeId> WorkspaceCatalog::Inside(InodeId ino) {
  const InodeId real = In(ino);
  if (real == root_) return real;
  std::string where = index_.Find(real);
  if (where.empty()) {
    Result<std::string> path = team_.PathOf(real);
    if (path.ok()) {
      where = FirstComponent(*path);
    } else if (path.status().code() == Code::kNotFound) {
      // A file without a name is in the trash: its entry says where it was.
      REEL_ASSIGN_OR_RETURN(std::vector<TrashEntry> trash, team_.ListTrash());
      for (const TrashEntry& e : trash) {
        if (e.ino == real) where = FirstComponent(e.original_path);
      }
    } else {
      return path.status();
    }
    if (!where.empty()) index_.Remember(real, where);
  }
  if (where != workspace_.name) return Status::NotFound("no inode " + std::to_string(ino));
  return real;
}

bool WorkspaceCatalog::MemberView() const { return !caller_.empty(); }

bool WorkspaceCatalog::Sees(const VersionInfo& v) const {
  return !MemberView() || v.published > 0 || v.author == caller_;
}

Status WorkspaceCatalog::AsSeen(const std::vector<Attributes*>& attrs) {
  if (!MemberView()) return Status::Ok();
  std::vector<Attributes*> files;
  std::vector<InodeId> inos;
  for (Attributes* a : attrs) {
    if (a->type != FileType::kRegular || a->version == 0) continue;
    files.push_back(a);
    inos.push_back(a->ino);
  }
  if (inos.empty()) return Status::Ok();
  REEL_ASSIGN_OR_RETURN(auto seen, team_.NewestSharedVersions(inos, caller_));
  for (size_t k = 0; k < files.size() && k < seen.size(); ++k) {
    Attributes& a = *files[k];
    if (!seen[k]) {  // nothing of it published yet
      a.version = 0;
      a.size = 0;
    } else if (seen[k]->number != a.version) {
      a.version = seen[k]->number;
      a.size = seen[k]->size;
      a.mtime = seen[k]->created;
    }
  }
  return Status::Ok();
}

Result<Attributes> WorkspaceCatalog::AsSeen(Attributes a) {
  REEL_RETURN_IF_ERROR(AsSeen(std::vector<Attributes*>{&a}));
  return a;
}

Status WorkspaceCatalog::Writer() const {
  if (role_ >= Role::kWriter) return Status::Ok();
  return Status::PermissionDenied("you are a reader of workspace \"" + workspace_.name +
                                  "\"; changes need the writer role");
}

std::optional<std::string> WorkspaceCatalog::Relative(const std::string& path) const {
  if (path == workspace_.name) return std::string();
  if (path.size() > workspace_.name.size() && path.starts_with(workspace_.name) &&
      path[workspace_.name.size()] == '/') {
    return path.substr(workspace_.name.size() + 1);
  }
  return std::nullopt;
}

Result<TrashEntry> WorkspaceCatalog::OwnTrashEntry(uint64_t id) {
  REEL_ASSIGN_OR_RETURN(std::vector<TrashEntry> trash, ListTrash());
  for (const TrashEntry& e : trash) {
    if (e.id == id) return e;
  }
  return Status::NotFound("no trash entry " + std::to_string(id));
}

// --- namespace ---

Result<Attributes> WorkspaceCatalog::Lookup(InodeId parent, const std::string& name) {
  REEL_ASSIGN_OR_RETURN(InodeId p, Inside(parent));
  REEL_ASSIGN_OR_RETURN(Attributes a, team_.Lookup(p, name));
  REEL_ASSIGN_OR_RETURN(a, AsSeen(a));
  return Out(a);
}

Result<Attributes> WorkspaceCatalog::GetAttributes(InodeId ino) {
  REEL_ASSIGN_OR_RETURN(InodeId i, Inside(ino));
  REEL_ASSIGN_OR_RETURN(Attributes a, team_.GetAttributes(i));
  REEL_ASSIGN_OR_RETURN(a, AsSeen(a));
  return Out(a);
}

Result<std::vector<DirEntry>> WorkspaceCatalog::ReadDir(InodeId parent, uint64_t after,
                                                        size_t limit) {
  REEL_ASSIGN_OR_RETURN(InodeId p, Inside(parent));
  REEL_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, team_.ReadDir(p, after, limit));
  std::vector<Attributes*> attrs;
  for (DirEntry& e : entries) attrs.push_back(&e.attr);
  REEL_RETURN_IF_ERROR(AsSeen(attrs));
  for (DirEntry& e : entries) e.attr = Out(e.attr);
  return entries;
}

Result<Attributes> WorkspaceCatalog::CreateNode(InodeId parent, const std::string& name,
                                                const NewNode& node, TimeNs now) {
  REEL_RETURN_IF_ERROR(Writer());
  REEL_ASSIGN_OR_RETURN(InodeId p, Inside(parent));
  REEL_ASSIGN_OR_RETURN(Attributes a, team_.CreateNode(p, name, node, now));
  return Out(a);
}

Result<std::vector<InodeId>> WorkspaceCatalog::ReserveInodes(uint32_t count) {
  REEL_RETURN_IF_ERROR(Writer());
  return team_.ReserveInodes(count);
}

// A create whose parent is not (or no longer) in the workspace goes to the workspace's root.
// The numbers given were reserved by someone: a number that names an existing inode of another
// workspace is refused after the call (which changed nothing for it), so nothing of it shows.
Result<std::vector<NodeCreated>> WorkspaceCatalog::CreateNodes(
    const std::vector<NodeCreate>& creates) {
  REEL_RETURN_IF_ERROR(Writer());
  std::vector<NodeCreate> inner = creates;
  std::unordered_set<InodeId> made;  // by this call, before the create at hand: inside
  for (NodeCreate& c : inner) {
    c.refuge = root_;
    if (c.ino == kRootInode || In(c.ino) != c.ino) {
      return Status::InvalidArgument("inode number " + std::to_string(c.ino) + " was not reserved");
    }
    const bool parent_made = made.count(c.parent) > 0;
    made.insert(c.ino);
    if (parent_made) continue;
    Result<InodeId> p = Inside(c.parent);
    if (p.ok()) {
      c.parent = *p;
    } else if (p.status().code() == Code::kNotFound) {
      c.parent = 0;  // no such directory here: the refuge
    } else {
      return p.status();
    }
  }
  REEL_ASSIGN_OR_RETURN(std::vector<NodeCreated> done, team_.CreateNodes(inner));
  for (NodeCreated& d : done) {
    if (d.outcome == CreateOutcome::kExisting) REEL_RETURN_IF_ERROR(Inside(d.attr.ino).status());
    d.attr = Out(d.attr);
    d.parent = Out(d.parent);
  }
  return done;
}

Result<Attributes> WorkspaceCatalog::Link(InodeId ino, InodeId new_parent,
                                          const std::string& new_name, TimeNs now) {
  REEL_RETURN_IF_ERROR(Writer());
  REEL_ASSIGN_OR_RETURN(InodeId i, Inside(ino));
  REEL_ASSIGN_OR_RETURN(InodeId p, Inside(new_parent));
  REEL_ASSIGN_OR_RETURN(Attributes a, team_.Link(i, p, new_name, now));
  REEL_ASSIGN_OR_RETURN(a, AsSeen(a));
  return Out(a);
}

Result<UnlinkResult> WorkspaceCatalog::Unlink(InodeId parent, const std::string& name, TimeNs now) {
  REEL_RETURN_IF_ERROR(Writer());
  REEL_ASSIGN_OR_RETURN(InodeId p, Inside(parent));
  REEL_ASSIGN_OR_RETURN(UnlinkResult r, team_.Unlink(p, name, now));
  r.ino = Out(r.ino);
  return r;
}

Status WorkspaceCatalog::RemoveDir(InodeId parent, const std::string& name, TimeNs now) {
  REEL_RETURN_IF_ERROR(Writer());
  REEL_ASSIGN_OR_RETURN(InodeId p, Inside(parent));
  return team_.RemoveDir(p, name, now);
}

Result<RenameResult> WorkspaceCatalog::Rename(InodeId old_parent, const std::string& old_name,
                                              InodeId new_parent, const std::string& new_name,
                                              RenameMode mode, TimeNs now) {
  REEL_RETURN_IF_ERROR(Writer());
  REEL_ASSIGN_OR_RETURN(InodeId from, Inside(old_parent));
  REEL_ASSIGN_OR_RETURN(InodeId to, Inside(new_parent));
  REEL_ASSIGN_OR_RETURN(RenameResult r, team_.Rename(from, old_name, to, new_name, mode, now));
  if (r.replaced) r.replaced->ino = Out(r.replaced->ino);
  return r;
}

Result<Attributes> WorkspaceCatalog::SetAttributes(InodeId ino, const AttrUpdate& update,
                                                   TimeNs now) {
  REEL_RETURN_IF_ERROR(Writer());
  REEL_ASSIGN_OR_RETURN(InodeId i, Inside(ino));
  REEL_ASSIGN_OR_RETURN(Attributes a, team_.SetAttributes(i, update, now));
  REEL_ASSIGN_OR_RETURN(a, AsSeen(a));
  return Out(a);
}

Result<std::string> WorkspaceCatalog::ReadSymlink(InodeId ino) {
  REEL_ASSIGN_OR_RETURN(InodeId i, Inside(ino));
  return team_.ReadSymlink(i);
}

Result<std::string> WorkspaceCatalog::PathOf(InodeId ino) {
  REEL_ASSIGN_OR_RETURN(InodeId i, Inside(ino));
  REEL_ASSIGN_OR_RETURN(std::string path, team_.PathOf(i));
  std::optional<std::string> mine = Relative(path);
  if (!mine) return Status::NotFound("no inode " + std::to_string(ino));
  return *mine;
}

// --- versions ---

Result<VersionInfo> WorkspaceCatalog::CommitVersion(InodeId ino, const NewVersion& v, TimeNs now) {
  REEL_RETURN_IF_ERROR(Writer());
  REEL_ASSIGN_OR_RETURN(InodeId i, Inside(ino));
  NewVersion mine = v;
  mine.on_conflict = workspace_.conflict;
  mine.author = caller_;
  mine.fenced = false;
  if (v.fence != 0 && fence_ != nullptr) {
    REEL_ASSIGN_OR_RETURN(bool live, (*fence_)(v.fence));
    mine.fenced = !live;
  }
  REEL_ASSIGN_OR_RETURN(VersionInfo info, team_.CommitVersion(i, mine, now));
  const InodeId file = info.conflict_copy != 0 ? info.conflict_copy : i;
  if (workspace_.share == "on-close" && info.kind != VersionKind::kRejected) {
    REEL_RETURN_IF_ERROR(PublishEverySave(file, mine.chunks, now, info));
  }
  if (info.conflict_copy != 0) {
    index_.Remember(info.conflict_copy, workspace_.name);
    info.conflict_copy = Out(info.conflict_copy);
  }
  return info;
}

Status WorkspaceCatalog::PublishEverySave(InodeId file, const std::vector<ChunkRef>& chunks,
                                          TimeNs now, VersionInfo& info) {
  std::vector<ChunkId> ids;
  for (const ChunkRef& c : chunks) {
    if (!IsHole(c.id)) ids.push_back(c.id);
  }
  REEL_ASSIGN_OR_RETURN(std::vector<TierMask> tiers, team_.GetChunkTiers(ids));
  const bool on_cloud = std::all_of(tiers.begin(), tiers.end(),
                                    [](TierMask t) { return (t & kTierCloud) != 0; });
  if (on_cloud) {  // nothing to upload (content the team has, a projection of published work)
    REEL_RETURN_IF_ERROR(team_.MarkPublished(file, info.number, now));
    info.published = now;
  } else {  // the author's mount uploads it (a pending publish in its answer) and marks it
    REEL_RETURN_IF_ERROR(team_.RequestPublish(file, info.number));
    info.published = -1;
  }
  return Status::Ok();
}

Result<std::vector<VersionInfo>> WorkspaceCatalog::ListVersions(InodeId ino) {
  REEL_ASSIGN_OR_RETURN(InodeId i, Inside(ino));
  REEL_ASSIGN_OR_RETURN(std::vector<VersionInfo> all, team_.ListVersions(i));
  std::vector<VersionInfo> seen;
  for (VersionInfo& v : all) {
    if (Sees(v)) seen.push_back(std::move(v));
  }
  return seen;
}

Result<Version> WorkspaceCatalog::GetVersion(InodeId ino, uint64_t number) {
  REEL_ASSIGN_OR_RETURN(InodeId i, Inside(ino));
  if (number == 0 && MemberView()) {  // the current one as the caller sees it
    REEL_ASSIGN_OR_RETURN(auto seen, team_.NewestSharedVersions({i}, caller_));
    if (seen.empty() || !seen[0]) {
      return Status::NotFound("inode " + std::to_string(ino) + " has no version");
    }
    number = seen[0]->number;
  }
  REEL_ASSIGN_OR_RETURN(Version v, team_.GetVersion(i, number));
  if (!Sees(v.info)) {
    return Status::NotFound("inode " + std::to_string(ino) + " has no version " +
                            std::to_string(number));
  }
  return v;
}

// --- extended attributes ---

Result<std::string> WorkspaceCatalog::GetXattr(InodeId ino, const std::string& name) {
  REEL_ASSIGN_OR_RETURN(InodeId i, Inside(ino));
  return team_.GetXattr(i, name);
}

Status WorkspaceCatalog::SetXattr(InodeId ino, const std::string& name, const std::string& value,
                                  bool create_only, bool replace_only) {
  REEL_RETURN_IF_ERROR(Writer());
  REEL_ASSIGN_OR_RETURN(InodeId i, Inside(ino));
  return team_.SetXattr(i, name, value, create_only, replace_only);
}

Result<std::vector<std::string>> WorkspaceCatalog::ListXattrs(InodeId ino) {
  REEL_ASSIGN_OR_RETURN(InodeId i, Inside(ino));
  return team_.ListXattrs(i);
}

Result<std::vector<std::vector<std::string>>> WorkspaceCatalog::ListXattrsOf(
    const std::vector<InodeId>& inos) {
  // An inode outside the workspace is answered as one that is gone: it has none.
  std::vector<InodeId> real;
  std::vector<size_t> where;  // index in `inos` of each of `real`
  for (size_t k = 0; k < inos.size(); ++k) {
    Result<InodeId> i = Inside(inos[k]);
    if (!i.ok() && i.status().code() != Code::kNotFound) return i.status();
    if (i.ok()) {
      real.push_back(*i);
      where.push_back(k);
    }
  }
  REEL_ASSIGN_OR_RETURN(auto lists, team_.ListXattrsOf(real));
  std::vector<std::vector<std::string>> out(inos.size());
  for (size_t j = 0; j < lists.size() && j < where.size(); ++j) out[where[j]] = std::move(lists[j]);
  return out;
}

Status WorkspaceCatalog::RemoveXattr(InodeId ino, const std::string& name) {
  REEL_RETURN_IF_ERROR(Writer());
  REEL_ASSIGN_OR_RETURN(InodeId i, Inside(ino));
  return team_.RemoveXattr(i, name);
}

// --- trash ---

Result<std::vector<TrashEntry>> WorkspaceCatalog::ListTrash() {
  REEL_ASSIGN_OR_RETURN(std::vector<TrashEntry> all, team_.ListTrash());
  std::vector<TrashEntry> mine;
  for (TrashEntry& e : all) {
    std::optional<std::string> path = Relative(e.original_path);
    if (!path || path->empty()) continue;
    e.original_path = std::move(*path);
    mine.push_back(std::move(e));
  }
  return mine;
}

Result<Attributes> WorkspaceCatalog::RestoreFromTrash(uint64_t trash_id, InodeId parent,
                                                      const std::string& name, TimeNs now) {
  REEL_RETURN_IF_ERROR(Writer());
  REEL_RETURN_IF_ERROR(OwnTrashEntry(trash_id).status());
  REEL_ASSIGN_OR_RETURN(InodeId p, Inside(parent));
  REEL_ASSIGN_OR_RETURN(Attributes a, team_.RestoreFromTrash(trash_id, p, name, now));
  REEL_ASSIGN_OR_RETURN(a, AsSeen(a));
  return Out(a);
}

Result<uint64_t> WorkspaceCatalog::PurgeTrash(TimeNs, const std::vector<InodeId>&, TimeNs) {
  return ServersWork("purging the trash");
}

// --- chunks: their names are content hashes, shared by every workspace (one dedup scope) ---

Result<bool> WorkspaceCatalog::HasChunk(const ChunkId& id) { return team_.HasChunk(id); }

Result<std::vector<ChunkRecord>> WorkspaceCatalog::ListUnreferencedChunks(TimeNs) {
  return ServersWork("collecting chunks");
}

Result<bool> WorkspaceCatalog::DeleteChunkIfUnreferenced(const ChunkId&) {
  return ServersWork("collecting chunks");
}

Status WorkspaceCatalog::ForEachChunk(const std::function<bool(const ChunkRecord&)>&) {
  return ServersWork("walking every chunk");
}

// --- tiers and packs ---

Status WorkspaceCatalog::AddChunkTiers(const std::vector<ChunkId>& ids, TierMask tiers) {
  REEL_RETURN_IF_ERROR(Writer());
  return team_.AddChunkTiers(ids, tiers);
}

Result<std::vector<TierMask>> WorkspaceCatalog::GetChunkTiers(const std::vector<ChunkId>& ids) {
  return team_.GetChunkTiers(ids);
}

Status WorkspaceCatalog::RequestPublish(InodeId ino, uint64_t number) {
  REEL_RETURN_IF_ERROR(Writer());
  REEL_ASSIGN_OR_RETURN(InodeId i, Inside(ino));
  if (MemberView()) REEL_RETURN_IF_ERROR(GetVersion(ino, number).status());
  return team_.RequestPublish(i, number);
}

Result<std::vector<std::pair<InodeId, uint64_t>>> WorkspaceCatalog::ListPendingPublishes() {
  REEL_ASSIGN_OR_RETURN(auto all, team_.ListPendingPublishes());
  std::vector<std::pair<InodeId, uint64_t>> mine;
  for (const auto& [ino, number] : all) {
    Result<InodeId> inside = Inside(ino);
    if (inside.ok()) {
      mine.emplace_back(Out(ino), number);
    } else if (inside.status().code() != Code::kNotFound) {
      return inside.status();
    }
  }
  return mine;
}

Status WorkspaceCatalog::MarkPublished(InodeId ino, uint64_t number, TimeNs now) {
  REEL_RETURN_IF_ERROR(Writer());
  REEL_ASSIGN_OR_RETURN(InodeId i, Inside(ino));
  return team_.MarkPublished(i, number, now);
}

Status WorkspaceCatalog::RecordPackUpload(TierMask tier, const std::string& pack,
                                          const std::vector<PackMember>& members) {
  REEL_RETURN_IF_ERROR(Writer());
  return team_.RecordPackUpload(tier, pack, members);
}

Result<std::vector<ChunkLocation>> WorkspaceCatalog::GetChunkLocations(
    const std::vector<ChunkId>& ids) {
  return team_.GetChunkLocations(ids);
}

Result<std::vector<ChunkLocation>> WorkspaceCatalog::ListPackMembers(TierMask tier,
                                                                     const std::string& pack) {
  return team_.ListPackMembers(tier, pack);
}

Result<uint64_t> WorkspaceCatalog::CountPackMembers(TierMask tier, const std::string& pack) {
  return team_.CountPackMembers(tier, pack);
}

Result<std::vector<ChunkLocation>> WorkspaceCatalog::RemoveChunkLocations(const ChunkId&) {
  return ServersWork("forgetting chunk locations");
}

// --- identity, backups, whole catalog ---

Result<std::string> WorkspaceCatalog::GetDriveId() { return team_.GetDriveId(); }

Status WorkspaceCatalog::SetDriveId(const std::string&) {
  return ServersWork("naming the team drive");
}

Status WorkspaceCatalog::BackupTo(const std::string&) {
  return Status::NotSupported(
      "a team catalog is backed up on its database server (pg_dump), not through a workspace");
}

// The team's counts: how much the whole drive holds (df in a mount, the pin reload's change
// detector), nothing of what or where.
// The workspace's own events (its scope), with its paths and inode numbers. `newest` is the
// whole feed's: it tells a reader how far the feed has gone, not what happened elsewhere.
Result<EventPage> WorkspaceCatalog::ReadEvents(const EventQuery& query) {
  EventQuery in = query;
  in.scope = workspace_.name;
  REEL_ASSIGN_OR_RETURN(EventPage page, team_.ReadEvents(in));
  // A name outside the workspace (the workspace's own, a move in from elsewhere) has no path or
  // directory here.
  auto place = [&](std::string& path, InodeId& parent) {
    std::optional<std::string> mine = Relative(path);
    path = mine.value_or(std::string());
    parent = mine && !mine->empty() && parent != 0 ? Out(parent) : 0;
  };
  for (ChangeEvent& e : page.events) {
    e.ino = Out(e.ino);
    place(e.path, e.parent);
    if (!e.old_path.empty()) place(e.old_path, e.old_parent);
  }
  return page;
}

Result<uint64_t> WorkspaceCatalog::TrimEvents(TimeNs) { return ServersWork("trimming the events"); }

Result<CatalogStats> WorkspaceCatalog::Stats() { return team_.Stats(); }

Status WorkspaceCatalog::Sync() { return Status::Ok(); }

}  // namespace reel
