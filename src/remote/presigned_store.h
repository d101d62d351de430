// PresignedStore: a team store tier ("cloud", "edge") as an instance reaches it: every request
// goes straight to the store with a URL the team server presigned for this user and workspace
// (server/routes_objects.cc), so the instance holds no store credentials. Uploads carry their
// SHA-256, which the signature covers and the store checks. Only chunk and pack objects can be
// named; deleting and listing are the server's work (PermissionDenied), and a reader's uploads
// are refused.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "remote/team_client.h"
#include "store/object_store.h"

namespace reel {

namespace s3 {
class S3Client;
}

class PresignedStore final : public ObjectStore {
 public:
  // `keys_name_content`: a chunk's key is the SHA-256 of the bytes stored under it (a workspace
  // that is not encrypted), so an upload signs that hash without reading the bytes again; an
  // encrypted workspace's keyed names are not (its uploads hash what they send).
  PresignedStore(TeamClientOptions client, std::string workspace, std::string tier,
                 bool keys_name_content = false);
  ~PresignedStore() override;

  Status Put(const std::string& key, std::span<const uint8_t> data) override;
  // A body of parts whose hashes are known (a pack of chunks): the server signs it part by part
  // (aws-chunked) and the store checks every part, so nothing is hashed here.
  Status PutHashedParts(const std::string& key, std::span<const uint8_t> data,
                        std::span<const HashedPart> parts) override;
  Result<std::vector<uint8_t>> Get(const std::string& key) override;
  Result<std::vector<uint8_t>> GetRange(const std::string& key, uint64_t offset,
                                        uint64_t length) override;
  Result<ObjectInfo> Head(const std::string& key) override;
  Status Delete(const std::string& key) override;
  Status List(const std::string& prefix,
              const std::function<bool(const ObjectInfo&)>& visit) override;
  std::string Uri() const override;

 private:
  struct Signed;
  // One presigned request from the server.
  [[nodiscard]] Result<Signed> Presign(const std::string& method, const std::string& key,
                                       const std::string& content_sha256 = "");
  // The server's answer to one presign request: the URL, the headers to send ("Name: value")
  // and, for a streamed upload, its chunk signatures.
  struct Answer {
    std::string url;
    std::vector<std::string> headers;
    std::vector<std::string> chunk_signatures;
  };
  [[nodiscard]] Result<Answer> PresignOne(const nlohmann::json& request);
  // After a 412 on an upload of `data` to `key`: OK when the object there holds these bytes (a
  // retry after a lost answer: its ETag, a single-part upload's MD5, is theirs).
  [[nodiscard]] Status ExistingHolds(const std::string& key, std::span<const uint8_t> data);
  // Sends it with no credentials; a non-2xx answer is the matching Status ("what" names it),
  // except 416 (a range past the end) and 412 (an upload over an existing object).
  [[nodiscard]] Result<std::pair<long, std::vector<uint8_t>>> Send(
      const Signed& request, std::span<const uint8_t> body, std::vector<std::string> headers,
      std::map<std::string, std::string>* answer_headers = nullptr);

  TeamClient client_;
  const std::string workspace_;
  const std::string tier_;
  const bool keys_name_content_;
  std::unique_ptr<s3::S3Client> http_;  // unsigned: presigned URLs carry the signature
};

}  // namespace reel
