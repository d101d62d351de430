// The client side of ReelDrive's HTTP/JSON APIs: a response becomes the JSON of a 200 or the
// Status the server reported (its code by name, its message); no response is Unavailable.
#pragma once

#include <httplib.h>

#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace reel::http {

// `who` names the server in messages ("the drive's control API at /run/...", "https://host").
[[nodiscard]] Result<nlohmann::json> DecodeResponse(const httplib::Result& res,
                                                    std::string_view who);

}  // namespace reel::http
