// Team API: the bytes of a workspace's files, which instances move straight to and from the
// team's stores with URLs the server presigns (store/s3/s3_presign.h); instances hold no store
// credentials.
//   GET  /v1/workspaces/NAME/stores   {tiers: ["cloud", "edge"]}: the tiers instances can reach
//   POST /v1/workspaces/NAME/objects/presign
//        {tier, requests: [{method: GET|HEAD|PUT, key,
//                           content_sha256 (hex) or content_md5 (base64): PUT only}...]}
//     -> {expires_ns, requests: [{method, url, headers: {name: value}}...]}
//   A PUT may name its body's parts instead, [{size, sha256}...] (a pack of chunks): it is then
//   signed for an aws-chunked body, one chunk per part (store/s3/s3_aws_chunked.h), and its
//   answer adds chunk_signatures (one per part, the final empty chunk's last); the store checks
//   each part against its hash, and the instance hashes nothing. Send it within 15 minutes.
// Keys are chunk keys (chunks/ab/cd/HEX) and pack keys (packs/ab/HEX): nothing else of the store
// can be named. Any role may read; PUT needs the writer role and the body's SHA-256 (or MD5),
// which the store then checks, and it only creates (If-None-Match: *, signed: the store refuses
// to replace an existing object). A URL is valid for kPresignValidity.
#include <algorithm>

#include "catalog_rpc/catalog_json.h"
#include "server/server_routes.h"
#include "store/chunk_keys.h"
#include "store/s3/s3_presign.h"
#include "tiers/pack_keys.h"

namespace reel::server_internal {

using nlohmann::json;

namespace {

constexpr std::chrono::seconds kPresignValidity{15 * 60};
constexpr size_t kMaxRequestsPerCall = 1000;
constexpr size_t kMaxPartsPerPut = 100'000;
constexpr uint64_t kMaxStreamedBytes = 5ull << 30;  // a single PUT's limit on S3

Status CheckObjectKey(const std::string& key) {
  if (ChunkIdFromKey(key) || IsPackKey(key)) return Status::Ok();
  return Status::InvalidArgument(
      "only chunk and pack objects can be reached (chunks/ab/cd/HEX, "
      "packs/ab/HEX)");
}

// A Content-MD5 value: the base64 of 16 bytes.
Status CheckContentMd5(const std::string& md5) {
  const bool ok = md5.size() == 24 && md5.ends_with("==") &&
                  md5.find_first_not_of(
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                      "0123456789+/=") == std::string::npos;
  if (ok) return Status::Ok();
  return Status::InvalidArgument("content_md5 is the base64 MD5 of the body (24 characters)");
}

// The signed header by which the store checks an upload's body: its SHA-256 (hex; what
// instances send) or its MD5 (base64), exactly one of them.
Result<std::vector<std::pair<std::string, std::string>>> BodyCheck(const json& r) {
  if (r.contains("content_sha256") == r.contains("content_md5")) {
    return Status::InvalidArgument(
        "a PUT names its body's content_sha256 (64 hex digits) or its content_md5, one of them");
  }
  if (r.contains("content_md5")) {
    REEL_ASSIGN_OR_RETURN(std::string md5, http::StringField(r, "content_md5"));
    REEL_RETURN_IF_ERROR(CheckContentMd5(md5));
    return std::vector<std::pair<std::string, std::string>>{{"content-md5", md5}};
  }
  REEL_ASSIGN_OR_RETURN(std::string sha, http::StringField(r, "content_sha256"));
  if (sha.size() != 64 || sha.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return Status::InvalidArgument("content_sha256 is the body's SHA-256 in 64 lower-case hex "
                                   "digits");
  }
  // In the signature, the payload's hash: the store hashes the body and refuses another.
  return std::vector<std::pair<std::string, std::string>>{{"x-amz-content-sha256", sha}};
}

// Signed headers as the answer's {name: value}.
json HeadersJson(const std::vector<std::pair<std::string, std::string>>& headers) {
  json h = json::object();
  for (const auto& [name, value] : headers) h[name] = value;
  return h;
}

// The parts of a streamed PUT: [{size, sha256}...], 1 to kMaxPartsPerPut, none empty, at most
// kMaxStreamedBytes in all.
Result<std::vector<HashedPart>> PartsField(const json& r) {
  const json& list = r.at("parts");
  if (!list.is_array() || list.empty() || list.size() > kMaxPartsPerPut) {
    return Status::InvalidArgument("parts is a list of 1 to " + std::to_string(kMaxPartsPerPut) +
                                   " {size, sha256}");
  }
  std::vector<HashedPart> parts;
  uint64_t total = 0;
  for (const json& p : list) {
    if (!p.is_object() || p.size() != 2 || !p.contains("size") || !p.contains("sha256") ||
        !p["size"].is_number_unsigned() || !p["sha256"].is_string()) {
      return Status::InvalidArgument("a part is {size, sha256}");
    }
    const uint64_t size = p["size"].get<uint64_t>();
    const auto sha = ChunkId::FromHex(p["sha256"].get<std::string>());
    if (size == 0 || size > kMaxStreamedBytes || !sha) {
      return Status::InvalidArgument("a part has 1 to " + std::to_string(kMaxStreamedBytes) +
                                     " bytes and a SHA-256 of 64 hex digits");
    }
    total += size;
    parts.push_back({size, *sha});
  }
  if (total > kMaxStreamedBytes) {
    return Status::InvalidArgument("the parts of a PUT add up to at most " +
                                   std::to_string(kMaxStreamedBytes) + " bytes");
  }
  return parts;
}

}  // namespace

Status CheckPackUploaded(ServerContext& ctx, const json& args) {
  TierMask tier = 0;
  std::string pack;
  std::vector<PackMember> members;
  try {
    tier = args.at("tier").get<TierMask>();
    pack = args.at("pack").get<std::string>();
    members = args.at("members").get<std::vector<PackMember>>();
  } catch (const std::exception&) {
    return Status::Ok();  // the call itself refuses arguments of the wrong shape
  }
  const std::string name = tier == kTierCloud ? "cloud" : tier == kTierEdge ? "edge" : "";
  auto signer = ctx.stores.find(name);
  if (signer == ctx.stores.end() || !signer->second.store) {
    return Status::InvalidArgument("the team has no store instances can reach for tier " +
                                   std::to_string(tier));
  }
  if (!IsPackKey(pack)) return Status::InvalidArgument("'" + pack.substr(0, 64) + "' is not a pack key");
  uint64_t end = 0;
  for (const PackMember& m : members) end = std::max<uint64_t>(end, m.offset + m.length);
  auto info = signer->second.store->Head(pack);
  if (!info.ok()) {
    if (info.status().code() != Code::kNotFound) return info.status().WithContext("pack " + pack);
    return Status::InvalidArgument("pack " + pack + " is not in the " + name +
                                   " store: upload it before recording it");
  }
  if (info->size != end) {
    return Status::InvalidArgument("pack " + pack + " holds " + std::to_string(info->size) +
                                   " bytes in the " + name + " store; its members end at " +
                                   std::to_string(end));
  }
  return Status::Ok();
}

void RegisterObjectRoutes(httplib::Server& server, ServerContext& ctx) {
  Route(server, ctx, "GET", "/v1/workspaces/([^/]+)/stores",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
          REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
          REEL_ASSIGN_OR_RETURN(std::string name, NameParam(req, 1, "workspace"));
          REEL_RETURN_IF_ERROR(MemberOf(ctx, name, request.caller).status());
          json tiers = json::array();
          for (const auto& [tier, signer] : ctx.stores) tiers.push_back(tier);
          return json{{"tiers", std::move(tiers)}};
        });

  Route(server, ctx, "POST", "/v1/workspaces/([^/]+)/objects/presign",
        [&ctx](const httplib::Request& req, const TeamRequest& request) -> Result<json> {
          REEL_RETURN_IF_ERROR(http::CheckQuery(req, {}));
          REEL_ASSIGN_OR_RETURN(std::string name, NameParam(req, 1, "workspace"));
          REEL_ASSIGN_OR_RETURN(json body, http::BodyObject(req, {"tier", "requests"}));
          REEL_ASSIGN_OR_RETURN(std::string tier, http::StringField(body, "tier"));
          if (!body.contains("requests") || !body["requests"].is_array() ||
              body["requests"].empty() || body["requests"].size() > kMaxRequestsPerCall) {
            return Status::InvalidArgument("requests is a list of 1 to " +
                                           std::to_string(kMaxRequestsPerCall) + " requests");
          }
          REEL_ASSIGN_OR_RETURN(auto member, MemberOf(ctx, name, request.caller));
          auto store = ctx.stores.find(tier);
          if (store == ctx.stores.end()) {
            return Status::NotFound("the team has no " + tier.substr(0, 32) +
                                    " store that instances can reach");
          }
          const s3::S3Config& config = store->second.config;
          json out = json::array();
          for (const json& r : body["requests"]) {
            if (!r.is_object()) return Status::InvalidArgument("a request is a JSON object");
            for (const auto& [key, value] : r.items()) {
              if (key != "method" && key != "key" && key != "content_md5" &&
                  key != "content_sha256" && key != "parts") {
                return Status::InvalidArgument("unknown field '" + key.substr(0, 64) + "'");
              }
            }
            REEL_ASSIGN_OR_RETURN(std::string method, http::StringField(r, "method"));
            REEL_ASSIGN_OR_RETURN(std::string key, http::StringField(r, "key"));
            REEL_RETURN_IF_ERROR(CheckObjectKey(key));
            std::vector<std::pair<std::string, std::string>> headers;
            const std::string full_key = config.prefix.empty() ? key : config.prefix + "/" + key;
            if (method == "PUT" && member.second < Role::kWriter) {
              return Status::PermissionDenied("you are a reader of workspace \"" + name +
                                              "\"; uploads need the writer role");
            }
            if (method == "PUT" && r.contains("parts")) {
              // A body of parts whose hashes the instance knows: signed here, part by part.
              if (r.contains("content_md5") || r.contains("content_sha256")) {
                return Status::InvalidArgument("a PUT names its parts or its body's hash, not both");
              }
              REEL_ASSIGN_OR_RETURN(std::vector<HashedPart> parts, PartsField(r));
              REEL_ASSIGN_OR_RETURN(
                  s3::StreamingPut streamed,
                  s3::SignStreamingPut(config, store->second.credentials, full_key, parts,
                                       {{"if-none-match", "*"}}, request.now));
              out.push_back(json{{"method", method},
                                 {"url", streamed.url},
                                 {"headers", HeadersJson(streamed.headers)},
                                 {"chunk_signatures", streamed.chunk_signatures}});
              continue;
            }
            if (method == "PUT") {
              REEL_ASSIGN_OR_RETURN(headers, BodyCheck(r));
              // An upload never replaces an object: packs are recorded by name and chunks by
              // content, so an overwrite could only destroy what readers rely on.
              headers.emplace_back("if-none-match", "*");
            } else if (r.contains("content_md5") || r.contains("content_sha256") ||
                       r.contains("parts")) {
              return Status::InvalidArgument(
                  "content_md5, content_sha256 and parts are for PUT requests");
            }
            REEL_ASSIGN_OR_RETURN(
                s3::PresignedRequest signed_request,
                s3::PresignObjectRequest(config, store->second.credentials, method, full_key,
                                         std::move(headers), request.now, kPresignValidity));
            out.push_back(json{{"method", method},
                               {"url", signed_request.url},
                               {"headers", HeadersJson(signed_request.headers)}});
          }
          return json{{"expires_ns", request.now + kPresignValidity.count() * 1'000'000'000},
                      {"requests", std::move(out)}};
        });
}

}  // namespace reel::server_internal
