#include "common/status.h"

#include <cerrno>
#include <cstring>

namespace reel {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kNotFound: return "not_found";
    case Code::kAlreadyExists: return "already_exists";
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kNotEmpty: return "not_empty";
    case Code::kNotDirectory: return "not_directory";
    case Code::kIsDirectory: return "is_directory";
    case Code::kPermissionDenied: return "permission_denied";
    case Code::kUnauthenticated: return "unauthenticated";
    case Code::kNameTooLong: return "name_too_long";
    case Code::kNoSpace: return "no_space";
    case Code::kBusy: return "busy";
    case Code::kUnavailable: return "unavailable";
    case Code::kIOError: return "io_error";
    case Code::kCorruption: return "corruption";
    case Code::kNotSupported: return "not_supported";
    case Code::kReadOnly: return "read_only";
    case Code::kNoData: return "no_data";
    case Code::kRange: return "range";
    case Code::kCrossDevice: return "cross_device";
    case Code::kFileTooLarge: return "file_too_large";
    case Code::kConflict: return "conflict";
    case Code::kInternal: return "internal";
  }
  return "unknown";
}

Status Status::FromErrno(int err, std::string_view what) {
  std::string msg = std::string(what) + ": " + std::strerror(err);
  switch (err) {
    case ENOENT: return {Code::kNotFound, std::move(msg)};
    case EEXIST: return {Code::kAlreadyExists, std::move(msg)};
    case EINVAL: return {Code::kInvalidArgument, std::move(msg)};
    case ENOTEMPTY: return {Code::kNotEmpty, std::move(msg)};
    case ENOTDIR: return {Code::kNotDirectory, std::move(msg)};
    case EISDIR: return {Code::kIsDirectory, std::move(msg)};
    case EACCES:
    case EPERM: return {Code::kPermissionDenied, std::move(msg)};
    case ENAMETOOLONG: return {Code::kNameTooLong, std::move(msg)};
    case ENOSPC:
    case EDQUOT: return {Code::kNoSpace, std::move(msg)};
    case EBUSY:
    case EAGAIN: return {Code::kBusy, std::move(msg)};
    case EROFS: return {Code::kReadOnly, std::move(msg)};
    case ENODATA: return {Code::kNoData, std::move(msg)};
    case ERANGE: return {Code::kRange, std::move(msg)};
    case EXDEV: return {Code::kCrossDevice, std::move(msg)};
    case EFBIG: return {Code::kFileTooLarge, std::move(msg)};
    case ENOTSUP: return {Code::kNotSupported, std::move(msg)};
    default: return {Code::kIOError, std::move(msg)};
  }
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  return {code_, std::string(context) + ": " + message_};
}

}  // namespace reel
