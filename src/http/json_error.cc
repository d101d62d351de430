#include "http/json_error.h"

#include <cstdint>

namespace reel {

using nlohmann::json;

json ErrorJson(const Status& status) {
  return json{{"error", {{"code", CodeName(status.code())}, {"message", status.message()}}}};
}

namespace {
// The subtype of the binary value WrittenJson carries its text in.
constexpr std::uint64_t kWrittenJsonSubtype = 0x4a53;  // "JS"
}  // namespace

json WrittenJson(const std::string& text) {
  return json::binary(json::binary_t::container_type(text.begin(), text.end()),
                      kWrittenJsonSubtype);
}

std::string DumpJson(const json& j, int indent) {
  if (j.is_binary() && j.get_binary().has_subtype() &&
      j.get_binary().subtype() == kWrittenJsonSubtype) {
    const auto& bytes = j.get_binary();
    return std::string(bytes.begin(), bytes.end());
  }
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace reel
