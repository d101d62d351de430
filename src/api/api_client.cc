#include "api/api_client.h"

#include "common/utf8.h"

#include <sys/socket.h>

#include <httplib.h>

#include "http/json_client.h"
#include "common/percent_encode.h"

namespace reel {
namespace {

using nlohmann::json;

// Quick calls answer at once; calls that do work on the whole drive or a whole file may take
// as long as that work does.
constexpr std::chrono::seconds kQuick{30};
constexpr std::chrono::seconds kLong{24 * 3600};

template <typename T>
Result<T> Decode(const Result<json>& r, const char* what) {
  if (!r.ok()) return r.status();
  try {
    return r->get<T>();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("bad ") + what + " response from the drive: " + e.what());
  }
}

template <typename T>
Result<T> DecodeField(const Result<json>& r, const char* field, const char* what) {
  if (!r.ok()) return r.status();
  try {
    return r->at(field).get<T>();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("bad ") + what + " response from the drive: " + e.what());
  }
}

}  // namespace

std::string UrlEncode(std::string_view s) { return PercentEncode(s); }

ApiClient::ApiClient(std::string socket_path) : socket_path_(std::move(socket_path)) {}

Result<json> ApiClient::Call(const std::string& method, const std::string& target,
                             const json& body, std::chrono::seconds timeout) {
  httplib::Client client(socket_path_, 1);  // port is ignored for AF_UNIX
  client.set_address_family(AF_UNIX);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(timeout);
  client.set_write_timeout(std::chrono::seconds(30));
  httplib::Result res = method == "GET"
                            ? client.Get(target)
                            : client.Post(target, body.is_null() ? std::string("{}") : body.dump(),
                                          "application/json");
  return http::DecodeResponse(res, "the drive's control API at " + socket_path_);
}

Result<MountInfo> ApiClient::Info() {
  return Decode<MountInfo>(Call("GET", "/v1/info", nullptr, kQuick), "info");
}

Result<VersionInfo> ApiClient::Save(const std::string& path, const std::string& message) {
  if (!IsUtf8(path) || !IsUtf8(message)) {
    return Status::InvalidArgument("path and message must be valid UTF-8");
  }
  return Decode<VersionInfo>(
      Call("POST", "/v1/save", json{{"path", path}, {"message", message}}, kLong), "save");
}

Result<std::vector<VersionInfo>> ApiClient::Versions(const std::string& path) {
  return DecodeField<std::vector<VersionInfo>>(
      Call("GET", "/v1/versions?path=" + UrlEncode(path), nullptr, kQuick), "versions",
      "versions");
}

Result<VersionInfo> ApiClient::Restore(const std::string& path, uint64_t version) {
  if (!IsUtf8(path)) return Status::InvalidArgument("path must be valid UTF-8");
  return Decode<VersionInfo>(
      Call("POST", "/v1/restore", json{{"path", path}, {"version", version}}, kLong), "restore");
}

Result<FileStatus> ApiClient::GetStatus(const std::string& path) {
  return Decode<FileStatus>(Call("GET", "/v1/status?path=" + UrlEncode(path), nullptr, kQuick),
                            "status");
}

Result<std::vector<TrashEntry>> ApiClient::Trash() {
  return DecodeField<std::vector<TrashEntry>>(Call("GET", "/v1/trash", nullptr, kQuick),
                                              "entries", "trash");
}

Result<TrashRestoreResult> ApiClient::RestoreFromTrash(uint64_t id, const std::string& path) {
  if (!IsUtf8(path)) return Status::InvalidArgument("path must be valid UTF-8");
  json body{{"id", id}};
  if (!path.empty()) body["path"] = path;
  return Decode<TrashRestoreResult>(Call("POST", "/v1/trash/restore", body, kLong),
                                    "trash restore");
}

Result<EventPage> ApiClient::Events(uint64_t after, size_t limit, std::chrono::seconds wait) {
  return Decode<EventPage>(Call("GET",
                                "/v1/events?after=" + std::to_string(after) +
                                    "&limit=" + std::to_string(limit) +
                                    "&wait=" + std::to_string(wait.count()),
                                nullptr, wait + kQuick),
                           "events");
}

Result<GcReport> ApiClient::Gc() {
  return Decode<GcReport>(Call("POST", "/v1/gc", json::object(), kLong), "gc");
}

Result<FsckReport> ApiClient::Fsck() {
  return Decode<FsckReport>(Call("POST", "/v1/fsck", json::object(), kLong), "fsck");
}

Result<nlohmann::json> ApiClient::BackupCatalog() {
  return Call("POST", "/v1/catalog/backup", json::object(), kLong);
}

Status ApiClient::Sync() { return Call("POST", "/v1/sync", json::object(), kLong).status(); }

Result<EngineCounters> ApiClient::Counters() {
  return Decode<EngineCounters>(Call("GET", "/v1/counters", nullptr, kQuick), "counters");
}

Status ApiClient::Unmount() {
  return Call("POST", "/v1/unmount", json::object(), kQuick).status();
}

}  // namespace reel
