#include "common/names.h"

namespace reel {

Status ValidateName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("empty name");
  if (name.size() > kMaxNameLength) return {Code::kNameTooLong, "name longer than 255 bytes"};
  if (name == "." || name == "..") return Status::InvalidArgument("name may not be . or ..");
  for (char c : name) {
    if (c == '/') return Status::InvalidArgument("name contains '/'");
    if (c == '\0') return Status::InvalidArgument("name contains a NUL byte");
  }
  return Status::Ok();
}

Result<std::vector<std::string>> SplitRelativePath(std::string_view path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (!part.empty() && part != ".") {
      if (part == "..") return Status::InvalidArgument("path may not contain '..'");
      REEL_RETURN_IF_ERROR(ValidateName(part));
      parts.emplace_back(part);
    }
    i = j + 1;
  }
  return parts;
}

namespace {
constexpr size_t kMaxPathBytes = 4096;
}  // namespace

Result<std::string> ValidateMountRelativePath(std::string_view relative) {
  if (!relative.empty() && relative.front() == '/') {
    return Status::InvalidArgument("path inside a mount must be relative: '" +
                                   std::string(relative) + "'");
  }
  REEL_ASSIGN_OR_RETURN(std::vector<std::string> parts, SplitRelativePath(relative));
  if (!parts.empty() && parts[0] == ".reel") {
    return Status::InvalidArgument(
        "'" + std::string(relative) +
        "' is inside the read-only .reel directory; use the file's own path");
  }
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

Result<std::string> ValidateDrivePath(const std::string& raw) {
  if (raw.size() > kMaxPathBytes) return Status(Code::kNameTooLong, "path longer than 4096 bytes");
  if (raw.find('\0') != std::string::npos) return Status::InvalidArgument("path contains a NUL byte");
  return ValidateMountRelativePath(raw);
}

std::string ShownPath(const std::string& path) { return path.empty() ? "/" : path; }

}  // namespace reel
