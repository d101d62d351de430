// The error body of every ReelDrive HTTP/JSON API, and how JSON is written out.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace reel {

// {"error":{"code":"not_found","message":"..."}}: the code is CodeName's.
[[nodiscard]] nlohmann::json ErrorJson(const Status& status);
// Compact (indent -1) or pretty JSON; invalid UTF-8 is replaced, never throws. A WrittenJson
// value is its text, as it is.
[[nodiscard]] std::string DumpJson(const nlohmann::json& j, int indent = -1);
// JSON text written already (an answer made without a document: a catalog listing) as a value a
// handler returns and DumpJson writes out unchanged. The text must be JSON: nothing checks it.
[[nodiscard]] nlohmann::json WrittenJson(const std::string& text);

}  // namespace reel
