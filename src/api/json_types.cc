#include "api/json_types.h"

namespace reel {

using nlohmann::json;

namespace {

template <typename T>
void Get(const json& j, const char* key, T& out) {
  j.at(key).get_to(out);
}

}  // namespace

void to_json(json& j, const FileStatus& v) {
  j = json{{"path", v.path},
           {"attr", v.attr},
           {"chunk_count", v.chunk_count},
           {"unique_chunk_bytes", v.unique_chunk_bytes},
           {"staged_bytes", v.staged_bytes},
           {"dirty", v.dirty},
           {"current", v.current ? json(*v.current) : json(nullptr)},
           {"rejected", v.rejected}};
  j["locks"] = v.locks;
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
  if (j.contains("rejected")) Get(j, "rejected", v.rejected);
  v.locks.clear();
  if (j.contains("locks")) Get(j, "locks", v.locks);
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
