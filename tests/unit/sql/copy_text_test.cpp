// COPY's text format, checked against what PostgreSQL's COPY FROM reads back: a backslash
// starts an escape, a tab ends the column, a newline ends the row, \N is NULL.
#include "copy_text.hpp"

#include <gtest/gtest.h>

namespace sipcred {
namespace {

std::string row_of(std::initializer_list<std::string_view> values) {
  std::string row;
  bool first = true;
  for (auto value : values) {
    append_copy_text(row, value, first);
    first = false;
  }
  return row;
}

TEST(CopyText, SeparatorsAndEscapesInValuesAreEscaped) {
  EXPECT_EQ(row_of({"a\tb", "c\\d", "e\nf", "g\rh"}), "a\\tb\tc\\\\d\te\\nf\tg\\rh");
  // A backslash before what would be an escape stays a backslash.
  EXPECT_EQ(row_of({"\\N", "\\t"}), "\\\\N\t\\\\t");
}

TEST(CopyText, OtherBytesAreKeptAsTheyAre) {
  EXPECT_EQ(row_of({"J\xc3\xa9r\xc3\xb4me", "p:w'\"%;,"}), "J\xc3\xa9r\xc3\xb4me\tp:w'\"%;,");
  EXPECT_EQ(row_of({"", "x"}), "\tx"); // an empty string is not NULL
}

TEST(CopyText, NullIsBackslashN) {
  std::string row;
  append_copy_null(row, true);
  append_copy_text(row, "x");
  append_copy_null(row);
  EXPECT_EQ(row, "\\N\tx\t\\N");
}

} // namespace
} // namespace sipcred
