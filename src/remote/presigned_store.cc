#include "remote/presigned_store.h"

#include "chunking/sha256.h"
#include "common/percent_encode.h"
#include "store/chunk_keys.h"
#include "store/s3/s3_client.h"
#include "store/s3/s3_presign.h"

namespace reel {

using nlohmann::json;

struct PresignedStore::Signed {
  std::string method;
  std::string key;
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
};

namespace {

s3::S3Config UnsignedConfig(const std::string& uri) {
  s3::S3Config c;
  c.sign_requests = false;
  c.uri = uri;
  return c;
}

}  // namespace

PresignedStore::PresignedStore(TeamClientOptions client, std::string workspace, std::string tier,
                               bool keys_name_content)
    : client_(std::move(client)),
      workspace_(std::move(workspace)),
      tier_(std::move(tier)),
      keys_name_content_(keys_name_content) {
  http_ = std::make_unique<s3::S3Client>(UnsignedConfig(Uri()), s3::S3Credentials{});
}

PresignedStore::~PresignedStore() = default;

std::string PresignedStore::Uri() const {
  return client_.url() + "/v1/workspaces/" + workspace_ + "/objects/" + tier_;
}

Result<PresignedStore::Answer> PresignedStore::PresignOne(const json& request) {
  REEL_ASSIGN_OR_RETURN(
      json answer,
      client_.Call("POST", "/v1/workspaces/" + PercentEncode(workspace_) + "/objects/presign",
                   json{{"tier", tier_}, {"requests", json::array({request})}}));
  try {
    const json& r = answer.at("requests").at(0);
    Answer out{r.at("url").get<std::string>(), {}, {}};
    for (const auto& [name, value] : r.at("headers").items()) {
      out.headers.push_back(name + ": " + value.get<std::string>());
    }
    if (r.contains("chunk_signatures")) {
      out.chunk_signatures = r["chunk_signatures"].get<std::vector<std::string>>();
    }
    return out;
  } catch (const std::exception& e) {
    return Status::Internal("bad answer to presign from " + client_.url() + ": " + e.what());
  }
}

Result<PresignedStore::Signed> PresignedStore::Presign(const std::string& method,
                                                       const std::string& key,
                                                       const std::string& content_sha256) {
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  json request{{"method", method}, {"key", key}};
  if (!content_sha256.empty()) request["content_sha256"] = content_sha256;
  REEL_ASSIGN_OR_RETURN(Answer a, PresignOne(request));
  return Signed{method, key, std::move(a.url), std::move(a.headers)};
}

Result<std::pair<long, std::vector<uint8_t>>> PresignedStore::Send(
    const Signed& request, std::span<const uint8_t> body, std::vector<std::string> headers,
    std::map<std::string, std::string>* answer_headers) {
  s3::S3Request req{.method = request.method, .url = request.url, .body = body};
  req.headers = request.headers;
  req.headers.insert(req.headers.end(), headers.begin(), headers.end());
  REEL_ASSIGN_OR_RETURN(s3::HttpResponse res, http_->Execute(req));
  // 416: a range past the end (GetRange); 412: an upload that would replace an object (Put).
  if (res.status >= 300 && res.status != 416 && res.status != 412) {
    return http_->ErrorStatus(res, request.method + " " + request.key);
  }
  if (answer_headers != nullptr) *answer_headers = res.headers;
  return std::make_pair(res.status, std::move(res.body));
}

Status PresignedStore::Put(const std::string& key, std::span<const uint8_t> data) {
  // The store hashes the body and refuses one that is not this (a damaged chunk is never
  // stored). A chunk named by its content needs no second pass over its bytes for it.
  const std::optional<ChunkId> named = ChunkIdFromKey(key);
  const std::string sha256 = keys_name_content_ && named ? named->Hex() : Sha256(data).Hex();
  REEL_ASSIGN_OR_RETURN(Signed put, Presign("PUT", key, sha256));
  REEL_ASSIGN_OR_RETURN(auto answer, Send(put, data, {}));
  if (answer.first != 412) return Status::Ok();
  return ExistingHolds(key, data);
}

Status PresignedStore::ExistingHolds(const std::string& key, std::span<const uint8_t> data) {
  // The server signs uploads that never replace an object: the key exists. It holds this body
  // when its ETag (a single-part upload's MD5) is this body's: a retry after a lost answer.
  REEL_ASSIGN_OR_RETURN(Signed head, Presign("HEAD", key));
  std::map<std::string, std::string> headers;
  REEL_RETURN_IF_ERROR(Send(head, {}, {}, &headers).status());
  std::string etag = headers.count("etag") ? headers["etag"] : "";
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  if (etag == s3::Md5Hex(data)) return Status::Ok();
  return Status::AlreadyExists("PUT " + key + ": the store holds other bytes under this key, "
                               "and uploads never replace an object");
}

Status PresignedStore::PutHashedParts(const std::string& key, std::span<const uint8_t> data,
                                      std::span<const HashedPart> parts) {
  // A body that cannot go one aws-chunk per part is checked here instead.
  if (!StreamableParts(parts, data.size())) return ObjectStore::PutHashedParts(key, data, parts);
  REEL_RETURN_IF_ERROR(ValidateObjectKey(key));
  json list = json::array();
  for (const HashedPart& p : parts) list.push_back({{"size", p.size}, {"sha256", p.sha256.Hex()}});
  REEL_ASSIGN_OR_RETURN(Answer a, PresignOne(json{{"method", "PUT"}, {"key", key}, {"parts", list}}));
  if (a.chunk_signatures.empty()) {
    return Status::Internal("bad answer to presign from " + client_.url() +
                            ": a streamed upload without its chunk_signatures");
  }
  s3::S3Request req{.method = "PUT",
                    .url = std::move(a.url),
                    .headers = std::move(a.headers),
                    .body = data,
                    .signed_parts = parts,
                    .chunk_signatures = std::move(a.chunk_signatures)};
  REEL_ASSIGN_OR_RETURN(s3::HttpResponse res, http_->Execute(req));
  if (res.status == 412) return ExistingHolds(key, data);
  if (res.status < 300) return Status::Ok();
  Status refused = http_->ErrorStatus(res, "PUT " + key);
  // A part that is not its hash breaks its chunk's signature: name it if that is why.
  REEL_RETURN_IF_ERROR(CheckHashedParts(data, parts).WithContext("PUT " + key));
  return refused;
}

Result<std::vector<uint8_t>> PresignedStore::Get(const std::string& key) {
  REEL_ASSIGN_OR_RETURN(Signed get, Presign("GET", key));
  REEL_ASSIGN_OR_RETURN(auto answer, Send(get, {}, {}));
  return std::move(answer.second);
}

Result<std::vector<uint8_t>> PresignedStore::GetRange(const std::string& key, uint64_t offset,
                                                      uint64_t length) {
  if (length == 0) {
    REEL_RETURN_IF_ERROR(Head(key).status());
    return std::vector<uint8_t>();
  }
  REEL_ASSIGN_OR_RETURN(Signed get, Presign("GET", key));
  REEL_ASSIGN_OR_RETURN(auto answer, Send(get, {},
                                          {"Range: bytes=" + std::to_string(offset) + "-" +
                                           std::to_string(offset + length - 1)}));
  auto& [status, body] = answer;
  if (status == 416) return std::vector<uint8_t>();  // the object ends before `offset`
  if (status == 200) {  // the whole object: a store that ignores ranges
    if (offset >= body.size()) return std::vector<uint8_t>();
    const uint64_t end = std::min<uint64_t>(body.size(), offset + length);
    return std::vector<uint8_t>(body.begin() + offset, body.begin() + end);
  }
  return std::move(body);
}

Result<ObjectInfo> PresignedStore::Head(const std::string& key) {
  REEL_ASSIGN_OR_RETURN(Signed head, Presign("HEAD", key));
  std::map<std::string, std::string> headers;
  REEL_RETURN_IF_ERROR(Send(head, {}, {}, &headers).status());
  ObjectInfo info;
  info.key = key;
  auto length = headers.find("content-length");
  if (length == headers.end()) return Status::IOError("HEAD " + key + ": no Content-Length");
  info.size = std::stoull(length->second);
  return info;
}

Status PresignedStore::Delete(const std::string&) {
  return Status::PermissionDenied("deleting from the team's stores is the team server's work");
}

Status PresignedStore::List(const std::string&, const std::function<bool(const ObjectInfo&)>&) {
  return Status::PermissionDenied("listing the team's stores is the team server's work");
}

}  // namespace reel
