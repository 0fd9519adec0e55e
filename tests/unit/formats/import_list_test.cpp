// read_import_list: the CSV and JSON lines lists of sipcred-user import, every bad record
// reported with its line and left out, the others read.

#include "sipcred/formats/import_list.hpp"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

namespace sipcred {
namespace {

using Record = std::tuple<std::string, std::string, std::string, std::string, std::size_t>;
using Found = std::tuple<std::string, std::size_t>; // code, line

struct Read {
  std::vector<Record> records;
  std::vector<Found> problems;
  std::vector<Diagnostic> diagnostics;
};

Read read(const std::string& content, ImportFormat format) {
  Read out;
  for (auto& r : read_import_list(content, format, out.diagnostics)) {
    out.records.emplace_back(r.identity, r.password, r.auth_user, r.phone, r.line);
  }
  for (const auto& d : out.diagnostics) {
    EXPECT_EQ(d.severity, Severity::Error);
    out.problems.emplace_back(std::string(d.code), d.line);
  }
  return out;
}

Read csv(const std::string& content) { return read(content, ImportFormat::Csv); }
Read jsonl(const std::string& content) { return read(content, ImportFormat::JsonLines); }

TEST(ImportList, CsvRecordsWithTheirLines) {
  const Read r = csv("identity,password,auth_user,phone\n"
                     "alice@sip.example.org,alice-pw,,\n"
                     "\n"
                     "bob@sip.example.org,,bob-desk,+33612345678\n");
  EXPECT_EQ(r.problems, std::vector<Found>{});
  EXPECT_EQ(r.records,
            (std::vector<Record>{{"alice@sip.example.org", "alice-pw", "", "", 2},
                                 {"bob@sip.example.org", "", "bob-desk", "+33612345678", 4}}));
}

TEST(ImportList, CsvColumnsInAnyOrderBomAndCrlf) {
  const Read r = csv("\xEF\xBB\xBFphone,password,identity\r\n"
                     "+336,pw1,alice@sip.example.org\r\n"
                     "\"\",\"pw2\",\"bob@sip.example.org\"\r\n");
  EXPECT_EQ(r.problems, std::vector<Found>{});
  EXPECT_EQ(r.records, (std::vector<Record>{{"alice@sip.example.org", "pw1", "", "+336", 2},
                                            {"bob@sip.example.org", "pw2", "", "", 3}}));
}

TEST(ImportList, CsvHeaderMustNameIdentityAndEachColumnOnce) {
  for (const char* header : {"identity,secret\n", "password,auth_user\n",
                             "identity,password,identity\n", "Identity,Password\n"}) {
    SCOPED_TRACE(header);
    const Read r = csv(std::string(header) + "alice@sip.example.org,pw\n");
    EXPECT_EQ(r.problems, (std::vector<Found>{{"SC202", 1}}));
    EXPECT_TRUE(r.records.empty());
  }
}

// A list of identities alone: every password empty, for --generate to make (the tool reports
// SC205 without it).
TEST(ImportList, CsvWithoutPasswordColumnHasEmptyPasswords) {
  const Read r = csv("identity,phone\n"
                     "alice@sip.example.org,+336\n"
                     "bob@sip.example.org,\n");
  EXPECT_EQ(r.problems, std::vector<Found>{});
  EXPECT_EQ(r.records, (std::vector<Record>{{"alice@sip.example.org", "", "", "+336", 2},
                                            {"bob@sip.example.org", "", "", "", 3}}));
}

// An empty file (or only a spreadsheet's BOM) has no header: it says so, not "unknown column".
TEST(ImportList, CsvEmptyListSaysSo) {
  for (const char* content : {"", "\xEF\xBB\xBF"}) {
    const Read r = csv(content);
    ASSERT_EQ(r.problems, (std::vector<Found>{{"SC202", 1}}));
    EXPECT_NE(r.diagnostics[0].message.find("the list is empty"), std::string::npos)
        << r.diagnostics[0].message;
  }
}

// A quoted field may hold a line end: the lines after it are counted on.
TEST(ImportList, CsvBadRecordsAreReportedAndLeftOut) {
  const Read r = csv("identity,password\n"
                     "alice@sip.example.org,pw,extra\n"     // 2: three fields
                     "\"new\nline@sip.example.org\",pw\n"   // 3-4: not a token
                     "bo\"b@sip.example.org,pw\n"           // 5: a stray quote
                     "carol@sip.example.org,with space\n"   // 6: password not a token
                     "dave@sip.example.org,dave-pw\n"       // 7: fine
                     "sip.example.org,pw,\n"                // 8: two fields expected
                     "\"erin@sip.example.org\"x,pw\n"       // 9: text after a quote
                     "frank@sip.example.org,\"unclosed\n"); // 10: quote never closed
  EXPECT_EQ(r.problems, (std::vector<Found>{{"SC201", 2},
                                            {"SC203", 3},
                                            {"SC201", 5},
                                            {"SC203", 6},
                                            {"SC201", 8},
                                            {"SC201", 9},
                                            {"SC201", 10}}));
  EXPECT_EQ(r.records, (std::vector<Record>{{"dave@sip.example.org", "dave-pw", "", "", 7}}));
  // The quote that was never closed, not the start of its record.
  EXPECT_EQ(r.diagnostics.back().column, 23u);
  for (const auto& d : r.diagnostics) {
    EXPECT_EQ(d.message.find("with space"), std::string::npos) << "a password shown: " << d.message;
  }
}

// An unclosed quote may swallow the rest of the list: the error points at the quote.
TEST(ImportList, CsvUnclosedQuoteIsReportedWhereItOpened) {
  const Read r = csv("identity,password\n"
                     "alice@sip.example.org,pw\n"
                     "bob@sip.example.org,\"pw\n"
                     "carol@sip.example.org,pw\n");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].code, "SC201");
  EXPECT_EQ(r.diagnostics[0].line, 3u);
  EXPECT_EQ(r.diagnostics[0].column, 21u);
}

TEST(ImportList, CsvQuotedFieldsHoldCommasAndDoubledQuotes) {
  // Not userdb tokens, so refused (SC203), but read as one field each: the record has the
  // two fields the header names.
  const Read r = csv("identity,password\n"
                     "\"alice@sip.example.org\",\"a,b\"\"c\"\n");
  EXPECT_EQ(r.problems, (std::vector<Found>{{"SC203", 2}}));
}

TEST(ImportList, FieldsMustBeUserdbTokens) {
  const Read r = csv("identity,password,auth_user,phone\n"
                     "al;ice@sip.example.org,pw,,\n"     // 2
                     "alice@,pw,,\n"                     // 3: no domain
                     "bob@sip.example.org,pw,bo b,\n"    // 4
                     "carol@sip.example.org,pw,,+33 6\n" // 5
                     "sip.example.org,pw,,+336\n"        // 6: a phone needs a user-id here
                     "sip.example.org,pw,desk,+336\n"    // 7: fine
                     "%61lice@sip.example.org,pw,,\n");  // 8: fine
  EXPECT_EQ(r.problems, (std::vector<Found>{
                            {"SC203", 2}, {"SC203", 3}, {"SC203", 4}, {"SC203", 5}, {"SC203", 6}}));
  EXPECT_EQ(r.records, (std::vector<Record>{{"sip.example.org", "pw", "desk", "+336", 7},
                                            {"%61lice@sip.example.org", "pw", "", "", 8}}));
}

// One user however spelled: %61lice is alice. Both are kept, the second reported.
TEST(ImportList, RepeatedUsersAreReportedWithTheFirstLine) {
  const Read r = csv("identity,password\n"
                     "alice@sip.example.org,pw1\n"
                     "bob@sip.example.org,pw\n"
                     "%61lice@sip.example.org,pw2\n"
                     "alice@other.example.net,pw3\n");
  EXPECT_EQ(r.problems, (std::vector<Found>{{"SC204", 4}}));
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics[0].message.find("line 2"), std::string::npos) << r.diagnostics[0].message;
  EXPECT_EQ(r.records.size(), 4u);
}

TEST(ImportList, JsonLines) {
  const Read r = jsonl("{\"identity\": \"alice@sip.example.org\", \"password\": \"alice-pw\"}\n"
                       "\n"
                       "  \t\r\n"
                       "{\"identity\": \"bob@sip.example.org\", \"auth_user\": \"bob-desk\", "
                       "\"phone\": \"+336\"}\r\n");
  EXPECT_EQ(r.problems, std::vector<Found>{});
  EXPECT_EQ(r.records, (std::vector<Record>{{"alice@sip.example.org", "alice-pw", "", "", 1},
                                            {"bob@sip.example.org", "", "bob-desk", "+336", 4}}));
}

TEST(ImportList, JsonLinesBadRecords) {
  const Read r = jsonl("[\"alice@sip.example.org\", \"pw\"]\n"                             // 1
                       "{\"identity\": \"alice@sip.example.org\"\n"                        // 2
                       "{\"identity\": \"bob@sip.example.org\", \"pass\": \"pw\"}\n"       // 3
                       "{\"identity\": \"carol@sip.example.org\", \"password\": 12}\n"     // 4
                       "{\"password\": \"pw\"}\n"                                          // 5
                       "{\"identity\": \"dave@sip.example.org\", \"password\": \"a b\"}\n" // 6
                       "{\"identity\": \"erin@sip.example.org\", \"password\": \"pw\"}");  // 7
  EXPECT_EQ(
      r.problems,
      (std::vector<Found>{
          {"SC201", 1}, {"SC201", 2}, {"SC202", 3}, {"SC202", 4}, {"SC202", 5}, {"SC203", 6}}));
  EXPECT_EQ(r.records, (std::vector<Record>{{"erin@sip.example.org", "pw", "", "", 7}}));
}

} // namespace
} // namespace sipcred
