#include "store/s3/s3_store.h"

#include "store/chunk_keys.h"

#include <algorithm>

#include "store/s3/s3_client.h"
#include "store/s3/s3_xml.h"

namespace reel::s3 {
namespace {

std::string_view BodyText(const HttpResponse& r) {
  return {reinterpret_cast<const char*>(r.body.data()), r.body.size()};
}

}  // namespace

S3Store::S3Store(std::unique_ptr<S3Client> client) : client_(std::move(client)) {}
S3Store::~S3Store() = default;

Result<std::unique_ptr<S3Store>> S3Store::Open(const S3Config& config,
                                               const S3Credentials& credentials) {
  std::unique_ptr<S3Store> store(new S3Store(std::make_unique<S3Client>(config, credentials)));
  REEL_RETURN_IF_ERROR(store->CheckBucket());
  return store;
}

std::string S3Store::Uri() const { return client_->config().uri; }

size_t S3Store::MaxKeyLength() const {
  const std::string& prefix = client_->config().prefix;
  return 1024 - (prefix.empty() ? 0 : prefix.size() + 1);
}

Status S3Store::CheckKey(const std::string& key) const {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  if (key.size() > MaxKeyLength()) {
    return Status::InvalidArgument("object key of " + std::to_string(key.size()) +
                                   " bytes is longer than this s3 store's " +
                                   std::to_string(MaxKeyLength()) +
                                   " (S3's 1024 less the store prefix)");
  }
  return Status::Ok();
}

std::string S3Store::FullKey(const std::string& key) const {
  const std::string& prefix = client_->config().prefix;
  return prefix.empty() ? key : prefix + "/" + key;
}

// A one-key ListObjectsV2 of the store's prefix rather than a HEAD of the bucket: a HEAD answer
// has no body, so it cannot tell SignatureDoesNotMatch from AccessDenied; and the store needs the
// List permission anyway.
Status S3Store::CheckBucket() {
  const S3Config& cfg = client_->config();
  S3Request req{.method = "GET",
                .query = {{"list-type", "2"}, {"max-keys", "1"}, {"prefix", FullKey("")}}};
  REEL_ASSIGN_OR_RETURN(HttpResponse r, client_->Execute(req));
  if (r.status < 300) return Status::Ok();
  if (r.status == 404 && ParseS3Error(BodyText(r)).code == "NoSuchBucket" && cfg.create_bucket) {
    return CreateBucket();
  }
  return client_->ErrorStatus(r, "open bucket " + cfg.bucket);
}

Status S3Store::CreateBucket() {
  const S3Config& cfg = client_->config();
  std::string body;
  if (cfg.region != "us-east-1") {  // us-east-1 is the default and rejects an explicit constraint
    body = "<CreateBucketConfiguration><LocationConstraint>" + cfg.region +
           "</LocationConstraint></CreateBucketConfiguration>";
  }
  S3Request req{.method = "PUT",
                .body = {reinterpret_cast<const uint8_t*>(body.data()), body.size()}};
  REEL_ASSIGN_OR_RETURN(HttpResponse r, client_->Execute(req));
  if (r.status < 300) return Status::Ok();
  if (ParseS3Error(BodyText(r)).code == "BucketAlreadyOwnedByYou") return Status::Ok();
  return client_->ErrorStatus(r, "create bucket " + cfg.bucket);
}

Status S3Store::Put(const std::string& key, std::span<const uint8_t> data) {
  REEL_RETURN_IF_ERROR(CheckKey(key));
  std::string full = FullKey(key);
  if (data.size() > client_->config().multipart_threshold) return PutMultipart(key, full, data);
  // A chunk's key names its SHA-256: that is the payload hash to sign, and the gateway refuses a
  // body that does not match it, so a damaged chunk is never stored.
  std::optional<ChunkId> chunk = ChunkIdFromKey(key);
  REEL_ASSIGN_OR_RETURN(HttpResponse r,
                        client_->Execute({.method = "PUT",
                                          .key = full,
                                          .body = data,
                                          .payload_sha256 = chunk ? chunk->Hex() : std::string()}));
  if (r.status >= 300) return client_->ErrorStatus(r, "PUT " + key);
  return Status::Ok();
}

Status S3Store::PutHashedParts(const std::string& key, std::span<const uint8_t> data,
                               std::span<const HashedPart> parts) {
  const S3Config& cfg = client_->config();
  // A body that cannot go one aws-chunk per part, one too big for a single PUT, or a service
  // without signed chunks is checked here.
  if (!cfg.signed_chunks || data.size() > cfg.multipart_threshold ||
      !StreamableParts(parts, data.size())) {
    return ObjectStore::PutHashedParts(key, data, parts);
  }
  REEL_RETURN_IF_ERROR(CheckKey(key));
  REEL_ASSIGN_OR_RETURN(
      HttpResponse r,
      client_->Execute({.method = "PUT", .key = FullKey(key), .body = data, .signed_parts = parts}));
  if (r.status < 300) return Status::Ok();
  Status refused = client_->ErrorStatus(r, "PUT " + key);
  // A part that does not match its signed hash fails the signature: name it if that is why.
  if (ParseS3Error(BodyText(r)).code == "SignatureDoesNotMatch") {
    REEL_RETURN_IF_ERROR(CheckHashedParts(data, parts).WithContext("PUT " + key));
  }
  return refused;
}

std::string S3Store::RangeHeader(uint64_t offset, uint64_t length) {
  std::string range = "Range: bytes=" + std::to_string(offset) + "-";
  if (length - 1 <= UINT64_MAX - offset) range += std::to_string(offset + (length - 1));
  return range;
}

Result<std::vector<uint8_t>> S3Store::GetObject(const std::string& key,
                                                const std::string& range_header,
                                                long* http_status) {
  S3Request req{.method = "GET", .key = FullKey(key)};
  if (!range_header.empty()) req.headers.push_back(range_header);
  REEL_ASSIGN_OR_RETURN(HttpResponse r, client_->Execute(req));
  if (http_status != nullptr) *http_status = r.status;
  if (r.status == 416 && !range_header.empty()) return std::vector<uint8_t>();
  if (r.status >= 300) return client_->ErrorStatus(r, "GET " + key);
  return std::move(r.body);
}

Result<std::vector<uint8_t>> S3Store::Get(const std::string& key) {
  REEL_RETURN_IF_ERROR(CheckKey(key));
  return GetObject(key, "", nullptr);
}

Result<std::vector<uint8_t>> S3Store::GetRange(const std::string& key, uint64_t offset,
                                               uint64_t length) {
  REEL_RETURN_IF_ERROR(CheckKey(key));
  if (length == 0) {  // nothing to read, but absence must still be NotFound
    REEL_RETURN_IF_ERROR(Head(key).status());
    return std::vector<uint8_t>();
  }
  long status = 0;
  REEL_ASSIGN_OR_RETURN(std::vector<uint8_t> data, GetObject(key, RangeHeader(offset, length), &status));
  // 206: the range. 416: offset >= size (a missing object is 404), so empty. 200: the server
  // ignored the range (some do for empty objects) and sent everything; cut the range out here.
  if (status == 200) {
    if (offset >= data.size()) return std::vector<uint8_t>();
    data.erase(data.begin(), data.begin() + static_cast<ptrdiff_t>(offset));
    if (length < data.size()) data.resize(length);
  }
  return data;
}

Result<uint64_t> S3Store::GetRangeInto(const std::string& key, uint64_t offset,
                                       std::span<const std::span<uint8_t>> into) {
  REEL_RETURN_IF_ERROR(CheckKey(key));
  uint64_t length = 0;
  for (std::span<uint8_t> piece : into) length += piece.size();
  if (length == 0) {  // nothing to read, but absence must still be NotFound
    REEL_RETURN_IF_ERROR(Head(key).status());
    return uint64_t{0};
  }
  S3Request req{.method = "GET", .key = FullKey(key), .headers = {RangeHeader(offset, length)},
                .body_into = into};
  REEL_ASSIGN_OR_RETURN(HttpResponse r, client_->Execute(req));
  if (r.status == 416) return uint64_t{0};
  if (r.status >= 300) return client_->ErrorStatus(r, "GET " + key);
  if (r.status == 206) {
    if (r.body_into_overflow) {
      return Status::IOError("s3 GET " + key + ": the answer is longer than the range asked for");
    }
    return r.body_into_bytes;
  }
  // 200: the server ignored the range and sent the whole object (in `body`).
  if (offset >= r.body.size()) return uint64_t{0};
  return ScatterInto(std::span<const uint8_t>(r.body).subspan(offset), into);
}

Result<ObjectInfo> S3Store::Head(const std::string& key) {
  REEL_RETURN_IF_ERROR(CheckKey(key));
  REEL_ASSIGN_OR_RETURN(HttpResponse r, client_->Execute({.method = "HEAD", .key = FullKey(key)}));
  if (r.status >= 300) return client_->ErrorStatus(r, "HEAD " + key);
  ObjectInfo info;
  info.key = key;
  auto it = r.headers.find("content-length");
  if (it == r.headers.end()) return Status::Corruption("s3 HEAD " + key + ": no Content-Length");
  info.size = std::strtoull(it->second.c_str(), nullptr, 10);
  if (r.last_modified_unix > 0) info.mtime_unix_ns = r.last_modified_unix * 1'000'000'000;
  return info;
}

Status S3Store::Delete(const std::string& key) {
  REEL_RETURN_IF_ERROR(CheckKey(key));
  REEL_ASSIGN_OR_RETURN(HttpResponse r,
                        client_->Execute({.method = "DELETE", .key = FullKey(key)}));
  if (r.status >= 300 && r.status != 404) return client_->ErrorStatus(r, "DELETE " + key);
  return Status::Ok();
}

Status S3Store::List(const std::string& prefix,
                     const std::function<bool(const ObjectInfo&)>& visit) {
  REEL_RETURN_IF_ERROR(ValidateObjectKeyPrefix(prefix));
  const std::string& store_prefix = client_->config().prefix;
  const std::string strip = store_prefix.empty() ? "" : store_prefix + "/";
  std::string token;
  for (;;) {
    S3Request req{.method = "GET",
                  .query = {{"list-type", "2"}, {"prefix", strip + prefix}}};
    if (!token.empty()) req.query.emplace_back("continuation-token", token);
    REEL_ASSIGN_OR_RETURN(HttpResponse r, client_->Execute(req));
    if (r.status >= 300) return client_->ErrorStatus(r, "LIST " + prefix);
    REEL_ASSIGN_OR_RETURN(ListPage page, ParseListObjectsV2(BodyText(r)));
    for (ListedObject& obj : page.objects) {
      if (!obj.key.starts_with(strip)) continue;
      ObjectInfo info{obj.key.substr(strip.size()), obj.size, obj.mtime_unix_ns};
      // Objects written by something else under the prefix may have names this interface
      // cannot express; they are not ours and are skipped.
      if (!ValidateObjectKey(info.key).ok()) continue;
      if (!visit(info)) return Status::Ok();
    }
    if (!page.truncated) return Status::Ok();
    token = std::move(page.next_continuation_token);
  }
}

}  // namespace reel::s3

namespace reel {

Result<std::unique_ptr<ObjectStore>> OpenS3Store(const std::string& uri) {
  const s3::EnvLookup env = s3::ProcessEnv();
  REEL_ASSIGN_OR_RETURN(s3::S3Config config, s3::ParseS3Uri(uri, env));
  REEL_ASSIGN_OR_RETURN(s3::S3Credentials credentials, s3::LoadS3Credentials(env));
  REEL_ASSIGN_OR_RETURN(auto store, s3::S3Store::Open(config, credentials));
  return std::unique_ptr<ObjectStore>(std::move(store));
}

}  // namespace reel
