// FileStore (a Flexisip userdb opened as a Store) where the unit tests of the tools do not
// reach it.

#include "temp_store.hpp"

#include "sipcred/userdb/userdb.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

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

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Account clear_text_account(std::string user, std::string password) {
  Account account;
  account.user = std::move(user);
  account.domain = "d.org";
  account.credentials.push_back({std::nullopt, std::move(password), ""});
  return account;
}

// A store write goes through line edits of the locked file; what it writes must be what
// editing the file as a lossless Document writes: a replaced line keeps its own line end, new
// lines end like the first line, and a user written twice in one run keeps its place with the
// later entry.
TEST(FileStore, WritesWhatADocumentEditWrites) {
  for (const std::string before :
       {"version:1\r\nalice@d.org clrtxt:a ;\r\n# c\r\nbob@d.org clrtxt:b ;\r\n",
        "version:1\nbob@d.org clrtxt:b ;\n# c\n", "version:1\r\nbob@d.org clrtxt:b ;\r\n\r\n",
        "version:1\r\nbob@d.org clrtxt:b ;\n", // a line keeps its own end, new ones the first's
        "version:1\nbob@d.org clrtxt:b ;\nbob@d.org clrtxt:b0 ;\n"}) {
    test::TempStore users(before);
    {
      auto writer = users.store().begin_write(OnConflict::Replace);
      EXPECT_EQ(writer->write(clear_text_account("bob", "b2")), WriteResult::Replaced);
      EXPECT_EQ(writer->write(clear_text_account("carol", "c")), WriteResult::Inserted);
      EXPECT_EQ(writer->write(clear_text_account("dave", "d")), WriteResult::Inserted);
      EXPECT_EQ(writer->write(clear_text_account("carol", "c2")), WriteResult::Inserted);
      EXPECT_EQ(writer->settle().notes.count, 1u);
      writer->commit();
    }
    std::vector<Diagnostic> diagnostics;
    userdb::Document document = userdb::Document::parse(before, diagnostics);
    std::size_t bob = 0;
    for (std::size_t i = 0; i < document.lines().size(); ++i)
      if (document.lines()[i].kind == userdb::LineKind::Auth) bob = i; // the last one counts
    using userdb::CredentialType;
    document.replace_entry(bob, {"bob", "d.org", {{CredentialType::ClearText, "b2"}}, "", ""});
    document.append_entry({"carol", "d.org", {{CredentialType::ClearText, "c2"}}, "", ""});
    document.append_entry({"dave", "d.org", {{CredentialType::ClearText, "d"}}, "", ""});
    EXPECT_EQ(contents(users.path()), document.content()) << before;
  }
}

// Skipped and conflicting accounts leave every byte as it was.
TEST(FileStore, AWriteThatChangesNothingKeepsTheBytes) {
  const std::string before = "version:1\r\n# c\r\nbob@d.org clrtxt:b ;\r\n";
  for (OnConflict on_conflict : {OnConflict::Fail, OnConflict::Skip}) {
    test::TempStore users(before);
    auto writer = users.store().begin_write(on_conflict);
    EXPECT_NE(writer->write(clear_text_account("bob", "b2")), WriteResult::Replaced);
    writer->settle();
    writer->commit();
    EXPECT_EQ(contents(users.path()), before);
  }
}

// A new file is created with the version line and the accounts.
TEST(FileStore, AWriteCreatesAMissingFile) {
  test::TempStore dir("version:1\n");
  const std::string path = dir.dir() + "/new";
  auto store = open_store(parse_locator(path), StoreOptions{});
  auto writer = store->begin_write(OnConflict::Fail);
  EXPECT_EQ(writer->write(clear_text_account("bob", "b")), WriteResult::Inserted);
  writer->settle();
  writer->commit();
  EXPECT_EQ(contents(path), "version:1\nbob@d.org clrtxt:b ;\n");
}

// A destination the server would refuse is refused with every finding the document has,
// users defined twice included (sipcred-migrate prints the warnings with the errors).
TEST(FileStore, ARefusedWriteListsWhatTheDocumentFinds) {
  const std::string broken = "version:1\na@d.org clrtxt:a ;\na@d.org clrtxt:b ;\nbob@d.org\n";
  test::TempStore users(broken);
  std::vector<Diagnostic> expected;
  userdb::Document::parse(broken, expected);
  ASSERT_TRUE(std::any_of(expected.begin(), expected.end(),
                          [](const Diagnostic& d) { return d.code == "SC124"; }));
  try {
    users.store().begin_write(OnConflict::Fail);
    FAIL() << "a file with an error was opened for writing";
  } catch (const InvalidStoreData& refused) {
    ASSERT_EQ(refused.diagnostics().size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(refused.diagnostics()[i].code, expected[i].code);
      EXPECT_EQ(refused.diagnostics()[i].line, expected[i].line);
    }
  }
  EXPECT_EQ(contents(users.path()), broken);
}

} // namespace
} // namespace sipcred
