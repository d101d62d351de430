// WorkspaceCatalog: the team's catalog as a member of one workspace sees it, and the only way the
// team server runs a caller's catalog calls. Its root (inode 1) is the workspace's directory;
// every other inode keeps its number. Every inode a call names must lie inside the workspace
// (NotFound otherwise: a caller learns nothing of other workspaces), so nothing leaves it: a
// rename, link or restore across workspaces cannot be named. Readers may only read; the work
// that must run once for the whole team (trash purge, chunk collection, the drive's identity) is
// the server's (PermissionDenied); Stats are the whole team drive's counts. The trash shows the workspace's own entries, with paths
// relative to its root.
//
// What a member sees of the others' work (a call made for a member: `caller` set): a file's
// newest version that is published or is the caller's own, so another's save reaches them once
// it is published, its bytes on the cloud tier every member reaches (docs/collaboration.md).
// Its size, version number and mtime (the version's time) are the file's attributes as the
// caller sees them; a file with no such version shows empty (no version). ListVersions and
// GetVersion show the caller's own versions and published ones only. Names, directories and the
// other attributes are shared at once. The workspace's `share` decides who publishes: the
// artist ("on-publish"), or every save is published as it is made ("on-close": a commit records a
// publish request, answered `published = -1`, that the committing mount's uploads complete; or
// is published at once when its chunks are on the cloud tier already).
//
// Which workspace an inode is in never changes (nothing moves between workspaces, and inode
// numbers are never reused), so WorkspaceIndex remembers it for every call of the server.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "catalog/catalog.h"
#include "team/team_directory.h"

namespace reel {

// Inode -> the name of the workspace it is in, for the inodes a server has seen. Thread-safe;
// holds at most `capacity` inodes (then it starts again empty).
class WorkspaceIndex {
 public:
  explicit WorkspaceIndex(size_t capacity = 1'000'000) : capacity_(capacity) {}
  // The workspace of `ino`, or "" when it is not known.
  [[nodiscard]] std::string Find(InodeId ino) const;
  void Remember(InodeId ino, const std::string& workspace);

 private:
  const size_t capacity_;
  mutable std::mutex mu_;  // guards where_
  std::unordered_map<InodeId, std::string> where_;
};

class WorkspaceCatalog final : public Catalog {
 public:
  // `team`: the whole team catalog (or one bound to a transaction); `role` the caller's role in
  // `workspace` (at least reader); `caller` their name (commits are theirs, whatever a request
  // says, and follow the workspace's conflict policy). `fence`: the check of the lock sessions
  // commits name (NewVersion::fence; a commit under a lapsed one is kept as rejected); without
  // it, fences are not checked.
  WorkspaceCatalog(Catalog& team, const Workspace& workspace, Role role, WorkspaceIndex& index,
                   std::string caller = {}, const LockFence* fence = nullptr);

  Result<Attributes> Lookup(InodeId parent, const std::string& name) override;
  Result<Attributes> GetAttributes(InodeId ino) override;
  Result<std::vector<DirEntry>> ReadDir(InodeId parent, uint64_t after, size_t limit) override;
  Result<Attributes> CreateNode(InodeId parent, const std::string& name, const NewNode& node,
                                TimeNs now) override;
  Result<std::vector<InodeId>> ReserveInodes(uint32_t count) override;
  Result<std::vector<NodeCreated>> CreateNodes(const std::vector<NodeCreate>& creates) override;
  Result<Attributes> Link(InodeId ino, InodeId new_parent, const std::string& new_name,
                          TimeNs now) override;
  Result<UnlinkResult> Unlink(InodeId parent, const std::string& name, TimeNs now) override;
  Status RemoveDir(InodeId parent, const std::string& name, TimeNs now) override;
  Result<RenameResult> Rename(InodeId old_parent, const std::string& old_name, InodeId new_parent,
                              const std::string& new_name, RenameMode mode, TimeNs now) override;
  Result<Attributes> SetAttributes(InodeId ino, const AttrUpdate& update, TimeNs now) override;
  Result<std::string> ReadSymlink(InodeId ino) override;
  Result<std::string> PathOf(InodeId ino) override;

  Result<VersionInfo> CommitVersion(InodeId ino, const NewVersion& v, TimeNs now) override;
  Result<std::vector<VersionInfo>> ListVersions(InodeId ino) override;
  Result<Version> GetVersion(InodeId ino, uint64_t number) override;

  Result<std::string> GetXattr(InodeId ino, const std::string& name) override;
  Status SetXattr(InodeId ino, const std::string& name, const std::string& value, bool create_only,
                  bool replace_only) override;
  Result<std::vector<std::string>> ListXattrs(InodeId ino) override;
  Result<std::vector<std::vector<std::string>>> ListXattrsOf(
      const std::vector<InodeId>& inos) override;
  Status RemoveXattr(InodeId ino, const std::string& name) override;

  Result<std::vector<TrashEntry>> ListTrash() override;
  Result<Attributes> RestoreFromTrash(uint64_t trash_id, InodeId parent, const std::string& name,
                                      TimeNs now) override;
  Result<uint64_t> PurgeTrash(TimeNs cutoff, const std::vector<InodeId>& keep, TimeNs now) override;

  Result<bool> HasChunk(const ChunkId& id) override;
  Result<std::vector<ChunkRecord>> ListUnreferencedChunks(TimeNs cutoff) override;
  Result<bool> DeleteChunkIfUnreferenced(const ChunkId& id) override;
  Status ForEachChunk(const std::function<bool(const ChunkRecord&)>& visit) override;

  Status AddChunkTiers(const std::vector<ChunkId>& ids, TierMask tiers) override;
  Result<std::vector<TierMask>> GetChunkTiers(const std::vector<ChunkId>& ids) override;
  Status RequestPublish(InodeId ino, uint64_t number) override;
  Result<std::vector<std::pair<InodeId, uint64_t>>> ListPendingPublishes() override;
  Status MarkPublished(InodeId ino, uint64_t number, TimeNs now) override;
  Status RecordPackUpload(TierMask tier, const std::string& pack,
                          const std::vector<PackMember>& members) override;
  Result<std::vector<ChunkLocation>> GetChunkLocations(const std::vector<ChunkId>& ids) override;
  Result<std::vector<ChunkLocation>> ListPackMembers(TierMask tier,
                                                     const std::string& pack) override;
  Result<uint64_t> CountPackMembers(TierMask tier, const std::string& pack) override;
  Result<std::vector<ChunkLocation>> RemoveChunkLocations(const ChunkId& id) override;

  Result<std::string> GetDriveId() override;
  Status SetDriveId(const std::string& id) override;
  Status BackupTo(const std::string& path) override;

  Result<EventPage> ReadEvents(const EventQuery& query) override;
  Result<uint64_t> TrimEvents(TimeNs before) override;
  Result<CatalogStats> Stats() override;
  Status Sync() override;

 private:
  // The team catalog's number for the caller's `ino` (1 is the workspace's root).
  InodeId In(InodeId ino) const { return ino == kRootInode ? root_ : ino; }
  // The caller's number for the team catalog's `ino`.
  InodeId Out(InodeId ino) const { return ino == root_ ? kRootInode : ino; }
  Attributes Out(Attributes a) const;
  // The team catalog's number for the caller's `ino`, once it is known to be in the workspace.
  [[nodiscard]] Result<InodeId> Inside(InodeId ino);
  // Whether the call is a member's (who sees the others' published versions only).
  bool MemberView() const;
  // share = "on-close": version `info` of `file` (the team catalog's number), made of `chunks`,
  // is published, or its publish requested; `info` says which.
  [[nodiscard]] Status PublishEverySave(InodeId file, const std::vector<ChunkRef>& chunks,
                                        TimeNs now, VersionInfo& info);
  // Whether the caller sees version `v` of a file.
  bool Sees(const VersionInfo& v) const;
  // `attrs` (the team catalog's numbers) as the caller sees them, in place: one query for all.
  [[nodiscard]] Status AsSeen(const std::vector<Attributes*>& attrs);
  [[nodiscard]] Result<Attributes> AsSeen(Attributes a);
  // PermissionDenied unless the caller may change the workspace.
  [[nodiscard]] Status Writer() const;
  // `path` (from the namespace's root) relative to the workspace's root; nullopt outside it.
  std::optional<std::string> Relative(const std::string& path) const;
  // The trash entry `id` of the workspace (NotFound for another's).
  [[nodiscard]] Result<TrashEntry> OwnTrashEntry(uint64_t id);

  Catalog& team_;
  const Workspace workspace_;
  const InodeId root_;
  const Role role_;
  WorkspaceIndex& index_;
  const std::string caller_;
  const LockFence* const fence_;
};

}  // namespace reel
