// S3Store: an ObjectStore in an S3 bucket (AWS S3, Ceph RGW, MinIO, GCS's XML API), URI
// s3://BUCKET/PREFIX?options (options and credentials: s3_config.h; docs/s3.md).
//
// Object `key` is stored as PREFIX/key. Put: one PUT up to multipart_threshold, above it a
// multipart upload whose parts go up multipart_parallelism at a time; a failed multipart upload
// is aborted. Both are atomic in S3: readers see the old or the new object whole. Get/GetRange
// are GETs (GetRange with a Range header; 416 = empty; GetRangeInto has curl write a 206 body
// straight into the caller's pieces). Head is a HEAD, Delete a DELETE (404 is
// success), List is ListObjectsV2 paged with continuation tokens.
// Open checks the bucket with a HEAD (NotFound naming the bucket, PermissionDenied, or
// Unavailable), creating it first when create_bucket=true.
//
// Thread-safety: the store holds only immutable configuration and the S3Client, whose
// connection pool is thread-safe; every method may be called from any number of threads.
#pragma once

#include <memory>
#include <string>

#include "store/object_store.h"
#include "store/s3/s3_config.h"

namespace reel::s3 {

class S3Client;

class S3Store final : public ObjectStore {
 public:
  static Result<std::unique_ptr<S3Store>> Open(const S3Config& config,
                                               const S3Credentials& credentials);
  ~S3Store() override;

  Status Put(const std::string& key, std::span<const uint8_t> data) override;
  // With signed_chunks (the default) and up to multipart_threshold: one aws-chunked PUT with a
  // chunk per part, signed with the parts' hashes; the service refuses the whole object if a part
  // does not match (then the parts are hashed here to name it: Corruption). Otherwise the
  // default (parts hashed here, then Put).
  Status PutHashedParts(const std::string& key, std::span<const uint8_t> data,
                        std::span<const HashedPart> parts) override;
  Result<std::vector<uint8_t>> Get(const std::string& key) override;
  Result<uint64_t> GetRangeInto(const std::string& key, uint64_t offset,
                                std::span<const std::span<uint8_t>> into) override;
  Result<std::vector<uint8_t>> GetRange(const std::string& key, uint64_t offset,
                                        uint64_t length) override;
  Result<ObjectInfo> Head(const std::string& key) override;
  Status Delete(const std::string& key) override;
  Status List(const std::string& prefix,
              const std::function<bool(const ObjectInfo&)>& visit) override;
  std::string Uri() const override;
  // S3 keys are at most 1024 bytes including the store prefix and its '/'.
  size_t MaxKeyLength() const override;

 private:
  explicit S3Store(std::unique_ptr<S3Client> client);

  Status CheckBucket();
  Status CreateBucket();
  // ValidateObjectKey plus the length limit.
  Status CheckKey(const std::string& key) const;
  // PREFIX/key (or key when there is no prefix).
  std::string FullKey(const std::string& key) const;
  Status PutMultipart(const std::string& key, const std::string& full,
                      std::span<const uint8_t> data);
  // GET with an optional "Range: ..." header; a 416 answer to a range is an empty result.
  // `http_status` (optional) receives the answer's status.
  // "Range: bytes=..." for [offset, offset+length), length > 0.
  static std::string RangeHeader(uint64_t offset, uint64_t length);
  Result<std::vector<uint8_t>> GetObject(const std::string& key, const std::string& range_header,
                                         long* http_status);

  const std::unique_ptr<S3Client> client_;
};

}  // namespace reel::s3

namespace reel {
// OpenObjectStore's s3:// entry: parses the URI, loads credentials from the environment or the
// AWS files, and opens the store.
[[nodiscard]] Result<std::unique_ptr<ObjectStore>> OpenS3Store(const std::string& uri);
}  // namespace reel
