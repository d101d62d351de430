#include "remote/remote_catalog.h"

#include <algorithm>
#include <iterator>

#include "catalog_rpc/catalog_calls.h"
#include "catalog_rpc/catalog_json.h"
#include "catalog_rpc/dir_entries_json.h"
#include "common/hex.h"
#include "common/percent_encode.h"
#include "http/json_client.h"

namespace reel {

using nlohmann::json;

namespace {

std::string HexOf(const std::string& bytes) {
  return ToHex(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

}  // namespace

RemoteCatalog::RemoteCatalog(TeamClientOptions client, std::string workspace)
    : client_(std::move(client)), workspace_(std::move(workspace)) {}

Result<json> RemoteCatalog::Call(std::string_view name, const json& args) {
  REEL_ASSIGN_OR_RETURN(std::string text, CallText(name, args));
  return http::ParseAnswer(text, client_.url());
}

Result<std::string> RemoteCatalog::CallText(std::string_view name, const json& args) {
  const std::string target =
      "/v1/workspaces/" + PercentEncode(workspace_) + "/catalog/" + std::string(name);
  try {
    return client_.CallText("POST", target, args);
  } catch (const json::exception& e) {  // a value that is neither UTF-8 nor sent as bytes
    return Status::InvalidArgument("cannot send " + std::string(name) + ": " + e.what());
  }
}

template <typename T>
Result<T> RemoteCatalog::CallFor(std::string_view name, const json& args, const char* key,
                                 T (*decode)(const json&)) {
  REEL_ASSIGN_OR_RETURN(json answer, Call(name, args));
  try {
    const json& value = key == nullptr ? answer : answer.at(key);
    return decode != nullptr ? decode(value) : value.get<T>();
  } catch (const std::exception& e) {
    return Status::Internal("bad answer to " + std::string(name) + " from " + client_.url() + ": " +
                            e.what());
  }
}

Status RemoteCatalog::CallDone(std::string_view name, const json& args) {
  return Call(name, args).status();
}

// --- namespace ---

Result<Attributes> RemoteCatalog::Lookup(InodeId parent, const std::string& name) {
  return CallFor<Attributes>("lookup", {{"parent", parent}, {"name", BytesJson(name)}});
}

Result<Attributes> RemoteCatalog::GetAttributes(InodeId ino) {
  return CallFor<Attributes>("getattr", {{"ino", ino}});
}

// A call answers at most kMaxReadDirPerCall entries: more are asked for page by page, so that
// fewer than `limit` entries still means the end of the directory.
Result<std::vector<DirEntry>> RemoteCatalog::ReadDir(InodeId parent, uint64_t after, size_t limit) {
  std::vector<DirEntry> out;
  while (out.size() < limit) {
    const size_t ask = std::min(limit - out.size(), kMaxReadDirPerCall);
    REEL_ASSIGN_OR_RETURN(
        std::string answer,
        CallText("readdir", {{"parent", parent}, {"after", after}, {"limit", ask}}));
    std::vector<DirEntry> page;
    try {
      page = DirEntriesFromJson(answer);  // one pass: no document of thousands of entries
    } catch (const std::exception& e) {
      return Status::Internal("bad answer to readdir from " + client_.url() + ": " + e.what());
    }
    const bool last = page.size() < ask;
    if (!page.empty()) after = page.back().cookie;
    out.insert(out.end(), std::make_move_iterator(page.begin()),
               std::make_move_iterator(page.end()));
    if (last) break;
  }
  return out;
}

Result<Attributes> RemoteCatalog::CreateNode(InodeId parent, const std::string& name,
                                             const NewNode& node, TimeNs now) {
  return CallFor<Attributes>(
      "create", {{"parent", parent}, {"name", BytesJson(name)}, {"node", node}, {"now", now}});
}

Result<std::vector<InodeId>> RemoteCatalog::ReserveInodes(uint32_t count) {
  return CallFor<std::vector<InodeId>>("reserve_inodes", {{"count", count}}, "inodes");
}

Result<std::vector<NodeCreated>> RemoteCatalog::CreateNodes(const std::vector<NodeCreate>& creates) {
  return CallFor<std::vector<NodeCreated>>("create_nodes", {{"creates", creates}}, "created");
}

Result<Attributes> RemoteCatalog::Link(InodeId ino, InodeId new_parent, const std::string& new_name,
                                       TimeNs now) {
  return CallFor<Attributes>(
      "link",
      {{"ino", ino}, {"new_parent", new_parent}, {"new_name", BytesJson(new_name)}, {"now", now}});
}

Result<UnlinkResult> RemoteCatalog::Unlink(InodeId parent, const std::string& name, TimeNs now) {
  return CallFor<UnlinkResult>("unlink",
                               {{"parent", parent}, {"name", BytesJson(name)}, {"now", now}});
}

Status RemoteCatalog::RemoveDir(InodeId parent, const std::string& name, TimeNs now) {
  return CallDone("rmdir", {{"parent", parent}, {"name", BytesJson(name)}, {"now", now}});
}

Result<RenameResult> RemoteCatalog::Rename(InodeId old_parent, const std::string& old_name,
                                           InodeId new_parent, const std::string& new_name,
                                           RenameMode mode, TimeNs now) {
  return CallFor<RenameResult>("rename", {{"old_parent", old_parent},
                                          {"old_name", BytesJson(old_name)},
                                          {"new_parent", new_parent},
                                          {"new_name", BytesJson(new_name)},
                                          {"mode", mode},
                                          {"now", now}});
}

Result<Attributes> RemoteCatalog::SetAttributes(InodeId ino, const AttrUpdate& update, TimeNs now) {
  return CallFor<Attributes>("setattr", {{"ino", ino}, {"update", update}, {"now", now}});
}

Result<std::string> RemoteCatalog::ReadSymlink(InodeId ino) {
  return CallFor<std::string>("readlink", {{"ino", ino}}, "target", BytesFrom);
}

Result<std::string> RemoteCatalog::PathOf(InodeId ino) {
  return CallFor<std::string>("path_of", {{"ino", ino}}, "path", BytesFrom);
}

// --- versions ---

Result<VersionInfo> RemoteCatalog::CommitVersion(InodeId ino, const NewVersion& v, TimeNs now) {
  return CallFor<VersionInfo>("commit", {{"ino", ino}, {"version", v}, {"now", now}});
}

Result<std::vector<VersionInfo>> RemoteCatalog::ListVersions(InodeId ino) {
  return CallFor<std::vector<VersionInfo>>("list_versions", {{"ino", ino}}, "versions");
}

Result<Version> RemoteCatalog::GetVersion(InodeId ino, uint64_t number) {
  return CallFor<Version>("get_version", {{"ino", ino}, {"number", number}});
}

// --- extended attributes ---

Result<std::string> RemoteCatalog::GetXattr(InodeId ino, const std::string& name) {
  REEL_ASSIGN_OR_RETURN(
      std::string hex,
      CallFor<std::string>("get_xattr", {{"ino", ino}, {"name", BytesJson(name)}}, "value_hex"));
  auto raw = FromHex(hex);
  if (!raw) return Status::Internal("bad answer to get_xattr from " + client_.url());
  return std::string(raw->begin(), raw->end());
}

Status RemoteCatalog::SetXattr(InodeId ino, const std::string& name, const std::string& value,
                               bool create_only, bool replace_only) {
  return CallDone("set_xattr", {{"ino", ino},
                                {"name", BytesJson(name)},
                                {"value_hex", HexOf(value)},
                                {"create_only", create_only},
                                {"replace_only", replace_only}});
}

Result<std::vector<std::string>> RemoteCatalog::ListXattrs(InodeId ino) {
  return CallFor<std::vector<std::string>>("list_xattrs", {{"ino", ino}}, "names",
                                           [](const json& names) {
                                             std::vector<std::string> out;
                                             for (const json& n : names)
                                               out.push_back(BytesFrom(n));
                                             return out;
                                           });
}

Result<std::vector<std::vector<std::string>>> RemoteCatalog::ListXattrsOf(
    const std::vector<InodeId>& inos) {
  using Lists = std::vector<std::vector<std::string>>;
  const auto decode = [](const json& lists) {
    Lists out;
    for (const json& names : lists) {
      std::vector<std::string>& one = out.emplace_back();
      for (const json& n : names) one.push_back(BytesFrom(n));
    }
    return out;
  };
  Lists out;
  out.reserve(inos.size());
  for (size_t at = 0; at < inos.size(); at += kMaxReadDirPerCall) {  // the call's limit
    const std::vector<InodeId> part(
        inos.begin() + static_cast<ptrdiff_t>(at),
        inos.begin() + static_cast<ptrdiff_t>(std::min(inos.size(), at + kMaxReadDirPerCall)));
    REEL_ASSIGN_OR_RETURN(Lists lists,
                          CallFor<Lists>("list_xattrs_of", {{"inos", part}}, "names", decode));
    out.insert(out.end(), std::make_move_iterator(lists.begin()),
               std::make_move_iterator(lists.end()));
  }
  return out;
}

Status RemoteCatalog::RemoveXattr(InodeId ino, const std::string& name) {
  return CallDone("remove_xattr", {{"ino", ino}, {"name", BytesJson(name)}});
}

// --- trash ---

Result<std::vector<TrashEntry>> RemoteCatalog::ListTrash() {
  return CallFor<std::vector<TrashEntry>>("list_trash", json::object(), "entries");
}

Result<Attributes> RemoteCatalog::RestoreFromTrash(uint64_t trash_id, InodeId parent,
                                                   const std::string& name, TimeNs now) {
  return CallFor<Attributes>(
      "restore",
      {{"trash_id", trash_id}, {"parent", parent}, {"name", BytesJson(name)}, {"now", now}});
}

Result<uint64_t> RemoteCatalog::PurgeTrash(TimeNs cutoff, const std::vector<InodeId>& keep,
                                           TimeNs now) {
  return CallFor<uint64_t>("purge_trash", {{"cutoff", cutoff}, {"keep", keep}, {"now", now}},
                           "purged");
}

// --- chunks ---

Result<bool> RemoteCatalog::HasChunk(const ChunkId& id) {
  return CallFor<bool>("has_chunk", {{"id", id}}, "present");
}

Result<std::vector<ChunkRecord>> RemoteCatalog::ListUnreferencedChunks(TimeNs cutoff) {
  return CallFor<std::vector<ChunkRecord>>("list_unreferenced_chunks", {{"cutoff", cutoff}},
                                           "chunks");
}

Result<bool> RemoteCatalog::DeleteChunkIfUnreferenced(const ChunkId& id) {
  return CallFor<bool>("delete_chunk_if_unreferenced", {{"id", id}}, "deleted");
}

Status RemoteCatalog::ForEachChunk(const std::function<bool(const ChunkRecord&)>&) {
  return Status::PermissionDenied("walking every chunk is the team server's work");
}

// --- tiers and packs ---

Status RemoteCatalog::AddChunkTiers(const std::vector<ChunkId>& ids, TierMask tiers) {
  return CallDone("add_chunk_tiers", {{"ids", ids}, {"tiers", tiers}});
}

Result<std::vector<TierMask>> RemoteCatalog::GetChunkTiers(const std::vector<ChunkId>& ids) {
  return CallFor<std::vector<TierMask>>("get_chunk_tiers", {{"ids", ids}}, "tiers");
}

Status RemoteCatalog::RequestPublish(InodeId ino, uint64_t number) {
  return CallDone("request_publish", {{"ino", ino}, {"number", number}});
}

Result<std::vector<std::pair<InodeId, uint64_t>>> RemoteCatalog::ListPendingPublishes() {
  return CallFor<std::vector<std::pair<InodeId, uint64_t>>>("list_pending_publishes",
                                                            json::object(), "pending");
}

Status RemoteCatalog::MarkPublished(InodeId ino, uint64_t number, TimeNs now) {
  return CallDone("mark_published", {{"ino", ino}, {"number", number}, {"now", now}});
}

Status RemoteCatalog::RecordPackUpload(TierMask tier, const std::string& pack,
                                       const std::vector<PackMember>& members) {
  return CallDone("record_pack_upload", {{"tier", tier}, {"pack", pack}, {"members", members}});
}

Result<std::vector<ChunkLocation>> RemoteCatalog::GetChunkLocations(
    const std::vector<ChunkId>& ids) {
  return CallFor<std::vector<ChunkLocation>>("get_chunk_locations", {{"ids", ids}}, "locations");
}

Result<std::vector<ChunkLocation>> RemoteCatalog::ListPackMembers(TierMask tier,
                                                                  const std::string& pack) {
  return CallFor<std::vector<ChunkLocation>>("list_pack_members", {{"tier", tier}, {"pack", pack}},
                                             "locations");
}

Result<uint64_t> RemoteCatalog::CountPackMembers(TierMask tier, const std::string& pack) {
  return CallFor<uint64_t>("count_pack_members", {{"tier", tier}, {"pack", pack}}, "count");
}

Result<std::vector<ChunkLocation>> RemoteCatalog::RemoveChunkLocations(const ChunkId& id) {
  return CallFor<std::vector<ChunkLocation>>("remove_chunk_locations", {{"id", id}}, "locations");
}

// --- identity, backups, whole catalog ---

Result<std::string> RemoteCatalog::GetDriveId() {
  return CallFor<std::string>("get_drive_id", json::object(), "id");
}

Status RemoteCatalog::SetDriveId(const std::string& id) {
  return CallDone("set_drive_id", {{"id", id}});
}

Status RemoteCatalog::BackupTo(const std::string&) {
  return Status::NotSupported(
      "a team catalog is backed up on its database server (pg_dump), not through a workspace");
}

Result<EventPage> RemoteCatalog::ReadEvents(const EventQuery& query) {
  return CallFor<EventPage>("read_events", {{"after", query.after}, {"limit", query.limit}});
}

Result<uint64_t> RemoteCatalog::TrimEvents(TimeNs before) {
  return CallFor<uint64_t>("trim_events", {{"before", before}}, "trimmed");
}

Result<CatalogStats> RemoteCatalog::Stats() {
  return CallFor<CatalogStats>("stats", json::object());
}

Status RemoteCatalog::Sync() { return CallDone("sync", json::object()); }

}  // namespace reel
