// Forwarding to a webhook: one signed POST per batch.
#include <httplib.h>

#include "common/hex.h"
#include "forward/forward_uri.h"
#include "store/s3/s3_sigv4.h"

namespace reel::forward_internal {

namespace {

class WebhookSink final : public EventSink {
 public:
  WebhookSink(const std::string& origin, std::string path, std::string secret)
      : origin_(origin), path_(std::move(path)), secret_(std::move(secret)), client_(origin) {
    client_.set_connection_timeout(std::chrono::seconds(5));
    // Well inside the forwarder's 30 s lease, which is renewed just before a delivery.
    client_.set_read_timeout(std::chrono::seconds(10));
    client_.set_write_timeout(std::chrono::seconds(10));
  }

  bool valid() const { return client_.is_valid(); }

  Status Deliver(std::span<const OutgoingEvent> events) override {
    std::string body = "{\"events\":[";
    for (size_t i = 0; i < events.size(); ++i) {
      if (i > 0) body += ',';
      body += events[i].body;
    }
    body += "]}";
    const std::string mac = s3::HmacSha256(secret_, body);
    httplib::Headers headers = {
        {"Reel-Signature",
         "sha256=" + ToHex(std::span(reinterpret_cast<const uint8_t*>(mac.data()), mac.size()))}};
    httplib::Result res = client_.Post(path_, headers, body, "application/json");
    if (!res) {
      return Status::Unavailable("POST to " + origin_ + ": " + httplib::to_string(res.error()));
    }
    if (res->status < 200 || res->status > 299) {
      return Status::Unavailable("POST to " + origin_ + " answered " +
                                 std::to_string(res->status));
    }
    return Status::Ok();
  }

  // The origin only: a webhook's path or query may hold its own secret.
  std::string Describe() const override { return "webhook " + origin_; }

 private:
  const std::string origin_;
  const std::string path_;
  const std::string secret_;
  httplib::Client client_;
};

}  // namespace

Result<std::unique_ptr<EventSink>> OpenWebhookSink(const std::string& url,
                                                   const std::string& secret) {
  const size_t authority = url.find("://") + 3;
  const size_t slash = url.find('/', authority);
  const std::string origin = url.substr(0, slash);
  const std::string path = slash == std::string::npos ? "/" : url.substr(slash);
  auto sink = std::make_unique<WebhookSink>(origin, path, secret);
  if (!sink->valid()) return Status::InvalidArgument("webhook URL " + origin + " is not usable");
  return std::unique_ptr<EventSink>(std::move(sink));
}

}  // namespace reel::forward_internal
