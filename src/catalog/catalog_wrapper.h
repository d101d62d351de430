// CatalogWrapper: a Catalog that forwards every call to another one, as leveldb's EnvWrapper does
// for its Env. Subclass it and override the few calls to change (tests inject faults this way).
#pragma once

#include <memory>
#include <utility>

#include "catalog/catalog.h"

namespace reel {

class CatalogWrapper : public Catalog {
 public:
  explicit CatalogWrapper(std::unique_ptr<Catalog> inner) : inner_(std::move(inner)) {}

  Result<Attributes> Lookup(InodeId parent, const std::string& name) override {
    return inner_->Lookup(parent, name);
  }
  Result<Attributes> GetAttributes(InodeId ino) override { return inner_->GetAttributes(ino); }
  Result<std::vector<DirEntry>> ReadDir(InodeId parent, uint64_t after, size_t limit) override {
    return inner_->ReadDir(parent, after, limit);
  }
  Result<Attributes> CreateNode(InodeId parent, const std::string& name, const NewNode& node,
                                TimeNs now) override {
    return inner_->CreateNode(parent, name, node, now);
  }
  Result<Attributes> Link(InodeId ino, InodeId new_parent, const std::string& new_name,
                          TimeNs now) override {
    return inner_->Link(ino, new_parent, new_name, now);
  }
  Result<UnlinkResult> Unlink(InodeId parent, const std::string& name, TimeNs now) override {
    return inner_->Unlink(parent, name, now);
  }
  Status RemoveDir(InodeId parent, const std::string& name, TimeNs now) override {
    return inner_->RemoveDir(parent, name, now);
  }
  Result<RenameResult> Rename(InodeId old_parent, const std::string& old_name, InodeId new_parent,
                              const std::string& new_name, RenameMode mode, TimeNs now) override {
    return inner_->Rename(old_parent, old_name, new_parent, new_name, mode, now);
  }
  Result<Attributes> SetAttributes(InodeId ino, const AttrUpdate& update, TimeNs now) override {
    return inner_->SetAttributes(ino, update, now);
  }
  Result<std::string> ReadSymlink(InodeId ino) override { return inner_->ReadSymlink(ino); }
  Result<std::string> PathOf(InodeId ino) override { return inner_->PathOf(ino); }
  Result<VersionInfo> CommitVersion(InodeId ino, const NewVersion& v, TimeNs now) override {
    return inner_->CommitVersion(ino, v, now);
  }
  Result<std::vector<VersionInfo>> ListVersions(InodeId ino) override {
    return inner_->ListVersions(ino);
  }
  Result<Version> GetVersion(InodeId ino, uint64_t number) override {
    return inner_->GetVersion(ino, number);
  }
  Result<std::string> GetXattr(InodeId ino, const std::string& name) override {
    return inner_->GetXattr(ino, name);
  }
  Status SetXattr(InodeId ino, const std::string& name, const std::string& value, bool create_only,
                  bool replace_only) override {
    return inner_->SetXattr(ino, name, value, create_only, replace_only);
  }
  Result<std::vector<std::vector<std::string>>> ListXattrsOf(
      const std::vector<InodeId>& inos) override {
    return inner_->ListXattrsOf(inos);
  }
  Result<std::vector<std::string>> ListXattrs(InodeId ino) override {
    return inner_->ListXattrs(ino);
  }
  Status RemoveXattr(InodeId ino, const std::string& name) override {
    return inner_->RemoveXattr(ino, name);
  }
  Result<std::vector<TrashEntry>> ListTrash() override { return inner_->ListTrash(); }
  Result<Attributes> RestoreFromTrash(uint64_t trash_id, InodeId parent, const std::string& name,
                                      TimeNs now) override {
    return inner_->RestoreFromTrash(trash_id, parent, name, now);
  }
  Result<uint64_t> PurgeTrash(TimeNs cutoff, const std::vector<InodeId>& keep,
                              TimeNs now) override {
    return inner_->PurgeTrash(cutoff, keep, now);
  }
  Result<bool> HasChunk(const ChunkId& id) override { return inner_->HasChunk(id); }
  Result<std::vector<ChunkRecord>> ListUnreferencedChunks(TimeNs cutoff) override {
    return inner_->ListUnreferencedChunks(cutoff);
  }
  Result<bool> DeleteChunkIfUnreferenced(const ChunkId& id) override {
    return inner_->DeleteChunkIfUnreferenced(id);
  }
  Status ForEachChunk(const std::function<bool(const ChunkRecord&)>& visit) override {
    return inner_->ForEachChunk(visit);
  }
  Status AddChunkTiers(const std::vector<ChunkId>& ids, TierMask tiers) override {
    return inner_->AddChunkTiers(ids, tiers);
  }
  Result<std::vector<TierMask>> GetChunkTiers(const std::vector<ChunkId>& ids) override {
    return inner_->GetChunkTiers(ids);
  }
  Status RequestPublish(InodeId ino, uint64_t number) override {
    return inner_->RequestPublish(ino, number);
  }
  Result<std::vector<std::pair<InodeId, uint64_t>>> ListPendingPublishes() override {
    return inner_->ListPendingPublishes();
  }
  Status MarkPublished(InodeId ino, uint64_t number, TimeNs now) override {
    return inner_->MarkPublished(ino, number, now);
  }
  Status RecordPackUpload(TierMask tier, const std::string& pack,
                          const std::vector<PackMember>& members) override {
    return inner_->RecordPackUpload(tier, pack, members);
  }
  Result<std::vector<ChunkLocation>> GetChunkLocations(const std::vector<ChunkId>& ids) override {
    return inner_->GetChunkLocations(ids);
  }
  Result<std::vector<ChunkLocation>> ListPackMembers(TierMask tier,
                                                     const std::string& pack) override {
    return inner_->ListPackMembers(tier, pack);
  }
  Result<uint64_t> CountPackMembers(TierMask tier, const std::string& pack) override {
    return inner_->CountPackMembers(tier, pack);
  }
  Result<std::vector<ChunkLocation>> RemoveChunkLocations(const ChunkId& id) override {
    return inner_->RemoveChunkLocations(id);
  }
  Result<std::string> GetDriveId() override { return inner_->GetDriveId(); }
  Status SetDriveId(const std::string& id) override { return inner_->SetDriveId(id); }
  Status BackupTo(const std::string& path) override { return inner_->BackupTo(path); }
  Result<CatalogStats> Stats() override { return inner_->Stats(); }
  Status Sync() override { return inner_->Sync(); }

 protected:
  Catalog* inner() const { return inner_.get(); }

 private:
  std::unique_ptr<Catalog> inner_;
};

}  // namespace reel
