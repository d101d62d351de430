// The parts of a forwarder's URI (forward/event_sink.h lists the forms).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "forward/event_sink.h"

namespace reel::forward_internal {

struct ForwardUri {
  std::string scheme;               // "nats", "kafka", "http", "https"
  std::vector<std::string> hosts;   // HOST:PORT each (nats, kafka)
  std::string path;                 // kafka: the topic
  std::map<std::string, std::string> options;  // decoded query items
};

[[nodiscard]] Result<ForwardUri> ParseForwardUri(const std::string& uri);

constexpr const char* kDefaultNatsSubject = "reel.events";

[[nodiscard]] Result<std::unique_ptr<EventSink>> OpenNatsSink(const ForwardUri& uri);
[[nodiscard]] Result<std::unique_ptr<EventSink>> OpenKafkaSink(const ForwardUri& uri);
[[nodiscard]] Result<std::unique_ptr<EventSink>> OpenWebhookSink(const std::string& url,
                                                                       const std::string& secret);

}  // namespace reel::forward_internal
