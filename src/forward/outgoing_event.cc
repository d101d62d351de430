// The events of the team's whole feed as they leave a forwarder, and the sink chosen by URI.
#include <nlohmann/json.hpp>

#include "catalog_rpc/catalog_json.h"
#include "forward/event_sink.h"
#include "forward/forward_uri.h"
#include "team/team_directory.h"

namespace reel {

namespace {

// "ws/a/b" -> ("ws", "a/b"); "ws" -> ("ws", "").
std::pair<std::string, std::string> SplitWorkspace(const std::string& path) {
  const size_t slash = path.find('/');
  if (slash == std::string::npos) return {path, ""};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

}  // namespace

std::vector<OutgoingEvent> OutgoingEvents(const std::string& drive_id,
                                          const std::vector<ChangeEvent>& events) {
  std::vector<OutgoingEvent> out;
  out.reserve(events.size());
  for (ChangeEvent e : events) {
    OutgoingEvent o;
    o.seq = e.seq;
    o.id = drive_id + ":" + std::to_string(e.seq);
    auto [workspace, path] = SplitWorkspace(e.path);
    o.workspace = std::move(workspace);
    e.path = std::move(path);
    if (e.path.empty()) e.parent = 0;  // the workspace itself: its directory has no parent here
    if (!e.old_path.empty()) {  // renamed: where it was; conflict: keep-both's copy
      auto [old_workspace, old_path] = SplitWorkspace(e.old_path);
      e.old_path = std::move(old_path);
    }
    o.kind = std::string(ChangeKindName(e.kind));
    nlohmann::json j = e;
    j["id"] = o.id;
    j["workspace"] = o.workspace;
    o.body = j.dump();
    out.push_back(std::move(o));
  }
  return out;
}

Status ValidateForwarderName(const std::string& name) {
  REEL_RETURN_IF_ERROR(ValidateTeamName("forwarder", name));
  if (name.size() > kMaxForwarderName) {
    return Status::InvalidArgument("forwarder name \"" + name + "\": at most " +
                                   std::to_string(kMaxForwarderName) + " characters");
  }
  return Status::Ok();
}

Status CheckForwardUri(const std::string& uri) {
  return forward_internal::ParseForwardUri(uri).status();
}

Result<std::unique_ptr<EventSink>> OpenEventSink(const ForwardTarget& target) {
  REEL_ASSIGN_OR_RETURN(forward_internal::ForwardUri uri,
                        forward_internal::ParseForwardUri(target.uri));
  if (uri.scheme == "nats") return forward_internal::OpenNatsSink(uri);
  if (uri.scheme == "kafka") return forward_internal::OpenKafkaSink(uri);
  if (target.secret.empty()) {
    return Status::InvalidArgument("forward " + target.name +
                                   ": a webhook needs a secret (secret_file) to sign with");
  }
  return forward_internal::OpenWebhookSink(target.uri, target.secret);
}

}  // namespace reel
