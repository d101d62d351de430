// CatalogWrapper: a Catalog that forwards every call to another one (through Target()), as
// leveldb's EnvWrapper does for its Env. Subclass it and override the few calls to change (tests
// inject faults this way).
#pragma once

#include <memory>
#include <utility>

#include "catalog/catalog.h"

namespace reel {

class CatalogWrapper : public Catalog {
 public:
  explicit CatalogWrapper(std::unique_ptr<Catalog> inner) : inner_(std::move(inner)) {}

  Result<Attributes> Lookup(InodeId parent, const std::string& name) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->Lookup(parent, name);
  }
  Result<Attributes> GetAttributes(InodeId ino) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->GetAttributes(ino);
  }
  Result<std::vector<DirEntry>> ReadDir(InodeId parent, uint64_t after, size_t limit) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->ReadDir(parent, after, limit);
  }
  Result<Attributes> CreateNode(InodeId parent, const std::string& name, const NewNode& node,
                                TimeNs now) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->CreateNode(parent, name, node, now);
  }
  Result<std::vector<InodeId>> ReserveInodes(uint32_t count) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->ReserveInodes(count);
  }
  Result<std::vector<NodeCreated>> CreateNodes(const std::vector<NodeCreate>& creates) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->CreateNodes(creates);
  }
  Result<Attributes> Link(InodeId ino, InodeId new_parent, const std::string& new_name,
                          TimeNs now) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->Link(ino, new_parent, new_name, now);
  }
  Result<UnlinkResult> Unlink(InodeId parent, const std::string& name, TimeNs now) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->Unlink(parent, name, now);
  }
  Status RemoveDir(InodeId parent, const std::string& name, TimeNs now) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->RemoveDir(parent, name, now);
  }
  Result<RenameResult> Rename(InodeId old_parent, const std::string& old_name, InodeId new_parent,
                              const std::string& new_name, RenameMode mode, TimeNs now) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->Rename(old_parent, old_name, new_parent, new_name, mode, now);
  }
  Result<Attributes> SetAttributes(InodeId ino, const AttrUpdate& update, TimeNs now) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->SetAttributes(ino, update, now);
  }
  Result<std::string> ReadSymlink(InodeId ino) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->ReadSymlink(ino);
  }
  Result<std::string> PathOf(InodeId ino) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->PathOf(ino);
  }
  Result<VersionInfo> CommitVersion(InodeId ino, const NewVersion& v, TimeNs now) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->CommitVersion(ino, v, now);
  }
  Result<std::vector<VersionInfo>> ListVersions(InodeId ino) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->ListVersions(ino);
  }
  Result<Version> GetVersion(InodeId ino, uint64_t number) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->GetVersion(ino, number);
  }
  Result<std::string> GetXattr(InodeId ino, const std::string& name) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->GetXattr(ino, name);
  }
  Status SetXattr(InodeId ino, const std::string& name, const std::string& value, bool create_only,
                  bool replace_only) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->SetXattr(ino, name, value, create_only, replace_only);
  }
  Result<std::vector<std::optional<VersionInfo>>> NewestSharedVersions(
      const std::vector<InodeId>& inos, const std::string& author) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->NewestSharedVersions(inos, author);
  }
  Result<std::vector<std::vector<std::string>>> ListXattrsOf(
      const std::vector<InodeId>& inos) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->ListXattrsOf(inos);
  }
  Result<std::vector<std::string>> ListXattrs(InodeId ino) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->ListXattrs(ino);
  }
  Status RemoveXattr(InodeId ino, const std::string& name) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->RemoveXattr(ino, name);
  }
  Result<std::vector<TrashEntry>> ListTrash() override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->ListTrash();
  }
  Result<Attributes> RestoreFromTrash(uint64_t trash_id, InodeId parent, const std::string& name,
                                      TimeNs now) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->RestoreFromTrash(trash_id, parent, name, now);
  }
  Result<uint64_t> PurgeTrash(TimeNs cutoff, const std::vector<InodeId>& keep,
                              TimeNs now) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->PurgeTrash(cutoff, keep, now);
  }
  Result<bool> HasChunk(const ChunkId& id) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->HasChunk(id);
  }
  Result<std::vector<ChunkRecord>> ListUnreferencedChunks(TimeNs cutoff) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->ListUnreferencedChunks(cutoff);
  }
  Result<bool> DeleteChunkIfUnreferenced(const ChunkId& id) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->DeleteChunkIfUnreferenced(id);
  }
  Status ForEachChunk(const std::function<bool(const ChunkRecord&)>& visit) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->ForEachChunk(visit);
  }
  Status AddChunkTiers(const std::vector<ChunkId>& ids, TierMask tiers) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->AddChunkTiers(ids, tiers);
  }
  Result<std::vector<TierMask>> GetChunkTiers(const std::vector<ChunkId>& ids) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->GetChunkTiers(ids);
  }
  Status RequestPublish(InodeId ino, uint64_t number) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->RequestPublish(ino, number);
  }
  Result<std::vector<std::pair<InodeId, uint64_t>>> ListPendingPublishes() override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->ListPendingPublishes();
  }
  Status MarkPublished(InodeId ino, uint64_t number, TimeNs now) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->MarkPublished(ino, number, now);
  }
  Status RecordPackUpload(TierMask tier, const std::string& pack,
                          const std::vector<PackMember>& members) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->RecordPackUpload(tier, pack, members);
  }
  Result<std::vector<ChunkLocation>> GetChunkLocations(const std::vector<ChunkId>& ids) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->GetChunkLocations(ids);
  }
  Result<std::vector<ChunkLocation>> ListPackMembers(TierMask tier,
                                                     const std::string& pack) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->ListPackMembers(tier, pack);
  }
  Result<uint64_t> CountPackMembers(TierMask tier, const std::string& pack) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->CountPackMembers(tier, pack);
  }
  Result<std::vector<ChunkLocation>> RemoveChunkLocations(const ChunkId& id) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->RemoveChunkLocations(id);
  }
  Result<std::string> GetDriveId() override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->GetDriveId();
  }
  Status SetDriveId(const std::string& id) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->SetDriveId(id);
  }
  Status BackupTo(const std::string& path) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->BackupTo(path);
  }
  Result<EventPage> ReadEvents(const EventQuery& query) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->ReadEvents(query);
  }
  Result<uint64_t> TrimEvents(TimeNs before) override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->TrimEvents(before);
  }
  Result<CatalogStats> Stats() override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->Stats();
  }
  Status Sync() override {
    REEL_ASSIGN_OR_RETURN(Catalog* c, Target());
    return c->Sync();
  }

 protected:
  Catalog* inner() const { return inner_.get(); }
  // The catalog a forwarded call goes to. A subclass may first do what every call needs done
  // before it (CreateAheadCatalog sends the creates it holds), or fail the call.
  virtual Result<Catalog*> Target() { return inner_.get(); }

 private:
  std::unique_ptr<Catalog> inner_;
};

}  // namespace reel
