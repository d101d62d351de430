// JSON forms of the control API's values (shared by the server and the client, so they cannot
// drift apart). nlohmann::json conversions found by ADL: `json j = info; j.get<VersionInfo>()`.
//
// Times are given twice: `*_ns` (integer nanoseconds since the epoch, what the client reads) and
// an ISO-8601 UTC string for people and scripts ("2024-05-01T12:30:00.123Z").
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "catalog/types.h"
#include "catalog_rpc/catalog_json.h"  // the catalog's values (Attributes, VersionInfo...)
#include "common/status.h"
#include "engine/engine.h"
#include "http/json_error.h"  // ErrorJson, DumpJson
#include "service/drive_service.h"  // TrashRestoreResult

namespace reel {

// What GET /v1/info returns.
struct MountInfo {
  std::string drive_id;
  std::string drive_name;
  std::string drive_dir;
  std::string mountpoint;
  std::string socket_path;
  int64_t pid = 0;
  std::string version;  // reel version
};


void to_json(nlohmann::json& j, const FileStatus& v);
void from_json(const nlohmann::json& j, FileStatus& v);
void to_json(nlohmann::json& j, const GcReport& v);
void from_json(const nlohmann::json& j, GcReport& v);
void to_json(nlohmann::json& j, const FsckReport& v);
void from_json(const nlohmann::json& j, FsckReport& v);
void to_json(nlohmann::json& j, const EngineCounters& v);
void from_json(const nlohmann::json& j, EngineCounters& v);
void to_json(nlohmann::json& j, const MountInfo& v);
void from_json(const nlohmann::json& j, MountInfo& v);
void to_json(nlohmann::json& j, const TrashRestoreResult& v);
void from_json(const nlohmann::json& j, TrashRestoreResult& v);

}  // namespace reel
