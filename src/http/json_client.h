// The client side of ReelDrive's HTTP/JSON APIs: a response becomes the JSON of a 200 or the
// Status the server reported (its code by name, its message); no response is Unavailable.
#pragma once

#include <httplib.h>

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace reel::http {

// `who` names the server in messages ("the drive's control API at /run/...", "https://host").
[[nodiscard]] Result<nlohmann::json> DecodeResponse(const httplib::Result& res,
                                                    std::string_view who);
// DecodeResponse without parsing a 200's body: its text (read by the caller, e.g. one pass over
// a large listing, catalog_rpc/dir_entries_json.h).
[[nodiscard]] Result<std::string> DecodeResponseText(httplib::Result& res, std::string_view who);
// The JSON of a 200's body `text` (Internal when it is not JSON).
[[nodiscard]] Result<nlohmann::json> ParseAnswer(const std::string& text, std::string_view who);

}  // namespace reel::http
