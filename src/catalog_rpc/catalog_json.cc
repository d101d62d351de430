#include "catalog_rpc/catalog_json.h"

#include <cstdio>
#include <ctime>
#include <initializer_list>
#include <stdexcept>

#include "catalog/conflict_policy.h"
#include "common/hex.h"
#include "common/utf8.h"

namespace reel {

using nlohmann::json;

namespace {

template <typename T>
void Get(const json& j, const char* key, T& out) {
  j.at(key).get_to(out);
}

// A value a caller sends: an object with only the `allowed` keys.
void OnlyKeys(const json& j, std::initializer_list<const char*> allowed) {
  if (!j.is_object()) throw std::invalid_argument("expected a JSON object");
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) throw std::invalid_argument("unknown field \"" + key.substr(0, 64) + "\"");
  }
}

FileType ParseFileType(std::string_view name) {
  if (std::optional<FileType> t = FileTypeFromName(name)) return *t;
  throw std::invalid_argument("unknown file type \"" + std::string(name.substr(0, 32)) + "\"");
}

}  // namespace

std::optional<FileType> FileTypeFromName(std::string_view name) {
  for (auto t : {FileType::kRegular, FileType::kDirectory, FileType::kSymlink, FileType::kFifo,
                 FileType::kCharDevice, FileType::kBlockDevice, FileType::kSocket}) {
    if (FileTypeName(t) == name) return t;
  }
  return std::nullopt;
}

json BytesJson(const std::string& bytes) {
  if (IsUtf8(bytes)) return bytes;
  return json{{"hex", ToHex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()),
                                                     bytes.size()))}};
}

std::string BytesFrom(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object() && j.size() == 1 && j.contains("hex") && j["hex"].is_string()) {
    auto raw = FromHex(j["hex"].get<std::string>());
    if (raw) return std::string(raw->begin(), raw->end());
  }
  throw std::invalid_argument("expected a string or {\"hex\": ...}");
}

std::string_view VersionKindName(VersionKind kind) {
  switch (kind) {
    case VersionKind::kAutosave:
      return "autosave";
    case VersionKind::kCheckpoint:
      return "checkpoint";
    case VersionKind::kRestore:
      return "restore";
    case VersionKind::kRecovered:
      return "recovered";
    case VersionKind::kRejected:
      return "rejected";
  }
  return "autosave";
}

Result<VersionKind> ParseVersionKind(std::string_view name) {
  for (auto k : {VersionKind::kAutosave, VersionKind::kCheckpoint, VersionKind::kRestore,
                 VersionKind::kRecovered, VersionKind::kRejected}) {
    if (VersionKindName(k) == name) return k;
  }
  return Status::InvalidArgument("unknown version kind \"" + std::string(name.substr(0, 32)) +
                                 "\"");
}

std::string_view FileTypeName(FileType type) {
  switch (type) {
    case FileType::kRegular:
      return "file";
    case FileType::kDirectory:
      return "directory";
    case FileType::kSymlink:
      return "symlink";
    case FileType::kFifo:
      return "fifo";
    case FileType::kCharDevice:
      return "char_device";
    case FileType::kBlockDevice:
      return "block_device";
    case FileType::kSocket:
      return "socket";
  }
  return "file";
}

std::string_view RenameModeName(RenameMode mode) {
  switch (mode) {
    case RenameMode::kReplace:
      return "replace";
    case RenameMode::kNoReplace:
      return "noreplace";
    case RenameMode::kExchange:
      return "exchange";
    case RenameMode::kReplaceKeepHistory:
      return "replace_keep_history";
  }
  return "replace";
}

std::string_view ChangeKindName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kCreated:
      return "created";
    case ChangeKind::kLinked:
      return "linked";
    case ChangeKind::kRemoved:
      return "removed";
    case ChangeKind::kTrashed:
      return "trashed";
    case ChangeKind::kRenamed:
      return "renamed";
    case ChangeKind::kRestored:
      return "restored";
    case ChangeKind::kVersion:
      return "version";
    case ChangeKind::kPublished:
      return "published";
    case ChangeKind::kChanged:
      return "changed";
    case ChangeKind::kConflict:
      return "conflict";
    case ChangeKind::kLockTaken:
      return "lock_taken";
    case ChangeKind::kLockReleased:
      return "lock_released";
    case ChangeKind::kTask:
      return "task";
  }
  return "created";
}

Result<ChangeKind> ParseChangeKind(std::string_view name) {
  for (auto k : {ChangeKind::kCreated, ChangeKind::kLinked, ChangeKind::kRemoved,
                 ChangeKind::kTrashed, ChangeKind::kRenamed, ChangeKind::kRestored,
                 ChangeKind::kVersion, ChangeKind::kPublished, ChangeKind::kChanged,
                 ChangeKind::kConflict, ChangeKind::kLockTaken, ChangeKind::kLockReleased,
                 ChangeKind::kTask}) {
    if (ChangeKindName(k) == name) return k;
  }
  return Status::InvalidArgument("unknown event kind \"" + std::string(name.substr(0, 32)) +
                                 "\"");
}

std::string FormatIsoUtc(TimeNs t) {
  int64_t secs = t / 1000000000;
  int64_t ns = t % 1000000000;
  if (ns < 0) {
    ns += 1000000000;
    --secs;
  }
  time_t tt = static_cast<time_t>(secs);
  struct tm tm;
  if (::gmtime_r(&tt, &tm) == nullptr) return std::to_string(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ns / 1000000));
  return buf;
}

void to_json(json& j, const ChunkId& v) { j = v.Hex(); }

void from_json(const json& j, ChunkId& v) {
  auto id = ChunkId::FromHex(j.get<std::string>());
  if (!id) throw std::invalid_argument("a chunk id is 64 hex digits");
  v = *id;
}

void to_json(json& j, const ChunkRef& v) { j = json{{"id", v.id}, {"length", v.length}}; }

void from_json(const json& j, ChunkRef& v) {
  OnlyKeys(j, {"id", "length"});
  Get(j, "id", v.id);
  Get(j, "length", v.length);
}

void to_json(json& j, const Attributes& v) {
  j = json{{"ino", v.ino},
           {"type", FileTypeName(v.type)},
           {"mode", v.mode},
           {"uid", v.uid},
           {"gid", v.gid},
           {"nlink", v.nlink},
           {"size", v.size},
           {"atime_ns", v.atime},
           {"mtime_ns", v.mtime},
           {"ctime_ns", v.ctime},
           {"mtime", FormatIsoUtc(v.mtime)},
           {"version", v.version},
           {"rdev", v.rdev}};
}

void from_json(const json& j, Attributes& v) {
  Get(j, "ino", v.ino);
  v.type = ParseFileType(j.at("type").get<std::string>());
  Get(j, "mode", v.mode);
  Get(j, "uid", v.uid);
  Get(j, "gid", v.gid);
  Get(j, "nlink", v.nlink);
  Get(j, "size", v.size);
  Get(j, "atime_ns", v.atime);
  Get(j, "mtime_ns", v.mtime);
  Get(j, "ctime_ns", v.ctime);
  Get(j, "version", v.version);
  v.rdev = j.value("rdev", uint64_t{0});
}

void to_json(json& j, const DirEntry& v) {
  j = json{{"name", BytesJson(v.name)}, {"attr", v.attr}, {"cookie", v.cookie}};
}

void from_json(const json& j, DirEntry& v) {
  v.name = BytesFrom(j.at("name"));
  Get(j, "attr", v.attr);
  Get(j, "cookie", v.cookie);
}

void to_json(json& j, const NewNode& v) {
  j = json{{"type", FileTypeName(v.type)},
           {"mode", v.mode},
           {"uid", v.uid},
           {"gid", v.gid},
           {"symlink_target", BytesJson(v.symlink_target)},
           {"rdev", v.rdev}};
}

void from_json(const json& j, NewNode& v) {
  OnlyKeys(j, {"type", "mode", "uid", "gid", "symlink_target", "rdev"});
  v.type = ParseFileType(j.at("type").get<std::string>());
  Get(j, "mode", v.mode);
  Get(j, "uid", v.uid);
  Get(j, "gid", v.gid);
  v.symlink_target = BytesFrom(j.at("symlink_target"));
  Get(j, "rdev", v.rdev);
}

void to_json(json& j, const NodeCreate& v) {
  j = json{{"ino", v.ino},
           {"parent", v.parent},
           {"name", BytesJson(v.name)},
           {"node", v.node},
           {"now", v.now}};
}

void from_json(const json& j, NodeCreate& v) {
  OnlyKeys(j, {"ino", "parent", "name", "node", "now"});
  Get(j, "ino", v.ino);
  Get(j, "parent", v.parent);
  v.name = BytesFrom(j.at("name"));
  v.node = j.at("node").get<NewNode>();
  Get(j, "now", v.now);
  v.refuge = 0;
}

namespace {

constexpr std::pair<CreateOutcome, const char*> kOutcomes[] = {
    {CreateOutcome::kCreated, "created"},
    {CreateOutcome::kRenamed, "renamed"},
    {CreateOutcome::kRefuge, "refuge"},
    {CreateOutcome::kExisting, "existing"},
};

}  // namespace

void to_json(json& j, const NodeCreated& v) {
  const char* outcome = "created";
  for (const auto& [o, name] : kOutcomes) {
    if (o == v.outcome) outcome = name;
  }
  j = json{{"outcome", outcome}, {"parent", v.parent}, {"name", BytesJson(v.name)}, {"attr", v.attr}};
}

void from_json(const json& j, NodeCreated& v) {
  const std::string outcome = j.at("outcome").get<std::string>();
  bool known = false;
  for (const auto& [o, name] : kOutcomes) {
    if (outcome == name) {
      v.outcome = o;
      known = true;
    }
  }
  if (!known) throw std::invalid_argument("unknown create outcome \"" + outcome.substr(0, 32) + "\"");
  Get(j, "parent", v.parent);
  v.name = BytesFrom(j.at("name"));
  v.attr = j.at("attr").get<Attributes>();
}

void to_json(json& j, const AttrUpdate& v) {
  j = json::object();
  if (v.mode) j["mode"] = *v.mode;
  if (v.uid) j["uid"] = *v.uid;
  if (v.gid) j["gid"] = *v.gid;
  if (v.atime) j["atime_ns"] = *v.atime;
  if (v.mtime) j["mtime_ns"] = *v.mtime;
}

void from_json(const json& j, AttrUpdate& v) {
  OnlyKeys(j, {"mode", "uid", "gid", "atime_ns", "mtime_ns"});
  if (j.contains("mode")) v.mode = j.at("mode").get<uint32_t>();
  if (j.contains("uid")) v.uid = j.at("uid").get<uint32_t>();
  if (j.contains("gid")) v.gid = j.at("gid").get<uint32_t>();
  if (j.contains("atime_ns")) v.atime = j.at("atime_ns").get<TimeNs>();
  if (j.contains("mtime_ns")) v.mtime = j.at("mtime_ns").get<TimeNs>();
}

void to_json(json& j, const VersionInfo& v) {
  j = json{{"id", v.id},
           {"number", v.number},
           {"created_ns", v.created},
           {"created", FormatIsoUtc(v.created)},
           {"size", v.size},
           {"kind", VersionKindName(v.kind)},
           {"message", BytesJson(v.message)},
           {"chunk_count", v.chunk_count},
           {"published", v.published > 0   ? "yes"
                         : v.published < 0 ? "pending"
                                           : "no"},
           {"commit_id", v.commit_id}};
  if (!v.author.empty()) j["author"] = v.author;
  if (v.published > 0) {
    j["published_at"] = FormatIsoUtc(v.published);
    j["published_ns"] = v.published;
  }
  if (v.conflict) {
    j["conflict"] = ConflictPolicyName(*v.conflict);
    j["head"] = v.head;
    if (v.conflict_copy != 0) {
      j["conflict_copy"] = v.conflict_copy;
      j["conflict_copy_name"] = BytesJson(v.conflict_copy_name);
    }
  }
}

void from_json(const json& j, VersionInfo& v) {
  v.id = j.value("id", uint64_t{0});
  Get(j, "number", v.number);
  Get(j, "created_ns", v.created);
  Get(j, "size", v.size);
  auto kind = ParseVersionKind(j.at("kind").get<std::string>());
  if (!kind.ok()) throw std::invalid_argument(kind.status().message());
  v.kind = *kind;
  v.message = BytesFrom(j.at("message"));
  Get(j, "chunk_count", v.chunk_count);
  v.commit_id = j.value("commit_id", uint64_t{0});
  v.author = j.value("author", std::string());
  if (j.contains("published")) {
    std::string p = j.at("published").get<std::string>();
    v.published = p == "pending" ? -1 : 0;
    if (p == "yes") Get(j, "published_ns", v.published);
  }
  if (j.contains("conflict")) {
    auto policy = ParseConflictPolicy(j.at("conflict").get<std::string>());
    if (!policy.ok()) throw std::invalid_argument(policy.status().message());
    v.conflict = *policy;
    Get(j, "head", v.head);
    v.conflict_copy = j.value("conflict_copy", InodeId{0});
    if (j.contains("conflict_copy_name")) v.conflict_copy_name = BytesFrom(j.at("conflict_copy_name"));
  }
}

void to_json(json& j, const Version& v) { j = json{{"info", v.info}, {"chunks", v.chunks}}; }

void from_json(const json& j, Version& v) {
  Get(j, "info", v.info);
  Get(j, "chunks", v.chunks);
}

void to_json(json& j, const NewVersion& v) {
  j = json{{"size", v.size},
           {"chunks", v.chunks},
           {"kind", VersionKindName(v.kind)},
           {"message", BytesJson(v.message)},
           {"mtime_ns", v.mtime},
           {"commit_id", v.commit_id}};
  if (v.base) j["base"] = *v.base;
  if (v.fence != 0) j["fence"] = v.fence;
}

void from_json(const json& j, NewVersion& v) {
  OnlyKeys(j, {"size", "chunks", "kind", "message", "mtime_ns", "commit_id", "base", "fence"});
  Get(j, "size", v.size);
  Get(j, "chunks", v.chunks);
  auto kind = ParseVersionKind(j.at("kind").get<std::string>());
  if (!kind.ok()) throw std::invalid_argument(kind.status().message());
  if (*kind == VersionKind::kRejected) {
    throw std::invalid_argument("a commit cannot ask to be rejected");
  }
  v.kind = *kind;
  v.message = BytesFrom(j.at("message"));
  Get(j, "mtime_ns", v.mtime);
  Get(j, "commit_id", v.commit_id);
  if (j.contains("base")) v.base = j.at("base").get<uint64_t>();
  if (j.contains("fence")) v.fence = j.at("fence").get<uint64_t>();
}

void to_json(json& j, const LockHolderInfo& v) {
  j = json{{"ino", v.ino},
           {"flavor", LockFlavorName(v.lock.flavor)},
           {"type", LockTypeName(v.lock.type)},
           {"owner", v.lock.owner},
           {"first", v.lock.first},
           {"last", v.lock.last},
           {"pid", v.lock.pid},
           {"session", v.session},
           {"instance", v.instance},
           {"user", v.user},
           {"host", v.host},
           {"since_ns", v.since}};
}

void from_json(const json& j, LockHolderInfo& v) {
  Get(j, "ino", v.ino);
  auto flavor = ParseLockFlavor(j.at("flavor").get<std::string>());
  if (!flavor.ok()) throw std::invalid_argument(flavor.status().message());
  v.lock.flavor = *flavor;
  auto type = ParseLockType(j.at("type").get<std::string>());
  if (!type.ok()) throw std::invalid_argument(type.status().message());
  v.lock.type = *type;
  Get(j, "owner", v.lock.owner);
  Get(j, "first", v.lock.first);
  Get(j, "last", v.lock.last);
  Get(j, "pid", v.lock.pid);
  Get(j, "session", v.session);
  Get(j, "instance", v.instance);
  Get(j, "user", v.user);
  Get(j, "host", v.host);
  Get(j, "since_ns", v.since);
}

void to_json(json& j, const TrashEntry& v) {
  j = json{{"id", v.id},
           {"ino", v.ino},
           {"original_path", BytesJson(v.original_path)},
           {"deleted_ns", v.deleted},
           {"deleted", FormatIsoUtc(v.deleted)},
           {"size", v.size}};
}

void from_json(const json& j, TrashEntry& v) {
  Get(j, "id", v.id);
  Get(j, "ino", v.ino);
  v.original_path = BytesFrom(j.at("original_path"));
  Get(j, "deleted_ns", v.deleted);
  Get(j, "size", v.size);
}

void to_json(json& j, const ChangeEvent& v) {
  j = json{{"seq", v.seq},
           {"time_ns", v.time},
           {"time", FormatIsoUtc(v.time)},
           {"kind", ChangeKindName(v.kind)},
           {"ino", v.ino},
           {"type", FileTypeName(v.type)},
           {"path", BytesJson(v.path)}};
  if (v.kind == ChangeKind::kRenamed) j["old_path"] = BytesJson(v.old_path);
  if (v.kind == ChangeKind::kConflict) {
    const ConflictPolicy outcome = ConflictOutcome(v);
    j["conflict"] = ConflictPolicyName(outcome);
    if (outcome == ConflictPolicy::kKeepBoth) j["old_path"] = BytesJson(v.old_path);
  }
  if (v.parent != 0) j["parent"] = v.parent;
  if (v.old_parent != 0) j["old_parent"] = v.old_parent;
  if (v.kind == ChangeKind::kVersion || v.kind == ChangeKind::kPublished ||
      v.kind == ChangeKind::kConflict || v.kind == ChangeKind::kTask) {
    j["version"] = v.version;
  }
  if (v.kind == ChangeKind::kVersion || v.kind == ChangeKind::kConflict) {
    j["version_kind"] = VersionKindName(v.version_kind);
    j["size"] = v.size;
  }
  if (!v.actor.empty()) j["actor"] = v.actor;
  if (!v.instance.empty()) j["instance"] = v.instance;
}

void from_json(const json& j, ChangeEvent& v) {
  Get(j, "seq", v.seq);
  Get(j, "time_ns", v.time);
  auto kind = ParseChangeKind(j.at("kind").get<std::string>());
  if (!kind.ok()) throw std::invalid_argument(kind.status().message());
  v.kind = *kind;
  Get(j, "ino", v.ino);
  v.type = ParseFileType(j.at("type").get<std::string>());
  v.path = BytesFrom(j.at("path"));
  if (j.contains("old_path")) v.old_path = BytesFrom(j.at("old_path"));
  v.version = j.value("version", uint64_t{0});
  if (j.contains("version_kind")) {
    auto vk = ParseVersionKind(j.at("version_kind").get<std::string>());
    if (!vk.ok()) throw std::invalid_argument(vk.status().message());
    v.version_kind = *vk;
  }
  v.size = j.value("size", uint64_t{0});
  v.actor = j.value("actor", std::string());
  v.instance = j.value("instance", std::string());
  v.parent = j.value("parent", InodeId{0});
  v.old_parent = j.value("old_parent", InodeId{0});
}

void to_json(json& j, const EventPage& v) {
  j = json{{"events", v.events}, {"newest", v.newest}, {"oldest", v.oldest}};
}

void from_json(const json& j, EventPage& v) {
  Get(j, "events", v.events);
  Get(j, "newest", v.newest);
  v.oldest = j.value("oldest", uint64_t{0});
}

void to_json(json& j, const UnlinkResult& v) {
  j = json{{"ino", v.ino}, {"nlink", v.nlink}};
  if (v.trash_id) j["trash_id"] = *v.trash_id;
}

void from_json(const json& j, UnlinkResult& v) {
  Get(j, "ino", v.ino);
  Get(j, "nlink", v.nlink);
  if (j.contains("trash_id")) v.trash_id = j.at("trash_id").get<uint64_t>();
}

void to_json(json& j, const RenameResult& v) {
  j = json{{"replaced", v.replaced ? json(*v.replaced) : json(nullptr)}};
}

void from_json(const json& j, RenameResult& v) {
  const json& r = j.at("replaced");
  if (r.is_null())
    v.replaced.reset();
  else
    v.replaced = r.get<UnlinkResult>();
}

void to_json(json& j, const RenameMode& v) { j = RenameModeName(v); }

void from_json(const json& j, RenameMode& v) {
  const std::string name = j.get<std::string>();
  for (auto m : {RenameMode::kReplace, RenameMode::kNoReplace, RenameMode::kExchange,
                 RenameMode::kReplaceKeepHistory}) {
    if (RenameModeName(m) == name) {
      v = m;
      return;
    }
  }
  throw std::invalid_argument("unknown rename mode \"" + name.substr(0, 32) + "\"");
}

void to_json(json& j, const PackMember& v) {
  j = json{{"chunk", v.chunk}, {"offset", v.offset}, {"length", v.length}};
}

void from_json(const json& j, PackMember& v) {
  OnlyKeys(j, {"chunk", "offset", "length"});
  Get(j, "chunk", v.chunk);
  Get(j, "offset", v.offset);
  Get(j, "length", v.length);
}

void to_json(json& j, const ChunkLocation& v) {
  j = json{{"tier", v.tier}, {"pack", v.pack}, {"member", v.member}};
}

void from_json(const json& j, ChunkLocation& v) {
  Get(j, "tier", v.tier);
  Get(j, "pack", v.pack);
  Get(j, "member", v.member);
}

void to_json(json& j, const ChunkRecord& v) {
  j = json{{"id", v.id},
           {"size", v.size},
           {"refcount", v.refcount},
           {"unreferenced_since_ns", v.unreferenced_since},
           {"tiers", v.tiers}};
}

void from_json(const json& j, ChunkRecord& v) {
  Get(j, "id", v.id);
  Get(j, "size", v.size);
  Get(j, "refcount", v.refcount);
  Get(j, "unreferenced_since_ns", v.unreferenced_since);
  Get(j, "tiers", v.tiers);
}

void to_json(json& j, const CatalogStats& v) {
  j = json{{"files", v.files},
           {"directories", v.directories},
           {"logical_bytes", v.logical_bytes},
           {"chunks", v.chunks},
           {"chunk_bytes", v.chunk_bytes},
           {"versions", v.versions},
           {"trash_entries", v.trash_entries}};
}

void from_json(const json& j, CatalogStats& v) {
  Get(j, "files", v.files);
  Get(j, "directories", v.directories);
  Get(j, "logical_bytes", v.logical_bytes);
  Get(j, "chunks", v.chunks);
  Get(j, "chunk_bytes", v.chunk_bytes);
  Get(j, "versions", v.versions);
  Get(j, "trash_entries", v.trash_entries);
}

}  // namespace reel
