// The names of the conflict policies (ConflictPolicy, catalog/types.h), as a workspace's
// settings, the team API and the events' JSON write them.
#pragma once

#include <string_view>

#include "catalog/types.h"
#include "common/status.h"

namespace reel {

// "last-writer-wins", "keep-both", "reject".
[[nodiscard]] std::string_view ConflictPolicyName(ConflictPolicy policy);
[[nodiscard]] Result<ConflictPolicy> ParseConflictPolicy(std::string_view name);
// What a kConflict event's commit came to (see ChangeKind::kConflict).
[[nodiscard]] ConflictPolicy ConflictOutcome(const ChangeEvent& e);

}  // namespace reel
