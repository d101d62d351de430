#include "store/s3/s3_client.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "chunking/sha256.h"
#include "common/percent_encode.h"
#include "store/s3/s3_xml.h"

namespace reel::s3 {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kBackoffBase = std::chrono::milliseconds(50);
constexpr auto kBackoffCap = std::chrono::milliseconds(2000);
constexpr size_t kMaxServerMessage = 200;

bool IsRetryable(long status, const std::string& code) {
  return status >= 500 || status == 429 || code == "RequestTimeout" || code == "SlowDown" ||
         code == "InternalError" || code == "ServiceUnavailable";
}

std::string Describe(const HttpResponse& r, const S3ErrorBody& err) {
  std::string out = "HTTP " + std::to_string(r.status);
  if (!err.code.empty()) out += " " + err.code;
  if (!err.message.empty()) out += ": " + err.message.substr(0, kMaxServerMessage);
  return out;
}

}  // namespace

std::string CanonicalQuery(std::vector<std::pair<std::string, std::string>> query) {
  for (auto& [name, value] : query) {
    name = PercentEncode(name, false);
    value = PercentEncode(value, false);
  }
  std::sort(query.begin(), query.end());
  std::string out;
  for (const auto& [name, value] : query) {
    if (!out.empty()) out += '&';
    out += name + "=" + value;
  }
  return out;
}

S3Client::S3Client(S3Config config, const S3Credentials& credentials)
    : config_(std::move(config)),
      http_(HttpClientOptions{
          .max_connections = config_.max_connections,
          .sign = config_.sign_requests,
          .region = config_.region,
          .access_key_id = credentials.access_key_id,
          .secret_access_key = credentials.secret_access_key,
          .session_token = credentials.session_token,
          .ca_bundle = config_.ca_bundle,
          .connect_timeout_ms = config_.connect_timeout_ms,
          .stall_timeout_ms = config_.stall_timeout_ms,
      }) {}

std::string ObjectUrl(const S3Config& config, const std::string& key,
                      std::vector<std::pair<std::string, std::string>> query) {
  std::string url;
  if (config.path_style) {
    url = config.endpoint + "/" + config.bucket;
    if (!key.empty()) url += "/" + PercentEncode(key, true);
  } else {
    size_t host_start = config.endpoint.find("://") + 3;
    url = config.endpoint.substr(0, host_start) + config.bucket + "." +
          config.endpoint.substr(host_start) + "/" + PercentEncode(key, true);
  }
  if (!query.empty()) url += "?" + CanonicalQuery(std::move(query));
  return url;
}

std::string S3Client::Url(const std::string& key,
                          std::vector<std::pair<std::string, std::string>> query) const {
  return ObjectUrl(config_, key, std::move(query));
}

Result<HttpResponse> S3Client::Execute(const S3Request& req) {
  HttpRequest http;
  http.method = req.method;
  http.url = req.url.empty() ? Url(req.key, req.query) : req.url;
  http.headers = req.headers;
  http.body = req.body;
  http.signed_parts = req.signed_parts;
  http.chunk_signatures = req.chunk_signatures;
  http.body_into = req.body_into;
  // Only a signed request sends the payload's hash (a presigned one has it in its URL, or none):
  // hashing the body for nothing would read every uploaded byte once more.
  http.payload_sha256 = !config_.sign_requests          ? std::string()
                        : req.body.empty()              ? std::string(kEmptySha256Hex)
                        : !req.signed_parts.empty()   ? std::string(kStreamingPayload)
                        : !req.payload_sha256.empty() ? req.payload_sha256
                                                      : Sha256(req.body).Hex();

  const auto start = Clock::now();
  const auto deadline = start + std::chrono::milliseconds(config_.retry_deadline_ms);
  std::minstd_rand rng;  // seeded at the first retry only
  std::string last_error;
  int attempt = 0;
  for (;;) {
    ++attempt;
    HttpResponse response;
    TransportError transport;
    if (http_.Send(http, &response, &transport)) {
      S3ErrorBody err;
      long effective = response.status;
      if (response.status >= 300 || req.error_body_on_200) {
        std::string_view body(reinterpret_cast<const char*>(response.body.data()),
                              response.body.size());
        err = ParseS3Error(body);
        if (response.status < 300 && !err.code.empty()) effective = 500;
      }
      if (effective < 300) return response;
      if (!IsRetryable(effective, err.code)) {
        if (effective != response.status) {  // an error inside a 200
          return Status::IOError(req.method + " " + req.key + ": " + Describe(response, err));
        }
        return response;
      }
      last_error = Describe(response, err);
    } else {
      last_error = transport.message;
    }
    // Full jitter: a uniform wait up to the exponential bound, so many clients do not retry in
    // lock step against a recovering gateway.
    // The last wait is cut to the deadline, where one final attempt is made.
    auto now = Clock::now();
    if (now >= deadline) break;
    if (attempt == 1) rng.seed(std::random_device{}());
    auto bound = std::min<Clock::duration>(kBackoffCap, kBackoffBase * (1 << std::min(attempt, 10)));
    auto wait = Clock::duration(std::uniform_int_distribution<Clock::rep>(0, bound.count())(rng));
    std::this_thread::sleep_for(std::min(wait, deadline - now));
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  return Status::Unavailable("s3 " + req.method + " " + (req.key.empty() ? config_.bucket : req.key) +
                             " at " + config_.endpoint + ": no answer after " +
                             std::to_string(attempt) + " attempts in " + std::to_string(ms) +
                             " ms (last: " + last_error + ")");
}

Status S3Client::ErrorStatus(const HttpResponse& response, std::string_view what) const {
  std::string_view body(reinterpret_cast<const char*>(response.body.data()), response.body.size());
  S3ErrorBody err = ParseS3Error(body);
  std::string prefix = "s3 " + std::string(what) + ": ";
  if (err.code == "NoSuchBucket") {
    return Status::NotFound(prefix + "bucket '" + config_.bucket + "' does not exist at " +
                            config_.endpoint + " (create it, or open with create_bucket=true)");
  }
  switch (response.status) {
    case 404:
      return Status::NotFound(prefix + "not found (" + Describe(response, err) + ")");
    case 401:
    case 403:
      return Status::PermissionDenied(prefix + "access denied (" + Describe(response, err) + ")");
    case 301:
    case 307:
      return Status::InvalidArgument(
          prefix + Describe(response, err) +
          " (the bucket is in another region than '" + config_.region +
          "' or needs another addressing style: check region= and path_style=)");
    default:
      if (response.status >= 400 && response.status < 500) {
        return Status::InvalidArgument(prefix + Describe(response, err));
      }
      return Status::IOError(prefix + Describe(response, err));
  }
}

}  // namespace reel::s3
