// LineEdits: an edited file is the original's bytes with only the edited lines changed, each
// keeping its own line end.

#include "sipcred/userdb/line_edits.hpp"
#include "sipcred/util/error.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace sipcred::userdb {
namespace {

std::string joined(const LineEdits& edits) {
  std::string out;
  for (std::string_view piece : edits.pieces()) out += piece;
  return out;
}

// The line of `original` that starts with `start`, line end included.
std::string_view line_of(std::string_view original, std::string_view start) {
  const std::size_t at = original.find(start);
  const std::size_t end = original.find('\n', at);
  return original.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at + 1);
}

TEST(LineEdits, NothingEditedGivesTheOriginal) {
  const std::string original = "version:1\r\na@d.org clrtxt:x ;\nb@d.org clrtxt:y ;";
  LineEdits edits(original);
  EXPECT_TRUE(edits.empty());
  EXPECT_EQ(joined(edits), original);
  EXPECT_TRUE(edits.changes().empty());
}

TEST(LineEdits, ReplacedLinesKeepTheirOwnLineEnd) {
  const std::string original = "version:1\r\nalice clrtxt:a ;\nbob clrtxt:b ;\r\ncarol ;\n";
  LineEdits edits(original);
  edits.replace(line_of(original, "bob"), "bob clrtxt:B ;");
  edits.replace(line_of(original, "alice"), "alice clrtxt:A ;");
  EXPECT_FALSE(edits.empty());
  EXPECT_EQ(joined(edits), "version:1\r\nalice clrtxt:A ;\nbob clrtxt:B ;\r\ncarol ;\n");
  // In the order edited, at the offsets of the original lines.
  const auto changes = edits.changes();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].offset, original.find("bob"));
  EXPECT_EQ(changes[0].text, "bob clrtxt:B ;\r\n");
  EXPECT_EQ(changes[1].offset, original.find("alice"));
  EXPECT_EQ(changes[1].text, "alice clrtxt:A ;\n");
}

TEST(LineEdits, ReplacingAnUnterminatedLastLineAddsALineEnd) {
  const std::string original = "version:1\nalice clrtxt:a ;";
  LineEdits edits(original);
  edits.replace(line_of(original, "alice"), "alice clrtxt:A ;");
  EXPECT_EQ(joined(edits), "version:1\nalice clrtxt:A ;\n");
}

TEST(LineEdits, ErasedLinesGoWithTheirLineEnd) {
  const std::string original = "version:1\r\nalice ;\r\nbob ;\r\ncarol ;\r\n";
  LineEdits edits(original);
  edits.erase(line_of(original, "bob"));
  edits.erase(line_of(original, "version"));
  EXPECT_EQ(joined(edits), "alice ;\r\ncarol ;\r\n");
  const auto changes = edits.changes();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].offset, original.find("bob"));
  EXPECT_EQ(changes[0].text, "");
}

TEST(LineEdits, AppendedLinesEndLikeTheFirstLine) {
  const std::string crlf = "version:1\r\nalice ;\n";
  LineEdits edits(crlf);
  edits.append("bob ;");
  edits.append("carol ;");
  EXPECT_EQ(joined(edits), "version:1\r\nalice ;\nbob ;\r\ncarol ;\r\n");
  const auto changes = edits.changes();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].offset, crlf.size());
  EXPECT_EQ(changes[0].text, "bob ;\r\ncarol ;\r\n");

  const std::string lf = "version:1\nalice ;\r\n";
  LineEdits lf_edits(lf);
  lf_edits.append("bob ;");
  EXPECT_EQ(joined(lf_edits), "version:1\nalice ;\r\nbob ;\n");
}

// The last line and the new one do not run together.
TEST(LineEdits, AppendingAfterAnUnterminatedLastLineEndsItFirst) {
  const std::string original = "version:1\r\nalice ;";
  LineEdits edits(original);
  edits.append("bob ;");
  edits.append("carol ;");
  EXPECT_EQ(joined(edits), "version:1\r\nalice ;\r\nbob ;\r\ncarol ;\r\n");

  LineEdits empty("");
  empty.append("version:1");
  EXPECT_EQ(joined(empty), "version:1\n");
}

TEST(LineEdits, ReplaceEraseAndAppendTogether) {
  const std::string original = "version:1\nalice ;\nbob ;\ncarol ;\n";
  LineEdits edits(original);
  edits.append("dave ;");
  edits.erase(line_of(original, "alice"));
  edits.replace(line_of(original, "carol"), "carol clrtxt:c ;");
  EXPECT_EQ(joined(edits), "version:1\nbob ;\ncarol clrtxt:c ;\ndave ;\n");
}

TEST(LineEdits, ALineNotOfTheOriginalOrEditedTwiceIsAnInternalError) {
  const std::string original = "version:1\nalice ;\n";
  const std::string elsewhere = "alice ;\n";
  LineEdits edits(original);
  EXPECT_THROW(edits.replace(elsewhere, "x"), Error);
  edits.replace(line_of(original, "alice"), "alice clrtxt:a ;");
  edits.erase(line_of(original, "alice"));
  try {
    edits.pieces();
    ADD_FAILURE() << "a line edited twice was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Internal);
  }
}

} // namespace
} // namespace sipcred::userdb
