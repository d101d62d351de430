// RemoteCatalog: a workspace's namespace through a team server (server/routes_catalog.cc), as a
// Catalog: what a team mount's engine runs on. Its root (inode 1) is the workspace's directory.
// Each method is one call (catalog_rpc/catalog_calls.h) with the client's bearer token; a change
// carries a request id that its retries keep, so a reply lost on the way back never applies a
// change twice. The server decides what the caller may do: a reader's changes are
// PermissionDenied, and so is the work that runs once for the whole team (trash purge, chunk
// collection, naming the drive). Names are bytes, as on a local disk (catalog_rpc/catalog_json.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "catalog/catalog.h"
#include "remote/team_client.h"

namespace reel {

class RemoteCatalog final : public Catalog {
 public:
  RemoteCatalog(TeamClientOptions client, std::string workspace);

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

  // The workspace's events (the server reads them in the workspace's scope; query.scope is not
  // sent).
  Result<EventPage> ReadEvents(const EventQuery& query) override;
  Result<uint64_t> TrimEvents(TimeNs before) override;
  Result<CatalogStats> Stats() override;
  Status Sync() override;

 private:
  // Makes call `name` with `args`; the answer's JSON.
  [[nodiscard]] Result<nlohmann::json> Call(std::string_view name, const nlohmann::json& args);
  // Call's answer as the server wrote it.
  [[nodiscard]] Result<std::string> CallText(std::string_view name, const nlohmann::json& args);
  // The answer decoded as a T (the whole answer, or its field `key`), by `decode` when given.
  template <typename T>
  [[nodiscard]] Result<T> CallFor(std::string_view name, const nlohmann::json& args,
                                  const char* key = nullptr,
                                  T (*decode)(const nlohmann::json&) = nullptr);
  [[nodiscard]] Status CallDone(std::string_view name, const nlohmann::json& args);

  TeamClient client_;
  const std::string workspace_;
};

}  // namespace reel
