#include <string>

#include "store/object_store.h"

namespace reel {
namespace {

constexpr size_t kMaxKeyLength = 1024;
constexpr size_t kMaxSegmentLength = 255;  // NAME_MAX: a segment is a file name in file:// stores

constexpr bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

Status ValidateObjectKey(const std::string& key) {
  if (key.empty()) return Status::InvalidArgument("empty object key");
  if (key.size() > kMaxKeyLength) {
    return Status::InvalidArgument("object key longer than 1024 bytes");
  }
  // Characters first, so the messages below can quote the key safely.
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] != '/' && !IsKeyChar(key[i])) {
      return Status::InvalidArgument(
          "object key contains a byte outside [A-Za-z0-9._-/] at offset " + std::to_string(i));
    }
  }
  size_t seg_start = 0;
  for (size_t i = 0; i <= key.size(); ++i) {
    if (i < key.size() && key[i] != '/') continue;
    size_t len = i - seg_start;
    if (len == 0) return Status::InvalidArgument("object key '" + key + "' has an empty segment");
    if (len > kMaxSegmentLength) {
      return Status::InvalidArgument("object key '" + key + "' has a segment over 255 bytes");
    }
    if (key[seg_start] == '.' && (len == 1 || (len == 2 && key[seg_start + 1] == '.'))) {
      return Status::InvalidArgument("object key '" + key + "' has a '.' or '..' segment");
    }
    seg_start = i + 1;
  }
  return Status::Ok();
}

Status ValidateObjectKeyPrefix(const std::string& prefix) {
  if (prefix.empty()) return Status::Ok();
  if (prefix.size() > kMaxKeyLength) {
    return Status::InvalidArgument("object key prefix longer than 1024 bytes");
  }
  // "dir/part": everything up to the last '/' must be a valid key; the part after it may be any
  // beginning of a segment (even "." or "..", which start valid names such as "..x").
  size_t slash = prefix.rfind('/');
  if (slash != std::string::npos) {
    Status s = ValidateObjectKey(prefix.substr(0, slash));
    if (!s.ok()) return Status::InvalidArgument("bad object key prefix: " + s.message());
  }
  size_t start = slash == std::string::npos ? 0 : slash + 1;
  if (prefix.size() - start > kMaxSegmentLength) {
    return Status::InvalidArgument("object key prefix has a segment over 255 bytes");
  }
  for (size_t i = start; i < prefix.size(); ++i) {
    char c = prefix[i];
    if (!IsKeyChar(c)) {
      return Status::InvalidArgument(
          "object key prefix contains a byte outside [A-Za-z0-9._-/] at offset " + std::to_string(i));
    }
  }
  return Status::Ok();
}

}  // namespace reel
