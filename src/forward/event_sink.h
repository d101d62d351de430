// Where a team server forwards its change feed (docs/events.md, "Forwarding"): a NATS JetStream
// stream, a Kafka topic or a webhook, each chosen by the URI of a [[forward]] table of
// server.toml. A sink delivers a batch of events in feed order and says OK only once the
// destination acknowledged every one, so the forwarder can move its cursor past them (at least
// once: a batch that failed, or whose acknowledgement was lost, is delivered again, and
// consumers drop the repeats by the event's id).
//
//   nats://HOST:PORT[,HOST:PORT...][?subject=PREFIX][&stream=NAME]
//       JetStream publish to PREFIX.WORKSPACE.KIND (PREFIX "reel.events" by default; a "." in a
//       workspace name becomes "_" in the subject), header Nats-Msg-Id = the event's id, so the
//       stream drops a repeat within its duplicate window. With `stream`, a stream of that name
//       over PREFIX.> is created when there is none.
//   kafka://HOST:PORT[,HOST:PORT...]/TOPIC
//       Idempotent producer (acks from all in-sync replicas): key = workspace, value = the event,
//       header reel-event-id = the event's id.
//   http://... or https://...  (with `secret_file`)
//       A POST of {"events": [...]} per batch, signed: Reel-Signature: sha256=HEX(HMAC-SHA256(
//       secret, body)). Any 2xx acknowledges the batch.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "catalog/types.h"
#include "common/status.h"

namespace reel {

// One event on its way out, already encoded.
struct OutgoingEvent {
  uint64_t seq = 0;
  std::string id;         // "DRIVE:SEQ": unique across team drives, what consumers dedupe on
  std::string workspace;  // "" for a change outside every workspace (a file in the trash)
  std::string kind;       // "created", "version", ... (docs/events.md)
  std::string body;       // the event's JSON (docs/events.md, "Forwarded events")
};

// The events of a page of the team's whole feed as they leave: paths from their workspace's
// root, with the workspace and the id added.
[[nodiscard]] std::vector<OutgoingEvent> OutgoingEvents(const std::string& drive_id,
                                                        const std::vector<ChangeEvent>& events);

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Delivers `events` (ascending seq); OK only when every one was acknowledged.
  [[nodiscard]] virtual Status Deliver(std::span<const OutgoingEvent> events) = 0;
  // Where it delivers, for logs (no secrets).
  [[nodiscard]] virtual std::string Describe() const = 0;
};

// A [[forward]] table of server.toml.
struct ForwardTarget {
  std::string name;    // a team name: the forwarder's cursor and lease
  std::string uri;
  std::string secret;  // webhooks: the HMAC key (read from secret_file)
};

// A forwarder's name: a team name (ValidateTeamName) of at most kMaxForwarderName bytes, so that
// its lease "forward.NAME" is a team name too.
inline constexpr size_t kMaxForwarderName = 56;
[[nodiscard]] Status ValidateForwarderName(const std::string& name);

// Checks the URI's form (scheme, hosts, options) without connecting.
[[nodiscard]] Status CheckForwardUri(const std::string& uri);
// Connects the sink of `target`: Unavailable when its destination cannot be reached now.
[[nodiscard]] Result<std::unique_ptr<EventSink>> OpenEventSink(const ForwardTarget& target);

}  // namespace reel
