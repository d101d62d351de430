// The one mapping from Status codes to errno (FUSE) and the one to HTTP status (control API).
#pragma once

#include "common/status.h"

namespace reel {

// Positive errno value for a non-OK code (0 for kOk).
[[nodiscard]] int ToErrno(Code code);
// HTTP status for a code (200 for kOk).
[[nodiscard]] int ToHttpStatus(Code code);
// Inverse of ToHttpStatus for the codes the API sends back; the body carries the exact code name.
[[nodiscard]] Code CodeFromName(std::string_view name);

}  // namespace reel
