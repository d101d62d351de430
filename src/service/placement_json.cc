#include "service/placement_json.h"

#include <nlohmann/json.hpp>

#include "tiers/placement.h"
#include "tiers/transfer_engine.h"

namespace reel {

void to_json(nlohmann::json& j, const PlacementResult& r) {
  j = nlohmann::json{{"files", r.files}, {"chunks", r.chunks}, {"bytes", r.bytes}};
}

void to_json(nlohmann::json& j, const TierUsage& u) {
  j = nlohmann::json{{"files", u.files},
                     {"chunks", u.chunks},
                     {"total_bytes", u.total_bytes},
                     {"local_bytes", u.local_bytes},
                     {"edge_bytes", u.edge_bytes},
                     {"cloud_bytes", u.cloud_bytes},
                     {"pinned_files", u.pinned_files},
                     {"published_files", u.published_files},
                     {"publishing_files", u.publishing_files}};
}

void to_json(nlohmann::json& j, const TransferProgress& p) {
  j = nlohmann::json{{"paused", p.paused},
                     {"queued", p.queue.queued},
                     {"running", p.queue.running},
                     {"waiting_retry", p.queue.waiting_retry},
                     {"bytes_pending", p.queue.bytes_pending},
                     {"completed", p.completed},
                     {"completed_bytes", p.completed_bytes},
                     {"failures", p.failures},
                     {"last_error", p.last_error}};
}

}  // namespace reel
