#include "cli/output.h"

#include <ctime>
#include <cstdio>
#include <iostream>

#include "api/json_types.h"

namespace reel::cli {

int Fail(const Status& status) { return Fail(status.message().empty() ? status.ToString() : status.message()); }

int Fail(const std::string& message) {
  std::cerr << "reel: " << message << std::endl;
  return kExitError;
}

int FailAt(const Status& status, const std::string& drive_path, const std::string& user_path) {
  std::string message = status.message().empty() ? status.ToString() : status.message();
  const std::string shown = drive_path.empty() ? "/" : drive_path;
  if (message.starts_with(shown) && message.size() > shown.size() &&
      (message[shown.size()] == ' ' || message[shown.size()] == ':')) {
    message = user_path + message.substr(shown.size());
  }
  return Fail(message);
}

int UsageError(const std::string& message) {
  std::cerr << "reel: " << message << "\nRun 'reel --help' for usage." << std::endl;
  return kExitUsage;
}

void PrintJson(const nlohmann::json& j) { std::cout << DumpJson(j, 2) << std::endl; }

std::string FormatLocalTime(TimeNs t) {
  time_t secs = static_cast<time_t>(t / 1000000000);
  if (t < 0 && t % 1000000000 != 0) --secs;
  struct tm tm;
  if (::localtime_r(&secs, &tm) == nullptr) return std::to_string(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string CellText(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  return out;
}

size_t DisplayWidth(const std::string& s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

Table::Table(std::vector<std::string> headers, std::vector<bool> right_align)
    : headers_(std::move(headers)), right_(std::move(right_align)) {
  right_.resize(headers_.size(), false);
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (auto& c : cells) c = CellText(c);
  rows_.push_back(std::move(cells));
}

std::string Table::Render() const {
  std::vector<size_t> width(headers_.size(), 0);
  for (size_t i = 0; i < headers_.size(); ++i) width[i] = DisplayWidth(headers_[i]);
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], DisplayWidth(row[i]));
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (size_t i = 0; i < cells.size(); ++i) {
      bool last = i + 1 == cells.size();
      size_t pad = width[i] - DisplayWidth(cells[i]);
      if (right_[i]) l += std::string(pad, ' ') + cells[i];
      else l += cells[i] + (last ? "" : std::string(pad, ' '));
      if (!last) l += "  ";
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line(headers_);
  for (const auto& row : rows_) line(row);
  return out;
}

}  // namespace reel::cli
