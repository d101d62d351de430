#include "common/sizes.h"

#include <cctype>
#include <charconv>
#include <cstdio>

namespace reel {

Result<uint64_t> ParseSize(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data()) {
    return Status::InvalidArgument("not a size: '" + std::string(text) + "'");
  }
  std::string unit(end, text.data() + text.size());
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.front()))) unit.erase(0, 1);
  for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  int shift = 0;
  if (unit.empty() || unit == "B") shift = 0;
  else if (unit == "K" || unit == "KB" || unit == "KIB") shift = 10;
  else if (unit == "M" || unit == "MB" || unit == "MIB") shift = 20;
  else if (unit == "G" || unit == "GB" || unit == "GIB") shift = 30;
  else if (unit == "T" || unit == "TB" || unit == "TIB") shift = 40;
  else return Status::InvalidArgument("unknown size unit in '" + std::string(text) + "'");
  if (shift > 0 && value > (UINT64_MAX >> shift)) {
    return Status::InvalidArgument("size too large: '" + std::string(text) + "'");
  }
  return value << shift;
}

std::string FormatSize(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int unit = 0;
  double v = static_cast<double>(bytes);
  while (v >= 1024.0 && unit < 5) {
    v /= 1024.0;
    ++unit;
  }
  char buf[32];
  if (unit == 0) std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  else std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  return buf;
}

std::string FormatExactSize(uint64_t bytes) {
  static const struct {
    int shift;
    const char* unit;
  } kUnits[] = {{40, "TiB"}, {30, "GiB"}, {20, "MiB"}, {10, "KiB"}};
  if (bytes == 0) return "0";
  for (const auto& u : kUnits) {
    uint64_t unit = 1ull << u.shift;
    if (bytes % unit == 0) return std::to_string(bytes / unit) + u.unit;
  }
  return std::to_string(bytes);
}

Result<uint64_t> ParseDuration(std::string_view text) {
  static const struct {
    const char* unit;
    uint64_t seconds;
  } kUnits[] = {{"s", 1}, {"min", 60}, {"m", 60}, {"h", 3600}, {"d", 86400}};
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 12) {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a duration (e.g. \"90s\", \"30min\", \"1h\", \"2d\")");
  }
  uint64_t n = std::stoull(std::string(text.substr(0, digits)));
  std::string_view unit = text.substr(digits);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  if (unit.empty()) return n;
  for (const auto& u : kUnits) {
    if (unit == u.unit) return n * u.seconds;
  }
  return Status::InvalidArgument("unknown duration unit '" + std::string(unit) +
                                 "' (expected s, min, h or d)");
}

std::string FormatDuration(uint64_t seconds) {
  if (seconds == 0) return "0";
  if (seconds % 86400 == 0) return std::to_string(seconds / 86400) + "d";
  if (seconds % 3600 == 0) return std::to_string(seconds / 3600) + "h";
  if (seconds % 60 == 0) return std::to_string(seconds / 60) + "min";
  return std::to_string(seconds) + "s";
}

}  // namespace reel
