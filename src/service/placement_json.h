// JSON forms of where a drive's bytes are (tiers/placement.h), as every front end answers them:
// the control API (`reel publish`, `reel status`...) and the web app.
#pragma once

#include <nlohmann/json_fwd.hpp>

namespace reel {

struct PlacementResult;
struct TierUsage;
struct TransferProgress;

void to_json(nlohmann::json& j, const PlacementResult& r);
void to_json(nlohmann::json& j, const TierUsage& u);
void to_json(nlohmann::json& j, const TransferProgress& p);

}  // namespace reel
