// How the reel CLI talks to people and scripts: errors on stderr as "reel: <message>" (exit 1,
// 2 for usage errors), human tables on stdout, or JSON on stdout with --json.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/types.h"
#include "common/status.h"

namespace reel::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// Prints "reel: <message>" to stderr; returns kExitError.
int Fail(const Status& status);
int Fail(const std::string& message);
// Fail for a command on `user_path` (as typed), which the drive knows as `drive_path`: a message
// that starts with the drive's name for it names it the user's way.
int FailAt(const Status& status, const std::string& drive_path, const std::string& user_path);
// Prints "reel: <message>" and a hint to stderr; returns kExitUsage.
int UsageError(const std::string& message);
// Pretty JSON on stdout (invalid UTF-8 replaced, never throws).
void PrintJson(const nlohmann::json& j);

// Local time, ISO-like: "2024-05-01 14:30:00".
std::string FormatLocalTime(TimeNs t);
// Text for one table cell: control characters (newlines, tabs, ESC) become spaces.
std::string CellText(const std::string& s);
// Display width of UTF-8 text (code points; combining marks and wide glyphs are not special).
size_t DisplayWidth(const std::string& s);

// An aligned text table: a header row and rows, columns separated by two spaces; numeric
// columns (right_align) are right-aligned; the last column is not padded.
class Table {
 public:
  explicit Table(std::vector<std::string> headers, std::vector<bool> right_align = {});
  void AddRow(std::vector<std::string> cells);
  std::string Render() const;
  bool empty() const { return rows_.empty(); }

 private:
  std::vector<std::string> headers_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace reel::cli
