// S3Store::PutMultipart: objects above multipart_threshold go up as a multipart upload.
#include <atomic>
#include <mutex>
#include <thread>

#include "store/s3/s3_client.h"
#include "store/s3/s3_store.h"
#include "store/s3/s3_xml.h"

namespace reel::s3 {

Status S3Store::PutMultipart(const std::string& key, const std::string& full,
                             std::span<const uint8_t> data) {
  const S3Config& cfg = client_->config();
  REEL_ASSIGN_OR_RETURN(HttpResponse init, client_->Execute({.method = "POST", .key = full,
                                                             .query = {{"uploads", ""}}}));
  if (init.status >= 300) return client_->ErrorStatus(init, "initiate multipart " + key);
  REEL_ASSIGN_OR_RETURN(
      const std::string upload_id,
      ParseInitiateMultipartUpload({reinterpret_cast<const char*>(init.body.data()), init.body.size()}));

  const size_t part_count = (data.size() + cfg.part_size - 1) / cfg.part_size;
  std::vector<CompletedPart> parts(part_count);
  std::atomic<size_t> next_part{0};
  std::atomic<bool> failed{false};
  std::mutex error_mu;  // guards first_error
  Status first_error;
  auto upload_parts = [&] {
    for (size_t i; !failed.load() && (i = next_part.fetch_add(1)) < part_count;) {
      size_t begin = i * cfg.part_size;
      S3Request req{.method = "PUT",
                    .key = full,
                    .query = {{"partNumber", std::to_string(i + 1)}, {"uploadId", upload_id}},
                    .body = data.subspan(begin, std::min<size_t>(cfg.part_size, data.size() - begin))};
      auto r = client_->Execute(req);
      Status s = !r.ok() ? r.status()
                 : r->status >= 300 ? client_->ErrorStatus(*r, "PUT part of " + key)
                 : !r->headers.contains("etag")
                     ? Status::Corruption("s3 PUT part of " + key + ": no ETag in the answer")
                     : Status::Ok();
      if (!s.ok()) {
        std::lock_guard lock(error_mu);
        if (!failed.exchange(true)) first_error = s;
        return;
      }
      parts[i] = {static_cast<int>(i + 1), r->headers["etag"]};
    }
  };
  const size_t workers = std::min<size_t>(part_count, static_cast<size_t>(cfg.multipart_parallelism));
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers; ++w) threads.emplace_back(upload_parts);
  upload_parts();  // the calling thread is one of the workers
  for (auto& t : threads) t.join();

  Status result = first_error;
  if (result.ok()) {
    std::string xml = BuildCompleteMultipartUpload(parts);
    auto r = client_->Execute({.method = "POST",
                               .key = full,
                               .query = {{"uploadId", upload_id}},
                               .body = {reinterpret_cast<const uint8_t*>(xml.data()), xml.size()},
                               .error_body_on_200 = true});
    if (!r.ok()) {
      result = r.status();
    } else if (r->status >= 300) {
      // A retried Complete whose first attempt succeeded but lost its answer finds the upload
      // gone; the object is there, whole, if it has our size.
      auto head = Head(key);
      if (r->status == 404 && head.ok() && head->size == data.size()) return Status::Ok();
      result = client_->ErrorStatus(*r, "complete multipart " + key);
    } else {
      return Status::Ok();
    }
  }
  // Best effort: an upload left behind costs storage until a lifecycle rule removes it.
  (void)client_->Execute({.method = "DELETE", .key = full, .query = {{"uploadId", upload_id}}});
  return result;
}

}  // namespace reel::s3
