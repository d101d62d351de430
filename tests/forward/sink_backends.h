// The destinations of the event sink suite (event_sink_test.cc), each with a way to read back
// what it holds: a real NATS server with JetStream (REEL_TEST_NATS_URL; scripts/test.sh starts
// one), librdkafka's Kafka-protocol mock cluster on loopback (in this process), and a webhook
// receiver (an HTTP server on loopback that checks every signature).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "forward/event_sink.h"

namespace reel::testing {

// One message as the destination holds it.
struct Held {
  std::string id;         // the event id the message carries (header)
  std::string workspace;  // NATS: from the subject; Kafka: the key; webhook: the JSON's
  std::string kind;       // NATS: from the subject; otherwise the JSON's
  nlohmann::json body;
};

class SinkBackend {
 public:
  virtual ~SinkBackend() = default;
  // Empty when the backend can run here; otherwise what is missing.
  virtual std::string Missing() const { return ""; }
  // The [[forward]] target that delivers here.
  virtual ForwardTarget Target() = 0;
  // A target whose destination does not answer.
  virtual ForwardTarget Unreachable() = 0;
  // Every message the destination holds, in the order it holds them.
  virtual std::vector<Held> HeldMessages() = 0;
  // Whether the destination itself drops a message whose id it has seen (JetStream).
  virtual bool DropsRepeats() const { return false; }
};

std::unique_ptr<SinkBackend> NatsBackend();
std::unique_ptr<SinkBackend> KafkaBackend();
std::unique_ptr<SinkBackend> WebhookBackend();

}  // namespace reel::testing
