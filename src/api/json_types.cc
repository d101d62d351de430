#include "api/json_types.h"

#include <ctime>
#include <cstdio>

namespace reel {

using nlohmann::json;

std::string_view VersionKindName(VersionKind kind) {
  switch (kind) {
    case VersionKind::kAutosave: return "autosave";
    case VersionKind::kCheckpoint: return "checkpoint";
    case VersionKind::kRestore: return "restore";
    case VersionKind::kRecovered: return "recovered";
  }
  return "autosave";
}

Result<VersionKind> ParseVersionKind(std::string_view name) {
  for (auto k : {VersionKind::kAutosave, VersionKind::kCheckpoint, VersionKind::kRestore,
                 VersionKind::kRecovered}) {
    if (VersionKindName(k) == name) return k;
  }
  return Status::InvalidArgument("unknown version kind '" + std::string(name) + "'");
}

std::string_view FileTypeName(FileType type) {
  switch (type) {
    case FileType::kRegular: return "file";
    case FileType::kDirectory: return "directory";
    case FileType::kSymlink: return "symlink";
    case FileType::kFifo: return "fifo";
    case FileType::kCharDevice: return "char_device";
    case FileType::kBlockDevice: return "block_device";
    case FileType::kSocket: return "socket";
  }
  return "file";
}

namespace {

FileType ParseFileType(std::string_view name) {
  for (auto t : {FileType::kRegular, FileType::kDirectory, FileType::kSymlink, FileType::kFifo,
                 FileType::kCharDevice, FileType::kBlockDevice, FileType::kSocket}) {
    if (FileTypeName(t) == name) return t;
  }
  throw std::invalid_argument("unknown file type '" + std::string(name) + "'");
}

template <typename T>
void Get(const json& j, const char* key, T& out) {
  j.at(key).get_to(out);
}

}  // namespace

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

void to_json(json& j, const Attributes& v) {
  j = json{{"ino", v.ino},         {"type", FileTypeName(v.type)},
           {"mode", v.mode},       {"uid", v.uid},
           {"gid", v.gid},         {"nlink", v.nlink},
           {"size", v.size},       {"atime_ns", v.atime},
           {"mtime_ns", v.mtime},  {"ctime_ns", v.ctime},
           {"mtime", FormatIsoUtc(v.mtime)}, {"version", v.version}};
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
}

void to_json(json& j, const VersionInfo& v) {
  j = json{{"number", v.number},
           {"created_ns", v.created},
           {"created", FormatIsoUtc(v.created)},
           {"size", v.size},
           {"kind", VersionKindName(v.kind)},
           {"message", v.message},
           {"chunk_count", v.chunk_count},
           {"published", v.published > 0 ? "yes" : v.published < 0 ? "pending" : "no"}};
  if (v.published > 0) {
    j["published_at"] = FormatIsoUtc(v.published);
    j["published_ns"] = v.published;
  }
}

void from_json(const json& j, VersionInfo& v) {
  Get(j, "number", v.number);
  Get(j, "created_ns", v.created);
  Get(j, "size", v.size);
  auto kind = ParseVersionKind(j.at("kind").get<std::string>());
  if (!kind.ok()) throw std::invalid_argument(kind.status().message());
  v.kind = *kind;
  Get(j, "message", v.message);
  Get(j, "chunk_count", v.chunk_count);
  if (j.contains("published")) {
    std::string p = j.at("published").get<std::string>();
    v.published = p == "pending" ? -1 : 0;
    if (p == "yes") Get(j, "published_ns", v.published);
  }
}

void to_json(json& j, const FileStatus& v) {
  j = json{{"path", v.path},
           {"attr", v.attr},
           {"chunk_count", v.chunk_count},
           {"unique_chunk_bytes", v.unique_chunk_bytes},
           {"staged_bytes", v.staged_bytes},
           {"dirty", v.dirty},
           {"current", v.current ? json(*v.current) : json(nullptr)}};
}

void from_json(const json& j, FileStatus& v) {
  Get(j, "path", v.path);
  Get(j, "attr", v.attr);
  Get(j, "chunk_count", v.chunk_count);
  Get(j, "unique_chunk_bytes", v.unique_chunk_bytes);
  Get(j, "staged_bytes", v.staged_bytes);
  Get(j, "dirty", v.dirty);
  const json& cur = j.at("current");
  if (cur.is_null()) v.current.reset();
  else v.current = cur.get<VersionInfo>();
}

void to_json(json& j, const TrashEntry& v) {
  j = json{{"id", v.id},
           {"ino", v.ino},
           {"original_path", v.original_path},
           {"deleted_ns", v.deleted},
           {"deleted", FormatIsoUtc(v.deleted)},
           {"size", v.size}};
}

void from_json(const json& j, TrashEntry& v) {
  Get(j, "id", v.id);
  Get(j, "ino", v.ino);
  Get(j, "original_path", v.original_path);
  Get(j, "deleted_ns", v.deleted);
  Get(j, "size", v.size);
}

void to_json(json& j, const GcReport& v) {
  j = json{{"trash_purged", v.trash_purged},
           {"chunks_deleted", v.chunks_deleted},
           {"bytes_deleted", v.bytes_deleted},
           {"orphans_deleted", v.orphans_deleted},
           {"orphan_bytes_deleted", v.orphan_bytes_deleted},
           {"orphan_packs_deleted", v.orphan_packs_deleted},
           {"orphan_pack_bytes_deleted", v.orphan_pack_bytes_deleted}};
}

void from_json(const json& j, GcReport& v) {
  Get(j, "trash_purged", v.trash_purged);
  Get(j, "chunks_deleted", v.chunks_deleted);
  Get(j, "bytes_deleted", v.bytes_deleted);
  Get(j, "orphans_deleted", v.orphans_deleted);
  Get(j, "orphan_bytes_deleted", v.orphan_bytes_deleted);
  Get(j, "orphan_packs_deleted", v.orphan_packs_deleted);
  Get(j, "orphan_pack_bytes_deleted", v.orphan_pack_bytes_deleted);
}

void to_json(json& j, const FsckReport& v) {
  j = json{{"ok", v.ok()},
           {"chunks_checked", v.chunks_checked},
           {"bytes_checked", v.bytes_checked},
           {"missing", v.missing},
           {"corrupt", v.corrupt}};
}

void from_json(const json& j, FsckReport& v) {
  Get(j, "chunks_checked", v.chunks_checked);
  Get(j, "bytes_checked", v.bytes_checked);
  Get(j, "missing", v.missing);
  Get(j, "corrupt", v.corrupt);
}

void to_json(json& j, const EngineCounters& v) {
  j = json{{"chunks_prefetched", v.chunks_prefetched},
           {"chunks_written", v.chunks_written},
           {"chunk_bytes_written", v.chunk_bytes_written},
           {"chunks_deduplicated", v.chunks_deduplicated},
           {"versions_committed", v.versions_committed},
           {"pending_commits", v.pending_commits}};
}

void from_json(const json& j, EngineCounters& v) {
  Get(j, "chunks_written", v.chunks_written);
  if (j.contains("chunks_prefetched")) Get(j, "chunks_prefetched", v.chunks_prefetched);
  Get(j, "chunk_bytes_written", v.chunk_bytes_written);
  Get(j, "chunks_deduplicated", v.chunks_deduplicated);
  Get(j, "versions_committed", v.versions_committed);
  Get(j, "pending_commits", v.pending_commits);
}

void to_json(json& j, const MountInfo& v) {
  j = json{{"drive", {{"id", v.drive_id}, {"name", v.drive_name}, {"dir", v.drive_dir}}},
           {"mountpoint", v.mountpoint},
           {"socket", v.socket_path},
           {"pid", v.pid},
           {"version", v.version}};
}

void from_json(const json& j, MountInfo& v) {
  const json& d = j.at("drive");
  Get(d, "id", v.drive_id);
  Get(d, "name", v.drive_name);
  Get(d, "dir", v.drive_dir);
  Get(j, "mountpoint", v.mountpoint);
  Get(j, "socket", v.socket_path);
  Get(j, "pid", v.pid);
  Get(j, "version", v.version);
}

void to_json(json& j, const TrashRestoreResult& v) {
  j = json{{"path", v.path}, {"attr", v.attr}};
}

void from_json(const json& j, TrashRestoreResult& v) {
  Get(j, "path", v.path);
  Get(j, "attr", v.attr);
}

}  // namespace reel
