// FileStore (a Flexisip userdb opened as a Store) where the unit tests of the tools do not
// reach it.

#include "temp_store.hpp"

#include <gtest/gtest.h>

namespace sipcred {
namespace {

// The progress bar's total: the accounts, not the lines, or the bar stops short of its end.
TEST(FileStore, SizeHintCountsTheAccountsNotTheLines) {
  test::TempStore users("version:1\r\n"
                        "# staff\r\n"
                        "  continued comment\r\n"
                        "\r\n"
                        "alice@d.org clrtxt:a ;\r\n"
                        "\t\r\n"
                        "bob@d.org clrtxt:b ;\r\n"
                        "#carol@d.org clrtxt:c ;\r\n"
                        "dave@d.org clrtxt:d ;"); // no line end at the end of the file
  EXPECT_EQ(users.store().size_hint(), 3u);
  test::TempStore no_version_line_yet("");
  EXPECT_EQ(no_version_line_yet.store().size_hint(), 0u);
}

} // namespace
} // namespace sipcred
