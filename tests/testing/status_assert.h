// gtest assertions on a Status or Result<T>: EXPECT_OK, ASSERT_OK, EXPECT_CODE and
// ASSERT_OK_AND_ASSIGN, for every test binary (they need only common/).
#pragma once

#include <utility>

#include <gtest/gtest.h>

#include "common/status.h"

namespace reel::testing {

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

template <typename T>
::testing::AssertionResult IsOk(const char* expr, const T& r) {
  if (StatusOf(r).ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << expr << " failed: " << StatusOf(r).ToString();
}
template <typename T>
::testing::AssertionResult HasCode(const char* expr, const char*, const T& r, Code code) {
  if (StatusOf(r).code() == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << expr << " gave " << StatusOf(r).ToString()
                                       << ", expected code " << CodeName(code);
}

// These accept `<< message` like any gtest assertion.
#define EXPECT_OK(expr) EXPECT_PRED_FORMAT1(::reel::testing::IsOk, expr)
#define ASSERT_OK(expr) ASSERT_PRED_FORMAT1(::reel::testing::IsOk, expr)
#define EXPECT_CODE(expr, code) EXPECT_PRED_FORMAT2(::reel::testing::HasCode, expr, code)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL(REEL_CONCAT(reel_test_result_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr)        \
  auto tmp = (expr);                                     \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString();      \
  lhs = std::move(tmp).value()

}  // namespace reel::testing
