#include "store/s3/s3_http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <mutex>

namespace reel::s3 {
namespace {

// libcurl's process-wide init, once. curl_global_init is documented as not thread-safe before
// 7.84; call_once makes the first use from many threads safe on any version.
void EnsureCurlInitialized() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistFree>;

// Upload source for PUT: the request body, rewindable for curl's own resends.
struct UploadState {
  std::span<const uint8_t> data;
  size_t pos = 0;
};

size_t ReadBody(char* buf, size_t size, size_t nitems, void* userdata) {
  auto* up = static_cast<UploadState*>(userdata);
  size_t n = std::min(size * nitems, up->data.size() - up->pos);
  std::memcpy(buf, up->data.data() + up->pos, n);
  up->pos += n;
  return n;
}

// Upload source for an aws-chunked PUT: the chunk signatures chain from the request's own
// signature, which libcurl computes (CURLOPT_AWS_SIGV4) and sends in the request header. The
// header is captured as it goes out (the debug callback sees it before the body is read), and
// the body starts signing from it; a resend of the request sends a new header and restarts it.
struct ChunkedUpload {
  AwsChunkedBody body;
  const HttpClientOptions* options;
  std::string header;  // the outgoing request header, accumulated; never logged
  std::vector<std::string> given;  // chunk signatures made by whoever signed the request
};

// The value of header `name` (lower-case) in a request header block, or "".
std::string_view HeaderValue(std::string_view block, std::string_view name) {
  size_t pos = 0;
  while (pos < block.size()) {
    size_t end = block.find("\r\n", pos);
    if (end == std::string_view::npos) end = block.size();
    std::string_view line = block.substr(pos, end - pos);
    pos = end + 2;
    if (line.size() <= name.size() || line[name.size()] != ':') continue;
    bool match = true;
    for (size_t i = 0; i < name.size() && match; ++i) {
      match = std::tolower(static_cast<unsigned char>(line[i])) == name[i];
    }
    if (!match) continue;
    std::string_view value = line.substr(name.size() + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    return value;
  }
  return {};
}

int CaptureRequestHeader(CURL*, curl_infotype type, char* data, size_t size, void* userdata) {
  if (type != CURLINFO_HEADER_OUT) return 0;
  auto* up = static_cast<ChunkedUpload*>(userdata);
  up->header.append(data, size);
  if (up->header.find("\r\n\r\n") == std::string::npos) return 0;
  const std::string_view date = HeaderValue(up->header, "x-amz-date");
  const std::string_view auth = HeaderValue(up->header, "authorization");
  const size_t sig = auth.find("Signature=");
  if (!date.empty() && sig != std::string_view::npos && auth.size() >= sig + 10 + 64) {
    up->body.Start(ChunkSigner(up->options->secret_access_key, up->options->region, "s3", date,
                               std::string(auth.substr(sig + 10, 64))));
  }
  up->header.clear();
  return 0;
}

size_t ReadChunkedBody(char* buf, size_t size, size_t nitems, void* userdata) {
  auto* up = static_cast<ChunkedUpload*>(userdata);
  // No signature seen: never send an unsigned body (the attempt fails and is retried).
  if (!up->body.started()) return CURL_READFUNC_ABORT;
  return up->body.Read({buf, size * nitems});
}

int SeekChunkedBody(void* userdata, curl_off_t offset, int origin) {
  auto* up = static_cast<ChunkedUpload*>(userdata);
  if (origin != SEEK_SET || offset != 0) return CURL_SEEKFUNC_CANTSEEK;
  if (!up->given.empty()) {
    up->body.Start(ChunkSigner(up->given));  // the same request again: the same signatures
  } else {
    up->body.Reset();  // restarts with the signature of the header sent again
  }
  return CURL_SEEKFUNC_OK;
}

int SeekBody(void* userdata, curl_off_t offset, int origin) {
  auto* up = static_cast<UploadState*>(userdata);
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > up->data.size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  up->pos = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

// Stall detection: the transfer fails when no byte moved either way for `limit`. (libcurl's
// CURLOPT_LOW_SPEED_* averages over a window of several seconds, so a burst just before a hang
// hides the hang for that long; this check is exact.) libcurl calls it about once a second even
// when nothing moves.
struct StallGuard {
  using Clock = std::chrono::steady_clock;
  std::chrono::milliseconds limit;
  Clock::time_point last_progress = Clock::now();
  curl_off_t last_down = -1;
  curl_off_t last_up = -1;
  bool stalled = false;
};

int CheckStall(void* userdata, curl_off_t, curl_off_t dlnow, curl_off_t, curl_off_t ulnow) {
  auto* g = static_cast<StallGuard*>(userdata);
  auto now = StallGuard::Clock::now();
  if (dlnow != g->last_down || ulnow != g->last_up) {
    g->last_down = dlnow;
    g->last_up = ulnow;
    g->last_progress = now;
    return 0;
  }
  if (now - g->last_progress > g->limit) {
    g->stalled = true;
    return 1;  // abort the transfer
  }
  return 0;
}

// Where one attempt's response body goes: HttpResponse::body, or the request's body_into pieces
// when the status is the one they are for.
struct BodySink {
  HttpResponse* resp;
  std::span<const std::span<uint8_t>> into;
  long into_status;
  size_t piece = 0;     // the piece being filled
  size_t in_piece = 0;  // bytes of it filled
};

size_t WriteBody(char* ptr, size_t size, size_t nmemb, void* userdata) {
  auto* sink = static_cast<BodySink*>(userdata);
  HttpResponse* resp = sink->resp;
  const size_t n = size * nmemb;
  // As bytes, so the insert is one memcpy (from char*, it converts element by element).
  const auto* bytes = reinterpret_cast<const uint8_t*>(ptr);
  if (sink->into.empty() || resp->status != sink->into_status) {
    resp->body.insert(resp->body.end(), bytes, bytes + n);
    return n;
  }
  size_t done = 0;
  while (done < n && sink->piece < sink->into.size()) {
    const std::span<uint8_t> piece = sink->into[sink->piece];
    const size_t m = std::min(n - done, piece.size() - sink->in_piece);
    std::memcpy(piece.data() + sink->in_piece, bytes + done, m);
    done += m;
    sink->in_piece += m;
    if (sink->in_piece == piece.size()) {
      ++sink->piece;
      sink->in_piece = 0;
    }
  }
  resp->body_into_bytes += done;
  if (done < n) resp->body_into_overflow = true;
  return n;
}

size_t WriteHeader(char* buf, size_t size, size_t nitems, void* userdata) {
  auto* sink = static_cast<BodySink*>(userdata);
  HttpResponse* resp = sink->resp;
  std::string_view line(buf, size * nitems);
  if (line.starts_with("HTTP/")) {
    resp->headers.clear();  // a new response (after 100-continue or a redirect)
    // "HTTP/1.1 206 Partial Content": the status, so the body knows where it goes (curl's final
    // status replaces this after the transfer).
    const size_t space = line.find(' ');
    if (space != std::string_view::npos) {
      resp->status = std::strtol(std::string(line.substr(space + 1, 3)).c_str(), nullptr, 10);
    }
    return size * nitems;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    const bool into = !sink->into.empty() && resp->status == sink->into_status;
    if (name == "content-length" && resp->body.empty() && !into) {
      // Reserve up front so a large GET does not reallocate as it grows.
      uint64_t n = std::strtoull(std::string(value).c_str(), nullptr, 10);
      if (n > 0 && n < (uint64_t{1} << 34)) resp->body.reserve(n);
    }
    resp->headers[std::move(name)] = std::string(value);
  }
  return size * nitems;
}

}  // namespace

struct HttpClient::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {
  EnsureCurlInitialized();
}

HttpClient::~HttpClient() = default;

std::unique_ptr<HttpClient::Handle> HttpClient::Acquire() {
  std::unique_lock lock(mu_);
  handle_returned_.wait(lock, [&] { return !idle_.empty() || created_ < options_.max_connections; });
  if (!idle_.empty()) {
    auto h = std::move(idle_.back());
    idle_.pop_back();
    return h;
  }
  ++created_;
  lock.unlock();
  auto h = std::make_unique<Handle>();
  h->curl = curl_easy_init();
  return h;
}

void HttpClient::Release(std::unique_ptr<Handle> handle) {
  {
    std::lock_guard lock(mu_);
    if (handle->curl != nullptr) {
      idle_.push_back(std::move(handle));
    } else {
      --created_;
    }
  }
  handle_returned_.notify_one();
}

bool HttpClient::Send(const HttpRequest& request, HttpResponse* response, TransportError* error) {
  auto handle = Acquire();
  struct Returner {
    HttpClient* client;
    std::unique_ptr<Handle>* h;
    ~Returner() { client->Release(std::move(*h)); }
  } returner{this, &handle};
  CURL* c = handle->curl;
  if (c == nullptr) {
    error->message = "curl_easy_init failed";
    return false;
  }
  curl_easy_reset(c);  // keeps the connection cache, clears every option

  *response = HttpResponse{};
  UploadState upload{request.body, 0};
  Slist headers;
  auto add_header = [&](const std::string& h) {
    curl_slist* l = curl_slist_append(headers.get(), h.c_str());
    if (l != nullptr) {
      (void)headers.release();
      headers.reset(l);
    }
  };
  for (const std::string& h : request.headers) add_header(h);
  const bool chunked = !request.signed_parts.empty();
  ChunkedUpload chunked_upload{AwsChunkedBody(request.body, request.signed_parts), &options_, {},
                               request.chunk_signatures};
  const bool signed_elsewhere = chunked && !request.chunk_signatures.empty();
  if (signed_elsewhere) {
    // Its aws-chunked headers came with its signature, in request.headers.
    chunked_upload.body.Start(ChunkSigner(request.chunk_signatures));
  } else if (chunked) {
    add_header("Content-Encoding: aws-chunked");
    add_header("x-amz-decoded-content-length: " + std::to_string(request.body.size()));
    add_header("x-amz-content-sha256: " + std::string(kStreamingPayload));
  } else if (options_.sign) {
    add_header("x-amz-content-sha256: " + request.payload_sha256);
  }
  if (!options_.session_token.empty()) add_header("x-amz-security-token: " + options_.session_token);
  // No "Expect:" header to turn 100-continue off: curl's SigV4 would sign the empty header it
  // then does not send, and the service rejects the signature. Bodies over 1 MiB therefore wait
  // one round trip for "100 Continue", which also avoids sending them to a request that fails.

  const std::string sigv4 = "aws:amz:" + options_.region + ":s3";
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (options_.sign) {
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(c, CURLOPT_USERNAME, options_.access_key_id.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, options_.secret_access_key.c_str());
  }
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  // A transfer that moves no byte for the stall time fails: a hung gateway is seen in seconds,
  // while a slow but moving transfer of any size continues.
  StallGuard stall{.limit = std::chrono::milliseconds(options_.stall_timeout_ms)};
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, &CheckStall);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &stall);
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(c, CURLOPT_MAXCONNECTS, 1L);
  curl_easy_setopt(c, CURLOPT_FILETIME, 1L);
  if (!options_.ca_bundle.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_bundle.c_str());
  BodySink sink{response, request.body_into, request.body_into_status};
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  // Bigger reads from the socket than curl's 16 KiB default: fewer system calls and callbacks
  // per GET (512 KiB is curl's maximum).
  if (request.method == "GET") curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &WriteHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink);

  if (request.method == "PUT" && chunked) {
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    if (!signed_elsewhere) {
      curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);  // the debug callback sees the request header
      curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, &CaptureRequestHeader);
      curl_easy_setopt(c, CURLOPT_DEBUGDATA, &chunked_upload);
    }
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadChunkedBody);
    curl_easy_setopt(c, CURLOPT_READDATA, &chunked_upload);
    curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, &SeekChunkedBody);
    curl_easy_setopt(c, CURLOPT_SEEKDATA, &chunked_upload);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
                     static_cast<curl_off_t>(AwsChunkedLength(request.signed_parts)));
  } else if (request.method == "PUT") {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadBody);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, &SeekBody);
    curl_easy_setopt(c, CURLOPT_SEEKDATA, &upload);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "POST") {
    add_header("Content-Type: application/xml");
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS,
                     request.body.empty() ? "" : reinterpret_cast<const char*>(request.body.data()));
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    error->message = stall.stalled ? "no byte moved for " + std::to_string(options_.stall_timeout_ms) + " ms"
                                   : curl_easy_strerror(rc);
    error->timed_out = stall.stalled || rc == CURLE_OPERATION_TIMEDOUT;
    return false;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response->status);
  curl_off_t filetime = -1;
  if (curl_easy_getinfo(c, CURLINFO_FILETIME_T, &filetime) == CURLE_OK) {
    response->last_modified_unix = filetime;
  }
  return true;
}

}  // namespace reel::s3
