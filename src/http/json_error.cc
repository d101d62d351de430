#include "http/json_error.h"

namespace reel {

using nlohmann::json;

json ErrorJson(const Status& status) {
  return json{{"error", {{"code", CodeName(status.code())}, {"message", status.message()}}}};
}

std::string DumpJson(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace reel
