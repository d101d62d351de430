// GET /v1/workspaces/W/content: a version's bytes, streamed from the drive as the client reads
// them (web::SendBytes: ranges, sandboxed), so a player seeks without downloading the file.
// GET /v1/workspaces/W/thumbnail: a PNG of a picture the browser cannot show (web/thumbnails.h).
#include <memory>

#include "http/json_http.h"
#include "service/drive_service.h"
#include "web/web_front.h"
#include "web/web_internal.h"

namespace reel::web_internal {
namespace {

// A version of a drive's file, read through the drive's service.
class DriveBytes final : public web::ByteSource {
 public:
  explicit DriveBytes(std::unique_ptr<FileReader> reader) : reader_(std::move(reader)) {}
  uint64_t size() const override { return reader_->size(); }
  Result<size_t> Read(uint64_t offset, std::span<uint8_t> out) override {
    return reader_->Read(offset, out);
  }

 private:
  std::unique_ptr<FileReader> reader_;
};

// The version a content or thumbnail request names, ready to read.
Result<std::shared_ptr<web::ByteSource>> OpenVersion(const WebContext& ctx,
                                                     const httplib::Request& req,
                                                     std::initializer_list<const char*> query) {
  REEL_RETURN_IF_ERROR(CheckWorkspace(ctx, req));
  REEL_RETURN_IF_ERROR(http::CheckQuery(req, query));
  REEL_ASSIGN_OR_RETURN(std::string path, http::PathParam(req));
  REEL_ASSIGN_OR_RETURN(uint64_t version, web::VersionParam(req));
  REEL_ASSIGN_OR_RETURN(std::unique_ptr<FileReader> reader, ctx.drive->OpenForRead(path, version));
  return std::shared_ptr<web::ByteSource>(std::make_shared<DriveBytes>(std::move(reader)));
}

}  // namespace

void RegisterContentRoute(httplib::Server& server, const WebContext& ctx) {
  server.Get("/v1/workspaces/([^/]+)/content", [&ctx](const httplib::Request& req,
                                                      httplib::Response& res) {
    web::AnswerVersion(req, res, OpenVersion(ctx, req, {"path", "version", "download"}), nullptr);
  });
  server.Get("/v1/workspaces/([^/]+)/thumbnail", [&ctx](const httplib::Request& req,
                                                        httplib::Response& res) {
    web::AnswerVersion(req, res, OpenVersion(ctx, req, {"path", "version"}), ctx.thumbnails);
  });
}

}  // namespace reel::web_internal
