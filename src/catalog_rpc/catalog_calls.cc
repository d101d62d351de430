#include "catalog_rpc/catalog_calls.h"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>

#include "catalog_rpc/catalog_json.h"
#include "catalog_rpc/dir_entries_json.h"
#include "common/hex.h"

namespace reel {

using nlohmann::json;

namespace {

using Handler = std::function<Result<json>(Catalog&, const json&)>;
// A call whose answer is written without a document (dir_entries_json.h).
using TextHandler = std::function<Result<std::string>(Catalog&, const json&)>;

struct CallEntry {
  CatalogCallInfo info;
  Handler run;       // the answer as a document, written out by ServeCatalogCall
  TextHandler text = nullptr;  // or its JSON text (when `run` is empty)
};

template <typename T>
T Arg(const json& a, const char* key) {
  return a.at(key).get<T>();
}

// A name, path or symlink target (catalog_json.h BytesJson).
std::string Name(const json& a, const char* key) { return BytesFrom(a.at(key)); }

template <typename T>
Result<json> OutBytes(const char* key, Result<T> r);

template <>
Result<json> OutBytes(const char* key, Result<std::string> r) {
  if (!r.ok()) return r.status();
  return json{{key, BytesJson(*r)}};
}

template <>
Result<json> OutBytes(const char* key, Result<std::vector<std::string>> r) {
  if (!r.ok()) return r.status();
  json list = json::array();
  for (const std::string& s : *r) list.push_back(BytesJson(s));
  return json{{key, std::move(list)}};
}

std::string HexArg(const json& a, const char* key) {
  auto raw = FromHex(a.at(key).get<std::string>());
  if (!raw) throw std::invalid_argument(std::string(key) + " is not hex");
  return std::string(raw->begin(), raw->end());
}

template <typename T>
Result<json> Out(Result<T> r) {
  if (!r.ok()) return r.status();
  return json(*r);
}

template <typename T>
Result<json> OutAs(const char* key, Result<T> r) {
  if (!r.ok()) return r.status();
  return json{{key, *r}};
}

Result<json> Done(const Status& s) {
  if (!s.ok()) return s;
  return json{{"ok", true}};
}

constexpr auto kRead = CatalogCallKind::kRead;
constexpr auto kChange = CatalogCallKind::kChange;

const std::vector<CallEntry>& Table() {
  static const std::vector<CallEntry> kTable = {
      {{"lookup", kRead, {"parent", "name"}},
       [](Catalog& c, const json& a) {
         return Out(c.Lookup(Arg<InodeId>(a, "parent"), Name(a, "name")));
       }},
      {{"getattr", kRead, {"ino"}},
       [](Catalog& c, const json& a) { return Out(c.GetAttributes(Arg<InodeId>(a, "ino"))); }},
      {{"readdir", kRead, {"parent", "after", "limit"}},
       nullptr,
       [](Catalog& c, const json& a) -> Result<std::string> {
         const size_t limit = std::min(Arg<size_t>(a, "limit"), kMaxReadDirPerCall);
         REEL_ASSIGN_OR_RETURN(std::vector<DirEntry> entries,
                               c.ReadDir(Arg<InodeId>(a, "parent"), Arg<uint64_t>(a, "after"),
                                         limit));
         return DirEntriesJson(entries);
       }},
      {{"create", kChange, {"parent", "name", "node", "now"}},
       [](Catalog& c, const json& a) {
         return Out(c.CreateNode(Arg<InodeId>(a, "parent"), Name(a, "name"),
                                 Arg<NewNode>(a, "node"), Arg<TimeNs>(a, "now")));
       }},
      {{"reserve_inodes", kChange, {"count"}},
       [](Catalog& c, const json& a) {
         return OutAs("inodes", c.ReserveInodes(Arg<uint32_t>(a, "count")));
       }},
      {{"create_nodes", kChange, {"creates"}},
       [](Catalog& c, const json& a) {
         return OutAs("created", c.CreateNodes(Arg<std::vector<NodeCreate>>(a, "creates")));
       }},
      {{"link", kChange, {"ino", "new_parent", "new_name", "now"}},
       [](Catalog& c, const json& a) {
         return Out(c.Link(Arg<InodeId>(a, "ino"), Arg<InodeId>(a, "new_parent"),
                           Name(a, "new_name"), Arg<TimeNs>(a, "now")));
       }},
      {{"unlink", kChange, {"parent", "name", "now"}},
       [](Catalog& c, const json& a) {
         return Out(c.Unlink(Arg<InodeId>(a, "parent"), Name(a, "name"), Arg<TimeNs>(a, "now")));
       }},
      {{"rmdir", kChange, {"parent", "name", "now"}},
       [](Catalog& c, const json& a) {
         return Done(
             c.RemoveDir(Arg<InodeId>(a, "parent"), Name(a, "name"), Arg<TimeNs>(a, "now")));
       }},
      {{"rename", kChange, {"old_parent", "old_name", "new_parent", "new_name", "mode", "now"}},
       [](Catalog& c, const json& a) {
         return Out(c.Rename(Arg<InodeId>(a, "old_parent"), Name(a, "old_name"),
                             Arg<InodeId>(a, "new_parent"), Name(a, "new_name"),
                             Arg<RenameMode>(a, "mode"), Arg<TimeNs>(a, "now")));
       }},
      {{"setattr", kChange, {"ino", "update", "now"}},
       [](Catalog& c, const json& a) {
         return Out(c.SetAttributes(Arg<InodeId>(a, "ino"), Arg<AttrUpdate>(a, "update"),
                                    Arg<TimeNs>(a, "now")));
       }},
      {{"readlink", kRead, {"ino"}},
       [](Catalog& c, const json& a) {
         return OutBytes("target", c.ReadSymlink(Arg<InodeId>(a, "ino")));
       }},
      {{"path_of", kRead, {"ino"}},
       [](Catalog& c, const json& a) {
         return OutBytes("path", c.PathOf(Arg<InodeId>(a, "ino")));
       }},
      {{"commit", kChange, {"ino", "version", "now"}},
       [](Catalog& c, const json& a) {
         return Out(c.CommitVersion(Arg<InodeId>(a, "ino"), Arg<NewVersion>(a, "version"),
                                    Arg<TimeNs>(a, "now")));
       }},
      {{"list_versions", kRead, {"ino"}},
       [](Catalog& c, const json& a) {
         return OutAs("versions", c.ListVersions(Arg<InodeId>(a, "ino")));
       }},
      {{"get_version", kRead, {"ino", "number"}},
       [](Catalog& c, const json& a) {
         return Out(c.GetVersion(Arg<InodeId>(a, "ino"), Arg<uint64_t>(a, "number")));
       }},
      {{"get_xattr", kRead, {"ino", "name"}},
       [](Catalog& c, const json& a) -> Result<json> {
         REEL_ASSIGN_OR_RETURN(std::string value,
                               c.GetXattr(Arg<InodeId>(a, "ino"), Name(a, "name")));
         return json{
             {"value_hex", ToHex(std::span<const uint8_t>(
                               reinterpret_cast<const uint8_t*>(value.data()), value.size()))}};
       }},
      {{"set_xattr", kChange, {"ino", "name", "value_hex", "create_only", "replace_only"}},
       [](Catalog& c, const json& a) {
         return Done(c.SetXattr(Arg<InodeId>(a, "ino"), Name(a, "name"), HexArg(a, "value_hex"),
                                Arg<bool>(a, "create_only"), Arg<bool>(a, "replace_only")));
       }},
      {{"list_xattrs", kRead, {"ino"}},
       [](Catalog& c, const json& a) {
         return OutBytes("names", c.ListXattrs(Arg<InodeId>(a, "ino")));
       }},
      {{"list_xattrs_of", kRead, {"inos"}},
       [](Catalog& c, const json& a) -> Result<json> {
         const auto inos = Arg<std::vector<InodeId>>(a, "inos");
         if (inos.size() > kMaxReadDirPerCall) {
           return Status::InvalidArgument("list_xattrs_of takes at most " +
                                          std::to_string(kMaxReadDirPerCall) + " inodes");
         }
         REEL_ASSIGN_OR_RETURN(auto lists, c.ListXattrsOf(inos));
         json out = json::array();
         for (const auto& names : lists) {
           json one = json::array();
           for (const std::string& n : names) one.push_back(BytesJson(n));
           out.push_back(std::move(one));
         }
         return json{{"names", std::move(out)}};
       }},
      {{"remove_xattr", kChange, {"ino", "name"}},
       [](Catalog& c, const json& a) {
         return Done(c.RemoveXattr(Arg<InodeId>(a, "ino"), Name(a, "name")));
       }},
      {{"list_trash", kRead, {}},
       [](Catalog& c, const json&) { return OutAs("entries", c.ListTrash()); }},
      {{"restore", kChange, {"trash_id", "parent", "name", "now"}},
       [](Catalog& c, const json& a) {
         return Out(c.RestoreFromTrash(Arg<uint64_t>(a, "trash_id"), Arg<InodeId>(a, "parent"),
                                       Name(a, "name"), Arg<TimeNs>(a, "now")));
       }},
      {{"purge_trash", kChange, {"cutoff", "keep", "now"}},
       [](Catalog& c, const json& a) {
         return OutAs("purged",
                      c.PurgeTrash(Arg<TimeNs>(a, "cutoff"), Arg<std::vector<InodeId>>(a, "keep"),
                                   Arg<TimeNs>(a, "now")));
       }},
      {{"has_chunk", kRead, {"id"}},
       [](Catalog& c, const json& a) {
         return OutAs("present", c.HasChunk(Arg<ChunkId>(a, "id")));
       }},
      {{"list_unreferenced_chunks", kRead, {"cutoff"}},
       [](Catalog& c, const json& a) {
         return OutAs("chunks", c.ListUnreferencedChunks(Arg<TimeNs>(a, "cutoff")));
       }},
      {{"delete_chunk_if_unreferenced", kChange, {"id"}},
       [](Catalog& c, const json& a) {
         return OutAs("deleted", c.DeleteChunkIfUnreferenced(Arg<ChunkId>(a, "id")));
       }},
      {{"add_chunk_tiers", kChange, {"ids", "tiers"}},
       [](Catalog& c, const json& a) {
         return Done(
             c.AddChunkTiers(Arg<std::vector<ChunkId>>(a, "ids"), Arg<TierMask>(a, "tiers")));
       }},
      {{"get_chunk_tiers", kRead, {"ids"}},
       [](Catalog& c, const json& a) {
         return OutAs("tiers", c.GetChunkTiers(Arg<std::vector<ChunkId>>(a, "ids")));
       }},
      {{"request_publish", kChange, {"ino", "number"}},
       [](Catalog& c, const json& a) {
         return Done(c.RequestPublish(Arg<InodeId>(a, "ino"), Arg<uint64_t>(a, "number")));
       }},
      {{"list_pending_publishes", kRead, {}},
       [](Catalog& c, const json&) { return OutAs("pending", c.ListPendingPublishes()); }},
      {{"mark_published", kChange, {"ino", "number", "now"}},
       [](Catalog& c, const json& a) {
         return Done(c.MarkPublished(Arg<InodeId>(a, "ino"), Arg<uint64_t>(a, "number"),
                                     Arg<TimeNs>(a, "now")));
       }},
      {{"record_pack_upload", kChange, {"tier", "pack", "members"}},
       [](Catalog& c, const json& a) {
         return Done(c.RecordPackUpload(Arg<TierMask>(a, "tier"), Arg<std::string>(a, "pack"),
                                        Arg<std::vector<PackMember>>(a, "members")));
       }},
      {{"get_chunk_locations", kRead, {"ids"}},
       [](Catalog& c, const json& a) {
         return OutAs("locations", c.GetChunkLocations(Arg<std::vector<ChunkId>>(a, "ids")));
       }},
      {{"list_pack_members", kRead, {"tier", "pack"}},
       [](Catalog& c, const json& a) {
         return OutAs("locations",
                      c.ListPackMembers(Arg<TierMask>(a, "tier"), Arg<std::string>(a, "pack")));
       }},
      {{"count_pack_members", kRead, {"tier", "pack"}},
       [](Catalog& c, const json& a) {
         return OutAs("count",
                      c.CountPackMembers(Arg<TierMask>(a, "tier"), Arg<std::string>(a, "pack")));
       }},
      {{"remove_chunk_locations", kChange, {"id"}},
       [](Catalog& c, const json& a) {
         return OutAs("locations", c.RemoveChunkLocations(Arg<ChunkId>(a, "id")));
       }},
      {{"get_drive_id", kRead, {}},
       [](Catalog& c, const json&) { return OutAs("id", c.GetDriveId()); }},
      {{"set_drive_id", kChange, {"id"}},
       [](Catalog& c, const json& a) { return Done(c.SetDriveId(Arg<std::string>(a, "id"))); }},
      {{"read_events", kRead, {"after", "limit"}},
       [](Catalog& c, const json& a) {
         EventQuery q;
         q.after = Arg<uint64_t>(a, "after");
         q.limit = Arg<size_t>(a, "limit");
         return Out(c.ReadEvents(q));
       }},
      {{"trim_events", kChange, {"before"}},
       [](Catalog& c, const json& a) {
         return OutAs("trimmed", c.TrimEvents(Arg<TimeNs>(a, "before")));
       }},
      {{"stats", kRead, {}}, [](Catalog& c, const json&) { return Out(c.Stats()); }},
      {{"sync", kRead, {}}, [](Catalog& c, const json&) { return Done(c.Sync()); }},
  };
  return kTable;
}

const CallEntry* FindEntry(std::string_view name) {
  for (const CallEntry& e : Table()) {
    if (e.info.name == name) return &e;
  }
  return nullptr;
}

Status CheckArgs(const CatalogCallInfo& call, const json& args) {
  if (!args.is_object()) {
    return Status::InvalidArgument("the arguments of " + std::string(call.name) +
                                   " are a JSON object");
  }
  for (const auto& [key, value] : args.items()) {
    if (std::find(call.args.begin(), call.args.end(), key) == call.args.end()) {
      return Status::InvalidArgument(std::string(call.name) + " takes no argument \"" +
                                     key.substr(0, 64) + "\"");
    }
  }
  for (std::string_view key : call.args) {
    if (!args.contains(std::string(key))) {
      return Status::InvalidArgument(std::string(call.name) + " needs the argument \"" +
                                     std::string(key) + "\"");
    }
  }
  return Status::Ok();
}

}  // namespace

const CatalogCallInfo* FindCatalogCall(std::string_view name) {
  const CallEntry* e = FindEntry(name);
  return e == nullptr ? nullptr : &e->info;
}

const std::vector<CatalogCallInfo>& CatalogCalls() {
  static const std::vector<CatalogCallInfo> kCalls = [] {
    std::vector<CatalogCallInfo> out;
    for (const CallEntry& e : Table()) out.push_back(e.info);
    return out;
  }();
  return kCalls;
}

Result<std::string> ServeCatalogCall(Catalog& catalog, const CatalogCallInfo& call,
                                     const json& args) {
  const CallEntry* entry = FindEntry(call.name);
  if (entry == nullptr) return Status::NotFound("no catalog call " + std::string(call.name));
  REEL_RETURN_IF_ERROR(CheckArgs(call, args));
  try {
    if (!entry->run) return entry->text(catalog, args);
    REEL_ASSIGN_OR_RETURN(json answer, entry->run(catalog, args));
    return answer.dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (const std::exception& e) {
    return Status::InvalidArgument("bad arguments to " + std::string(call.name) + ": " + e.what());
  }
}

}  // namespace reel
