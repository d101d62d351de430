// Uploads from the browser in pieces, resumable: the file is written as a hidden part file in
// the folder it goes to, piece by piece at the offset the server has reached, then closed (its
// version commits as a writer's close on the mount makes one) and renamed over its name as an
// application saving by rename does, so an existing file keeps its history.
//
//   POST   /v1/workspaces/W/uploads {path, size}   {"id","path","size","received":0}
//   PUT    /v1/workspaces/W/uploads/ID?offset=N    body: the next bytes (at most 8 MiB, offset
//                                                  = what was received) -> {"received"}; 409
//                                                  with the received count for another offset
//   GET    /v1/workspaces/W/uploads/ID             {"id","path","size","received"}: resume here
//   POST   /v1/workspaces/W/uploads/ID/finish      Version of the file, once every byte came
//                                                  (number 0 for an empty file: it has none)
//   DELETE /v1/workspaces/W/uploads/ID             abandons it: the part file is deleted (into
//                                                  the trash, as every deleted file)
// An upload untouched for an hour is abandoned the same way.
#include <map>
#include <memory>
#include <mutex>

#include <nlohmann/json.hpp>

#include "catalog_rpc/catalog_json.h"
#include "common/clock.h"
#include "common/hex.h"
#include "common/secure_random.h"
#include "http/json_http.h"
#include "service/drive_service.h"
#include "web/web_internal.h"

namespace reel::web_internal {

using nlohmann::json;

namespace {

constexpr int64_t kIdleNs = int64_t{3600} * 1'000'000'000;

struct Upload {
  std::mutex mu;  // guards everything below: one piece at a time
  std::string id;
  std::string path;  // where it goes
  std::string part;  // the part file written meanwhile
  uint64_t size = 0;
  uint64_t received = 0;
  int64_t used_ns = 0;
  std::unique_ptr<FileWriter> writer;
  bool done = false;  // finished or abandoned

  json Json() const {
    return json{{"id", id}, {"path", path}, {"size", size}, {"received", received}};
  }
};

Status NoUpload(const std::string& id) {
  return Status::NotFound("no upload " + id + " (finished, abandoned, or idle for an hour)");
}

}  // namespace

// The uploads in progress of one web server.
class Uploads {
 public:
  explicit Uploads(DriveService* drive) : drive_(drive) {}
  ~Uploads() { AbandonAll(); }

  Result<std::shared_ptr<Upload>> Begin(const std::string& path, uint64_t size) {
    Expire();
    auto u = std::make_shared<Upload>();
    u->id = ToHex(SecureRandomBytes(16));
    u->path = path;
    const size_t slash = path.find_last_of('/');
    u->part = (slash == std::string::npos ? "" : path.substr(0, slash + 1)) + ".upload-" +
              u->id.substr(0, 16) + ".part";
    u->size = size;
    u->used_ns = WallClockNs();
    Result<std::unique_ptr<FileWriter>> writer = drive_->CreateFile(u->part);
    if (!writer.ok()) {  // said of the part file: say it of the file the caller named
      std::string m(writer.status().message());
      for (size_t at = m.find(u->part); at != std::string::npos; at = m.find(u->part, at)) {
        m.replace(at, u->part.size(), path);
        at += path.size();
      }
      return Status(writer.status().code(), m);
    }
    u->writer = std::move(writer).value();
    std::lock_guard<std::mutex> lock(mu_);
    uploads_[u->id] = u;
    return u;
  }

  Result<std::shared_ptr<Upload>> Find(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = uploads_.find(id);
    if (it == uploads_.end()) return NoUpload(id);
    return it->second;
  }

  // Closes and deletes the part file of `u` (its lock held) and forgets it.
  void Abandon(Upload& u) {
    if (!u.done) {
      u.done = true;
      (void)u.writer->Finish();
      (void)drive_->Delete(u.part);
    }
    Forget(u.id);
  }

  void Forget(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    uploads_.erase(id);
  }

  void AbandonAll() {
    std::map<std::string, std::shared_ptr<Upload>> all;
    {
      std::lock_guard<std::mutex> lock(mu_);
      all = uploads_;
    }
    for (auto& [id, u] : all) {
      std::lock_guard<std::mutex> lock(u->mu);
      Abandon(*u);
    }
  }

 private:
  void Expire() {
    std::vector<std::shared_ptr<Upload>> idle;
    const int64_t now = WallClockNs();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& [id, u] : uploads_) idle.push_back(u);
    }
    for (auto& u : idle) {
      std::unique_lock<std::mutex> lock(u->mu, std::try_to_lock);
      if (lock.owns_lock() && now - u->used_ns > kIdleNs) Abandon(*u);
    }
  }

  DriveService* drive_;
  std::mutex mu_;  // guards uploads_
  std::map<std::string, std::shared_ptr<Upload>> uploads_;
};

std::shared_ptr<Uploads> MakeUploads(DriveService* drive) {
  return std::make_shared<Uploads>(drive);
}

void RegisterUploadRoutes(httplib::Server& server, const WebContext& ctx) {
  const std::string base = "/v1/workspaces/([^/]+)/uploads";
  JsonRoute(server, "POST", base, [&ctx](const httplib::Request& req) -> Result<json> {
    REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
    REEL_ASSIGN_OR_RETURN(json body, http::BodyObject(req, {"path", "size"}));
    REEL_ASSIGN_OR_RETURN(std::string path, http::StringField(body, "path"));
    auto size = body.find("size");
    if (size == body.end() || !size->is_number_unsigned()) {
      return Status::InvalidArgument("field 'size' must be the file's size in bytes");
    }
    // The name must be free of folders, and the file must not be there as a folder.
    Result<Attributes> there = ctx.drive->Stat(path);
    if (there.ok() && there->type != FileType::kRegular) {
      return Status::AlreadyExists(path + " exists and is not a file");
    }
    REEL_ASSIGN_OR_RETURN(std::shared_ptr<Upload> u, ctx.uploads->Begin(path, *size));
    std::lock_guard<std::mutex> lock(u->mu);
    return u->Json();
  });
  JsonRoute(server, "GET", base + "/([0-9a-f]{32})",
            [&ctx](const httplib::Request& req) -> Result<json> {
              REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
              REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
              REEL_ASSIGN_OR_RETURN(std::shared_ptr<Upload> u, ctx.uploads->Find(req.matches[2]));
              std::lock_guard<std::mutex> lock(u->mu);
              return u->Json();
            });
  JsonRoute(server, "PUT", base + "/([0-9a-f]{32})",
            [&ctx](const httplib::Request& req) -> Result<json> {
              REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
              REEL_RETURN_IF_ERROR(http::CheckQuery(req, {"offset"}));
              if (!req.has_param("offset")) {
                return Status::InvalidArgument("missing query parameter 'offset'");
              }
              REEL_ASSIGN_OR_RETURN(uint64_t offset, http::UintParam(req, "offset", 0));
              REEL_ASSIGN_OR_RETURN(std::shared_ptr<Upload> u, ctx.uploads->Find(req.matches[2]));
              std::lock_guard<std::mutex> lock(u->mu);
              if (u->done) return NoUpload(u->id);
              if (offset != u->received) {
                return Status(Code::kConflict, "upload " + u->id + " has " +
                                                   std::to_string(u->received) +
                                                   " bytes: send from there");
              }
              if (u->received + req.body.size() > u->size) {
                return Status::InvalidArgument("more bytes than the upload's size (" +
                                               std::to_string(u->size) + ")");
              }
              u->used_ns = WallClockNs();
              REEL_RETURN_IF_ERROR(u->writer->Write(
                  offset, {reinterpret_cast<const uint8_t*>(req.body.data()), req.body.size()}));
              u->received += req.body.size();
              return json{{"received", u->received}};
            });
  JsonRoute(server, "POST", base + "/([0-9a-f]{32})/finish",
            [&ctx](const httplib::Request& req) -> Result<json> {
              REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
              REEL_RETURN_IF_ERROR(http::BodyObject(req, {}).status());
              REEL_ASSIGN_OR_RETURN(std::shared_ptr<Upload> u, ctx.uploads->Find(req.matches[2]));
              std::lock_guard<std::mutex> lock(u->mu);
              if (u->done) return NoUpload(u->id);
              if (u->received != u->size) {
                return Status(Code::kConflict, "upload " + u->id + " has " +
                                                   std::to_string(u->received) + " of " +
                                                   std::to_string(u->size) + " bytes");
              }
              u->done = true;
              ctx.uploads->Forget(u->id);  // whatever happens below, it is over
              Status closed = u->writer->Finish();
              Result<VersionInfo> v =
                  closed.ok() ? ctx.drive->ReplaceKeepingHistory(u->part, u->path)
                              : Result<VersionInfo>(closed);
              if (!v.ok()) {
                (void)ctx.drive->Delete(u->part);
                return v.status();
              }
              return json(*v);
            });
  JsonRoute(server, "DELETE", base + "/([0-9a-f]{32})",
            [&ctx](const httplib::Request& req) -> Result<json> {
              REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
              REEL_ASSIGN_OR_RETURN(std::shared_ptr<Upload> u, ctx.uploads->Find(req.matches[2]));
              std::lock_guard<std::mutex> lock(u->mu);
              ctx.uploads->Abandon(*u);
              return json{{"ok", true}};
            });
}

}  // namespace reel::web_internal
