// ApiClient: typed client of a mount's control API (see api_server.h), used by the CLI.
// Error responses become the Status the server reported (code via CodeFromName, same message);
// a server that cannot be reached is Unavailable.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/json_types.h"
#include "common/status.h"

namespace reel {

class ApiClient {
 public:
  explicit ApiClient(std::string socket_path);

  Result<MountInfo> Info();
  // `path` is relative to the drive root.
  Result<VersionInfo> Save(const std::string& path, const std::string& message);
  Result<std::vector<VersionInfo>> Versions(const std::string& path);
  Result<VersionInfo> Restore(const std::string& path, uint64_t version);
  Result<FileStatus> GetStatus(const std::string& path);
  Result<std::vector<TrashEntry>> Trash();
  // `path` empty: back where it was deleted from.
  Result<TrashRestoreResult> RestoreFromTrash(uint64_t id, const std::string& path);
  // The change feed after `after`; with `wait`, the server waits up to that long for an event
  // (catalog_rpc/event_feed.h).
  Result<EventPage> Events(uint64_t after, size_t limit, std::chrono::seconds wait);
  Result<GcReport> Gc();
  Result<FsckReport> Fsck();
  Status Sync();
  // A catalog backup now: {key, time, catalog_bytes, stored_bytes, tiers}.
  Result<nlohmann::json> BackupCatalog();
  Result<EngineCounters> Counters();
  Status Unmount();

  // One request: GET when `body` is null, else POST with `body`. The parsed JSON of a 200
  // response, or the Status of an error response.
  Result<nlohmann::json> Call(const std::string& method, const std::string& target,
                              const nlohmann::json& body, std::chrono::seconds timeout);

  const std::string& socket_path() const { return socket_path_; }

 private:
  std::string socket_path_;
};

// "a b/c" -> "a%20b%2Fc" (everything but unreserved characters is escaped).
[[nodiscard]] std::string UrlEncode(std::string_view s);

}  // namespace reel
