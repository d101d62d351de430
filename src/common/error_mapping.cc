#include "common/error_mapping.h"

#include <cerrno>

namespace reel {

int ToErrno(Code code) {
  switch (code) {
    case Code::kOk: return 0;
    case Code::kNotFound: return ENOENT;
    case Code::kAlreadyExists: return EEXIST;
    case Code::kInvalidArgument: return EINVAL;
    case Code::kNotEmpty: return ENOTEMPTY;
    case Code::kNotDirectory: return ENOTDIR;
    case Code::kIsDirectory: return EISDIR;
    case Code::kPermissionDenied: return EACCES;
    case Code::kUnauthenticated: return EACCES;
    case Code::kNameTooLong: return ENAMETOOLONG;
    case Code::kNoSpace: return ENOSPC;
    case Code::kBusy: return EBUSY;
    case Code::kUnavailable: return EAGAIN;
    case Code::kIOError: return EIO;
    case Code::kCorruption: return EIO;
    case Code::kNotSupported: return EOPNOTSUPP;
    case Code::kReadOnly: return EROFS;
    case Code::kNoData: return ENODATA;
    case Code::kRange: return ERANGE;
    case Code::kCrossDevice: return EXDEV;
    case Code::kFileTooLarge: return EFBIG;
    // The file changed elsewhere since this machine read it: its handle's view is stale.
    case Code::kConflict: return ESTALE;
    case Code::kInternal: return EIO;
  }
  return EIO;
}

int ToHttpStatus(Code code) {
  switch (code) {
    case Code::kOk: return 200;
    case Code::kNotFound: return 404;
    case Code::kAlreadyExists: return 409;
    case Code::kInvalidArgument:
    case Code::kNameTooLong:
    case Code::kNotDirectory:
    case Code::kIsDirectory:
    case Code::kRange: return 400;
    case Code::kFileTooLarge: return 413;
    case Code::kConflict: return 409;
    case Code::kNotEmpty: return 409;
    case Code::kPermissionDenied: return 403;
    case Code::kUnauthenticated: return 401;
    case Code::kNoSpace: return 507;
    case Code::kBusy: return 409;
    case Code::kUnavailable: return 503;
    case Code::kNotSupported:
    case Code::kReadOnly:
    case Code::kCrossDevice: return 422;
    case Code::kNoData: return 404;
    case Code::kIOError:
    case Code::kCorruption:
    case Code::kInternal: return 500;
  }
  return 500;
}

Code CodeFromName(std::string_view name) {
  for (int c = 0; c <= static_cast<int>(Code::kInternal); ++c) {
    if (CodeName(static_cast<Code>(c)) == name) return static_cast<Code>(c);
  }
  return Code::kInternal;
}

}  // namespace reel
