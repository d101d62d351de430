// HttpClient: HTTP requests signed with AWS SigV4 by libcurl, over a bounded pool of CURL easy
// handles. Each handle keeps its connection open between requests (keep-alive), so the pool size
// bounds the number of connections to the service. One Send is one attempt: retries and S3
// semantics live in S3Client (s3_client.h). curl.h stays in the .cc file.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/s3/s3_aws_chunked.h"

namespace reel::s3 {

struct HttpRequest {
  std::string method;                   // GET, HEAD, PUT, POST, DELETE
  std::string url;                      // complete; the query string already sorted and encoded
  std::vector<std::string> headers;     // "Name: value"
  std::span<const uint8_t> body;        // sent for PUT and POST
  std::string payload_sha256 = "UNSIGNED-PAYLOAD";  // x-amz-content-sha256
  // Not empty: a PUT body sent aws-chunked (s3_aws_chunked.h), one signed chunk per part; the
  // parts must cover the body exactly, and payload_sha256 is then ignored.
  std::span<const HashedPart> signed_parts;
  // Not empty (with signed_parts): the chunk signatures whoever signed the request made (its
  // Authorization and aws-chunked headers are among `headers`); this client signs nothing.
  std::vector<std::string> chunk_signatures;
  // Not empty: a body answered with `body_into_status` (206 for a ranged GET) is written into
  // these pieces one after the other instead of HttpResponse::body (a scatter read into the
  // caller's memory); any other answer's body still goes to `body`.
  std::span<const std::span<uint8_t>> body_into;
  long body_into_status = 206;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-case
  std::vector<uint8_t> body;
  uint64_t body_into_bytes = 0;    // bytes written into HttpRequest::body_into
  bool body_into_overflow = false; // the body was longer than body_into (the rest was dropped)
  int64_t last_modified_unix = -1;             // from Last-Modified, -1 when absent
};

// A failed attempt that never produced an HTTP status (connect refused, timeout, reset...).
struct TransportError {
  std::string message;  // curl's description; never contains credentials
  bool timed_out = false;
};

struct HttpClientOptions {
  int max_connections = 16;
  // false: requests go out unsigned (presigned URLs carry their own signature), without
  // x-amz-content-sha256.
  bool sign = true;
  std::string region;
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string ca_bundle;
  int64_t connect_timeout_ms = 3000;
  int64_t stall_timeout_ms = 5000;
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One attempt. An HTTP answer of any status is returned in `response` (true); a transport
  // failure fills `error` (false). Blocks while all max_connections handles are busy.
  bool Send(const HttpRequest& request, HttpResponse* response, TransportError* error);

 private:
  struct Handle;
  // A handle taken from the pool for one request; returned on destruction.
  std::unique_ptr<Handle> Acquire();
  void Release(std::unique_ptr<Handle> handle);

  const HttpClientOptions options_;
  std::mutex mu_;                                // guards idle_ and created_
  std::condition_variable handle_returned_;      // signalled (under mu_) when a handle comes back
  std::vector<std::unique_ptr<Handle>> idle_;    // handles with (maybe) an open connection
  int created_ = 0;                              // handles in existence (idle + in use)
};

}  // namespace reel::s3
