// Status and Result<T>: how every ReelDrive module reports failure. No exceptions cross a module
// boundary. A Status carries a Code (what went wrong, coarse enough to map to errno and to HTTP)
// and a human message (never contains secrets).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace reel {

enum class Code {
  kOk = 0,
  kNotFound,         // no such file, object, version, ...
  kAlreadyExists,    // name taken
  kInvalidArgument,  // bad input from outside
  kNotEmpty,         // directory not empty
  kNotDirectory,
  kIsDirectory,
  kPermissionDenied, // authenticated, but not allowed
  kUnauthenticated,  // no valid credentials (missing, unknown, expired or revoked token)
  kNameTooLong,
  kNoSpace,
  kBusy,             // retryable contention (database busy, resource locked)
  kUnavailable,      // retryable: a server or store did not answer
  kIOError,          // local I/O failed
  kCorruption,       // stored data does not match its hash or format
  kNotSupported,     // the operation does not apply (e.g. write to a read-only version)
  kReadOnly,         // the target is read-only
  kNoData,           // e.g. xattr missing
  kRange,            // a value or buffer is out of range
  kCrossDevice,
  kFileTooLarge,     // past the largest file size (EFBIG)
  kConflict,         // changed since the caller read it (a commit whose base is no longer the head)
  kInternal,         // a bug
};

[[nodiscard]] std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotEmpty(std::string m) { return {Code::kNotEmpty, std::move(m)}; }
  static Status NotDirectory(std::string m) { return {Code::kNotDirectory, std::move(m)}; }
  static Status IsDirectory(std::string m) { return {Code::kIsDirectory, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
  static Status Unauthenticated(std::string m) { return {Code::kUnauthenticated, std::move(m)}; }
  static Status Busy(std::string m) { return {Code::kBusy, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status IOError(std::string m) { return {Code::kIOError, std::move(m)}; }
  static Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
  static Status NotSupported(std::string m) { return {Code::kNotSupported, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }
  // An I/O error from a failed system call: message is "<what>: <strerror(err)>", code from errno.
  static Status FromErrno(int err, std::string_view what);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Adds context in front of the message, keeping the code.
  Status WithContext(std::string_view context) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// Result<T>: a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}   // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace reel

#define REEL_CONCAT_INNER(a, b) a##b
#define REEL_CONCAT(a, b) REEL_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if `expr` (a Status) is not OK.
#define REEL_RETURN_IF_ERROR(expr)           \
  do {                                       \
    ::reel::Status reel_status_ = (expr);    \
    if (!reel_status_.ok()) return reel_status_; \
  } while (0)

// `lhs = value of expr` (a Result<T>), or returns its Status.
#define REEL_ASSIGN_OR_RETURN(lhs, expr) \
  REEL_ASSIGN_OR_RETURN_IMPL(REEL_CONCAT(reel_result_, __LINE__), lhs, expr)
#define REEL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
