#include "catalog/conflict_policy.h"

#include <string>

namespace reel {

std::string_view ConflictPolicyName(ConflictPolicy policy) {
  switch (policy) {
    case ConflictPolicy::kLastWriterWins:
      return "last-writer-wins";
    case ConflictPolicy::kKeepBoth:
      return "keep-both";
    case ConflictPolicy::kReject:
      return "reject";
  }
  return "last-writer-wins";
}

Result<ConflictPolicy> ParseConflictPolicy(std::string_view name) {
  for (auto p : {ConflictPolicy::kLastWriterWins, ConflictPolicy::kKeepBoth,
                 ConflictPolicy::kReject}) {
    if (ConflictPolicyName(p) == name) return p;
  }
  return Status::InvalidArgument("unknown conflict policy \"" + std::string(name.substr(0, 32)) +
                                 "\" (last-writer-wins, keep-both or reject)");
}

ConflictPolicy ConflictOutcome(const ChangeEvent& e) {
  if (e.version == 0) return ConflictPolicy::kKeepBoth;
  return e.version_kind == VersionKind::kRejected ? ConflictPolicy::kReject
                                                  : ConflictPolicy::kLastWriterWins;
}

}  // namespace reel
