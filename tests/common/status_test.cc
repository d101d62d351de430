#include "common/status.h"

#include <cerrno>

#include <gtest/gtest.h>

#include "common/error_mapping.h"

namespace reel {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  REEL_ASSIGN_OR_RETURN(int h, Half(x));
  REEL_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, ResultCarriesValueOrStatus) {
  auto ok = Quarter(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 2);
  auto bad = Quarter(6);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(bad.status().ToString(), "invalid_argument: odd");
}

TEST(StatusTest, FromErrnoKeepsMeaning) {
  EXPECT_EQ(Status::FromErrno(ENOENT, "open x").code(), Code::kNotFound);
  EXPECT_EQ(Status::FromErrno(ENOSPC, "write").code(), Code::kNoSpace);
  EXPECT_EQ(Status::FromErrno(EIO, "read").code(), Code::kIOError);
  EXPECT_NE(Status::FromErrno(ENOENT, "open x").message().find("open x"), std::string::npos);
}

TEST(StatusTest, ErrnoAndHttpMappingsCoverEveryCode) {
  for (int c = 1; c <= static_cast<int>(Code::kInternal); ++c) {
    Code code = static_cast<Code>(c);
    EXPECT_GT(ToErrno(code), 0) << CodeName(code);
    EXPECT_GE(ToHttpStatus(code), 400) << CodeName(code);
    EXPECT_EQ(CodeFromName(CodeName(code)), code);
  }
  EXPECT_EQ(ToErrno(Code::kNotFound), ENOENT);
  EXPECT_EQ(ToErrno(Code::kNotEmpty), ENOTEMPTY);
  EXPECT_EQ(ToHttpStatus(Code::kNotFound), 404);
  EXPECT_EQ(ToErrno(Code::kConflict), ESTALE);
  EXPECT_EQ(ToHttpStatus(Code::kConflict), 409);
  EXPECT_EQ(ToHttpStatus(Code::kUnauthenticated), 401);
  EXPECT_EQ(ToHttpStatus(Code::kPermissionDenied), 403);
  EXPECT_EQ(ToHttpStatus(Code::kOk), 200);
}

TEST(StatusTest, WithContextKeepsCode) {
  Status s = Status::NotFound("x").WithContext("reading y");
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "reading y: x");
}

}  // namespace
}  // namespace reel
