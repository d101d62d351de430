// The JSON forms of the catalog's values (catalog/types.h), written once: the team server's
// catalog calls, the remote catalog that makes them and a mount's control API all use these, so
// no two of them can drift apart. nlohmann::json conversions found by ADL (`json j = attr;
// j.get<Attributes>()`); a malformed value throws (json::exception or std::invalid_argument),
// which the callers turn into InvalidArgument.
//
// Names, paths, symlink targets and messages are bytes, as in POSIX: valid UTF-8 travels as a
// JSON string, anything else as {"hex": "..."} (BytesJson, BytesFrom).
//
// Times are integer nanoseconds since the epoch (`*_ns`); values people read also carry an
// ISO-8601 UTC string ("2024-05-01T12:30:00.123Z"). Chunk ids are 64 hex digits. The values a
// caller sends (NewNode, NodeCreate, AttrUpdate, NewVersion, ChunkRef, PackMember) refuse unknown keys.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "catalog/file_lock.h"
#include "catalog/types.h"
#include "common/status.h"

namespace reel {

[[nodiscard]] std::string_view VersionKindName(VersionKind kind);
[[nodiscard]] Result<VersionKind> ParseVersionKind(std::string_view name);
[[nodiscard]] std::string_view FileTypeName(FileType type);
// The type FileTypeName names `name`; nullopt for any other string.
[[nodiscard]] std::optional<FileType> FileTypeFromName(std::string_view name);
[[nodiscard]] std::string_view RenameModeName(RenameMode mode);
// "created", "linked", "removed", ... (docs/events.md); and back.
[[nodiscard]] std::string_view ChangeKindName(ChangeKind kind);
[[nodiscard]] Result<ChangeKind> ParseChangeKind(std::string_view name);

// "2024-05-01T12:30:00.123Z"
[[nodiscard]] std::string FormatIsoUtc(TimeNs t);

// Bytes (a name, a path, a symlink target) as JSON, and back (throws std::invalid_argument for
// anything but a string or {"hex": ...}).
[[nodiscard]] nlohmann::json BytesJson(const std::string& bytes);
[[nodiscard]] std::string BytesFrom(const nlohmann::json& j);

void to_json(nlohmann::json& j, const ChunkId& v);
void from_json(const nlohmann::json& j, ChunkId& v);
void to_json(nlohmann::json& j, const ChunkRef& v);
void from_json(const nlohmann::json& j, ChunkRef& v);
void to_json(nlohmann::json& j, const Attributes& v);
void from_json(const nlohmann::json& j, Attributes& v);
void to_json(nlohmann::json& j, const DirEntry& v);
void from_json(const nlohmann::json& j, DirEntry& v);
void to_json(nlohmann::json& j, const NewNode& v);
void from_json(const nlohmann::json& j, NewNode& v);
void to_json(nlohmann::json& j, const NodeCreate& v);  // without `refuge`: never sent
void from_json(const nlohmann::json& j, NodeCreate& v);
void to_json(nlohmann::json& j, const NodeCreated& v);
void from_json(const nlohmann::json& j, NodeCreated& v);
void to_json(nlohmann::json& j, const AttrUpdate& v);
void from_json(const nlohmann::json& j, AttrUpdate& v);
void to_json(nlohmann::json& j, const VersionInfo& v);
void from_json(const nlohmann::json& j, VersionInfo& v);
void to_json(nlohmann::json& j, const Version& v);
void from_json(const nlohmann::json& j, Version& v);
void to_json(nlohmann::json& j, const NewVersion& v);
void from_json(const nlohmann::json& j, NewVersion& v);
// A lock and its holder: {ino, flavor, type, owner, first, last, pid, session, instance, user,
// host, since_ns} (team-api.md, Lock; the server adds the file's path).
void to_json(nlohmann::json& j, const LockHolderInfo& v);
void from_json(const nlohmann::json& j, LockHolderInfo& v);
void to_json(nlohmann::json& j, const TrashEntry& v);
void from_json(const nlohmann::json& j, TrashEntry& v);
void to_json(nlohmann::json& j, const UnlinkResult& v);
void from_json(const nlohmann::json& j, UnlinkResult& v);
void to_json(nlohmann::json& j, const RenameResult& v);
void from_json(const nlohmann::json& j, RenameResult& v);
void to_json(nlohmann::json& j, const RenameMode& v);
void from_json(const nlohmann::json& j, RenameMode& v);
void to_json(nlohmann::json& j, const PackMember& v);
void from_json(const nlohmann::json& j, PackMember& v);
void to_json(nlohmann::json& j, const ChunkLocation& v);
void from_json(const nlohmann::json& j, ChunkLocation& v);
void to_json(nlohmann::json& j, const ChunkRecord& v);
void from_json(const nlohmann::json& j, ChunkRecord& v);
void to_json(nlohmann::json& j, const ChangeEvent& v);
void from_json(const nlohmann::json& j, ChangeEvent& v);
void to_json(nlohmann::json& j, const EventPage& v);
void from_json(const nlohmann::json& j, EventPage& v);
void to_json(nlohmann::json& j, const CatalogStats& v);
void from_json(const nlohmann::json& j, CatalogStats& v);

}  // namespace reel
