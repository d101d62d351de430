// The S3 XML documents the store reads and writes: ListObjectsV2 pages, multipart upload
// replies and requests, and error bodies. The XML library (tinyxml2) stays in the .cc file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace reel::s3 {

struct ListedObject {
  std::string key;  // the full key in the bucket
  uint64_t size = 0;
  int64_t mtime_unix_ns = 0;
};

struct ListPage {
  std::vector<ListedObject> objects;
  bool truncated = false;
  std::string next_continuation_token;
};

// A ListBucketResult (ListObjectsV2). Corruption if the body is not one.
[[nodiscard]] Result<ListPage> ParseListObjectsV2(std::string_view xml);

// The UploadId of an InitiateMultipartUploadResult.
[[nodiscard]] Result<std::string> ParseInitiateMultipartUpload(std::string_view xml);

struct S3ErrorBody {
  std::string code;     // "NoSuchKey", "AccessDenied", "SlowDown", ... ("" if none)
  std::string message;
};
// The Code and Message of an <Error> document; empty fields when the body is not one. Other
// fields (request ids, the string to sign) are not kept.
[[nodiscard]] S3ErrorBody ParseS3Error(std::string_view xml);

struct CompletedPart {
  int number = 0;
  std::string etag;  // as the server returned it, quotes included
};
// The body of CompleteMultipartUpload.
[[nodiscard]] std::string BuildCompleteMultipartUpload(const std::vector<CompletedPart>& parts);

// "2026-11-22T10:24:00.123Z" -> ns since the epoch; 0 when unparseable.
[[nodiscard]] int64_t ParseIso8601(std::string_view text);

}  // namespace reel::s3
