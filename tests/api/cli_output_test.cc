#include "cli/output.h"

#include <regex>

#include <gtest/gtest.h>

namespace reel::cli {
namespace {

TEST(CliOutputTest, TableAlignsColumns) {
  Table t({"VERSION", "TIME", "SIZE", "KIND", "MESSAGE"}, {true, false, true, false, false});
  t.AddRow({"1", "2024-05-01 14:30:00", "13 B", "autosave", ""});
  t.AddRow({"12", "2024-05-02 09:00:00", "1.5 MiB", "checkpoint", "colour pass ✓"});
  EXPECT_EQ(t.Render(),
            "VERSION  TIME                    SIZE  KIND        MESSAGE\n"
            "      1  2024-05-01 14:30:00     13 B  autosave\n"
            "     12  2024-05-02 09:00:00  1.5 MiB  checkpoint  colour pass ✓\n");
}

TEST(CliOutputTest, CellsCannotBreakTheTable) {
  Table t({"A", "B"});
  t.AddRow({"x\ny", "tab\there\x1b[31m"});
  EXPECT_EQ(t.Render(), "A    B\nx y  tab here [31m\n");
  EXPECT_EQ(DisplayWidth("é✓a"), 3u);
}

TEST(CliOutputTest, LocalTimeIsIsoLike) {
  std::string s = FormatLocalTime(1714566600123456789);
  EXPECT_TRUE(std::regex_match(s, std::regex(R"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})"))) << s;
}

}  // namespace
}  // namespace reel::cli
