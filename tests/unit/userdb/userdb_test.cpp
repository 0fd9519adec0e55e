#include "sipcred/userdb/user_edit.hpp"
#include "sipcred/userdb/userdb.hpp"
#include "sipcred/util/error.hpp"
#include "userdb/userdb_scan.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <tuple>

using namespace sipcred;
using namespace sipcred::userdb;

namespace {

using Found = std::tuple<std::string, Severity, std::size_t, std::size_t>; // code, sev, line, col

std::vector<Found> diagnose(const std::string& content) {
  std::vector<Diagnostic> diagnostics;
  Document::parse(content, diagnostics);
  std::vector<Found> found;
  for (const Diagnostic& d : diagnostics)
    found.emplace_back(std::string(d.code), d.severity, d.line, d.column);
  return found;
}

constexpr auto E = Severity::Error;
constexpr auto W = Severity::Warning;
constexpr auto N = Severity::Note;

const std::string md5_hex = "939e7578ed9e3c518a452acee763bce9";
const std::string sha256_hex = "3ba6cd94661c5ef34598040c868f13b8775df29109986be50ad35ae537dd3aa4";

TEST(Userdb, ValidFileRoundTripsByteForByte) {
  const std::string content = "VERSION:1\r\n"
                              "# users of sip.example.org, caf\xc3\xa9 \xe2\x98\x95\r\n"
                              "\r\n"
                              " \t \r\n"
                              "alice@sip.example.org clrtxt:p:w\t;\r\n"
                              "bob@sip.example.org   md5:" +
                              md5_hex + "  sha256:" + sha256_hex +
                              " ;  bob-id +33123\r\n"
                              "sip.example.org clrtxt:x ; \t\r\n"
                              "carol%40home@d:5060 clrtxt:secret ;\n";
  std::vector<Diagnostic> diagnostics;
  const Document document = Document::parse(content, diagnostics);
  EXPECT_TRUE(diagnostics.empty()) << diagnostics.front().message;
  EXPECT_EQ(document.content(), content);

  const auto& lines = document.lines();
  ASSERT_EQ(lines.size(), 8u);
  EXPECT_EQ(lines[0].kind, LineKind::Version);
  EXPECT_EQ(lines[1].kind, LineKind::Comment);
  EXPECT_EQ(lines[2].kind, LineKind::Blank);
  EXPECT_EQ(lines[3].kind, LineKind::Blank);

  const Entry& alice = lines[4].entry;
  EXPECT_EQ(alice.user, "alice");
  EXPECT_EQ(alice.domain, "sip.example.org");
  ASSERT_EQ(alice.credentials.size(), 1u);
  EXPECT_EQ(alice.credentials[0].value, "p:w"); // ':' is a token character

  const Entry& bob = lines[5].entry;
  EXPECT_EQ(bob.user_id, "bob-id");
  EXPECT_EQ(bob.phone, "+33123");
  EXPECT_EQ(bob.effective_credentials().size(), 2u);

  const Entry& bare = lines[6].entry;
  EXPECT_EQ(bare.user, "");
  EXPECT_EQ(bare.identity(), "sip.example.org");

  const Entry& carol = lines[7].entry;
  EXPECT_EQ(carol.domain, "d:5060");
  EXPECT_EQ(carol.hash_user(), "carol@home");
  EXPECT_EQ(carol.identity(), "carol%40home@d:5060");
}

TEST(Userdb, VersionLineMustBeExact) {
  EXPECT_EQ(diagnose(""), (std::vector<Found>{{"SC101", E, 1, 1}}));
  EXPECT_EQ(diagnose("\xEF\xBB\xBFversion:1\n"), (std::vector<Found>{{"SC101", E, 1, 1}}));
  // A version line that comes too late is named as such, not as a broken user line.
  EXPECT_EQ(diagnose("\nversion:1\n"),
            (std::vector<Found>{{"SC101", E, 1, 1}, {"SC101", E, 2, 1}}));
  EXPECT_EQ(diagnose("# users\nversion:1\n"),
            (std::vector<Found>{{"SC101", E, 1, 1}, {"SC101", E, 2, 1}}));
  EXPECT_EQ(diagnose("version: 1\n"), (std::vector<Found>{{"SC101", E, 1, 9}}));
  EXPECT_EQ(diagnose("version:1 \n"), (std::vector<Found>{{"SC101", E, 1, 10}}));
  EXPECT_EQ(diagnose("version:10\n"), (std::vector<Found>{{"SC101", E, 1, 10}}));
  EXPECT_EQ(diagnose("version:\n"), (std::vector<Found>{{"SC101", E, 1, 9}}));
  EXPECT_EQ(diagnose("version:2\n"), (std::vector<Found>{{"SC102", E, 1, 9}}));
  EXPECT_EQ(diagnose("version:1"), (std::vector<Found>{{"SC103", E, 1, 10}}));
  EXPECT_TRUE(diagnose("Version:1\n").empty());
  EXPECT_TRUE(diagnose("version:1\r\n").empty());
}

TEST(Userdb, LineEndsAndComments) {
  EXPECT_EQ(diagnose("version:1\na@d clrtxt:x ;\rb@d clrtxt:y ;\n"),
            (std::vector<Found>{{"SC104", E, 2, 15}}));
  // Wherever it stands: in a password, a comment, the version line, a blank line.
  EXPECT_EQ(diagnose("version:1\na@d clrtxt:x\ry ;\n"), (std::vector<Found>{{"SC104", E, 2, 13}}));
  EXPECT_EQ(diagnose("version:1\n# a\rb\n"), (std::vector<Found>{{"SC104", E, 2, 4}}));
  EXPECT_EQ(diagnose("version:1\r\r\n"), (std::vector<Found>{{"SC104", E, 1, 10}}));
  EXPECT_EQ(diagnose("version:1\n \r \n"), (std::vector<Found>{{"SC104", E, 2, 2}}));
  EXPECT_EQ(diagnose("version:1\na@d clrtxt:x ; id\r\r\n"),
            (std::vector<Found>{{"SC104", E, 2, 18}}));
  EXPECT_EQ(diagnose("version:1\na@d clrtxt:x ;"), (std::vector<Found>{{"SC103", E, 2, 15}}));
  EXPECT_EQ(diagnose("version:1\n  # indented\n"), (std::vector<Found>{{"SC105", E, 2, 1}}));
  EXPECT_EQ(diagnose("version:1\n\ta@d clrtxt:x ;\n"), (std::vector<Found>{{"SC105", E, 2, 1}}));
  // Columns count characters: the é before the parenthesis is one column.
  EXPECT_EQ(diagnose("version:1\n# caf\xc3\xa9 (old)\n"), (std::vector<Found>{{"SC106", E, 2, 8}}));
  EXPECT_EQ(diagnose("version:1\n# C:\\users\n"), (std::vector<Found>{{"SC106", E, 2, 5}}));
  EXPECT_EQ(diagnose("version:1\n# bad \xff byte\n"), (std::vector<Found>{{"SC106", E, 2, 7}}));
  EXPECT_TRUE(diagnose("version:1\n#\n# tabs\tand $ & ; ok\n").empty());
}

// Flexisip's comment text may span lines through LWS = [*WSP CRLF] 1*WSP, and its parser
// never backtracks: with CRLF line ends, an indented line continues a comment, and trailing
// whitespace in a comment needs one.
TEST(Userdb, CrlfCommentsFollowFlexisipGrammar) {
  // Trailing space before CRLF, then an ordinary line: Flexisip refuses the file.
  EXPECT_EQ(diagnose("version:1\r\n# note \r\nu@d clrtxt:x ;\r\n"),
            (std::vector<Found>{{"SC114", E, 2, 7}}));
  EXPECT_EQ(diagnose("version:1\r\n# note\t\r\n\r\n"), (std::vector<Found>{{"SC114", E, 2, 7}}));
  EXPECT_EQ(diagnose("version:1\r\n#  \r\n"), (std::vector<Found>{{"SC114", E, 2, 2}}));
  // The same with LF line ends is fine, and so is a CRLF comment without trailing space.
  EXPECT_TRUE(diagnose("version:1\n# note \nu@d clrtxt:x ;\n").empty());
  EXPECT_TRUE(diagnose("version:1\r\n# note\r\nu@d clrtxt:x ;\r\n").empty());
  // An indented line after a CRLF comment is comment text: accepted, but a user there is lost.
  EXPECT_TRUE(diagnose("version:1\r\n# note \r\n  \r\nu@d clrtxt:x ;\r\n").empty());
  EXPECT_EQ(diagnose("version:1\r\n# c\r\n\tu@d clrtxt:x ;\r\n"),
            (std::vector<Found>{{"SC126", W, 3, 1}}));
  EXPECT_EQ(diagnose("version:1\r\n# c\r\n  more (text)\r\n"),
            (std::vector<Found>{{"SC126", W, 3, 1}, {"SC106", E, 3, 8}}));
  // With LF, the indented line is an error of its own.
  EXPECT_EQ(diagnose("version:1\n# c\n  more\n"), (std::vector<Found>{{"SC105", E, 3, 1}}));
}

TEST(Userdb, AuthLineSyntax) {
  const std::vector<std::pair<std::string, Found>> cases = {
      {"a@d clrtxt:x;\n", {"SC109", E, 2, 13}},         // space before ';' is mandatory
      {"a@d clrtxt:x ; # note\n", {"SC112", E, 2, 16}}, // no comment after ';'
      {"a@d sha512:abc ;\n", {"SC108", E, 2, 5}},       // unknown prefix
      {"a@d sha-256:abc ;\n", {"SC108", E, 2, 5}},
      {"a@d secret ;\n", {"SC108", E, 2, 5}},   // no prefix at all
      {"a@d clrtxt: ;\n", {"SC113", E, 2, 12}}, // empty password
      {"a@d clrtxt:x ; id phone extra\n", {"SC110", E, 2, 25}},
      {"a@d clrtxt:p/w ;\n", {"SC112", E, 2, 13}},       // '/' not a token character
      {"a@d clrtxt:p\xc3\xa9 ;\n", {"SC112", E, 2, 13}}, // non-ASCII password
      {"a@d ;\n", {"SC107", E, 2, 5}},                   // no credential
      {"a@d\n", {"SC107", E, 2, 4}},
      {"a@d clrtxt:x\n", {"SC107", E, 2, 13}},
      {"@d clrtxt:x ;\n", {"SC107", E, 2, 1}},
      {"a@ clrtxt:x ;\n", {"SC107", E, 2, 3}},
      {"a@b@c clrtxt:x ;\n", {"SC112", E, 2, 4}},
      {"a@d\tclrtxt:x\t;\tid\n", {"SC000", E, 0, 0}}, // valid: tabs are whitespace
  };
  for (const auto& [line, expected] : cases) {
    const auto found = diagnose("version:1\n" + line);
    if (std::get<0>(expected) == "SC000")
      EXPECT_TRUE(found.empty()) << line;
    else
      EXPECT_EQ(found, (std::vector<Found>{expected})) << line;
  }
}

TEST(Userdb, WhatFlexisipIgnoresIsAWarning) {
  // Uppercase prefix: parsed, then ignored.
  EXPECT_EQ(diagnose("version:1\na@d MD5:" + md5_hex + " clrtxt:x ;\n"),
            (std::vector<Found>{{"SC120", W, 2, 5}}));
  // ... and a user left with nothing usable makes the load fail.
  EXPECT_EQ(diagnose("version:1\na@d CLRTXT:x ;\n"),
            (std::vector<Found>{{"SC120", W, 2, 5}, {"SC111", E, 2, 5}}));
  // A hash before clrtxt is discarded, one after it never used, an earlier clrtxt dropped.
  EXPECT_EQ(diagnose("version:1\na@d md5:" + md5_hex + " clrtxt:x clrtxt:y sha256:" + sha256_hex +
                     " ;\n"),
            (std::vector<Found>{{"SC121", W, 2, 5}, {"SC123", W, 2, 42}, {"SC122", W, 2, 60}}));
  // Not hex of the right length: never matches. Uppercase hex: lower-cased by Flexisip.
  EXPECT_EQ(diagnose("version:1\na@d md5:abc ;\nb@d md5:939E7578ED9E3C518A452ACEE763BCE9 ;\n"),
            (std::vector<Found>{{"SC125", W, 2, 9}, {"SC130", N, 3, 9}}));
  EXPECT_EQ(diagnose("version:1\na@d sha256:" + md5_hex + " ;\n"),
            (std::vector<Found>{{"SC125", W, 2, 12}}));
  // Every position of a 32-digit value, with characters just outside each hex range.
  for (std::size_t pos = 0; pos < 32; ++pos)
    for (char c : std::string(".:G`g~_") + "AF") { // token characters around the hex ranges
      std::string value = md5_hex;
      value[pos] = c;
      const bool upper = c == 'A' || c == 'F';
      EXPECT_EQ(diagnose("version:1\na@d md5:" + value + " ;\n"),
                (std::vector<Found>{{upper ? "SC130" : "SC125", upper ? N : W, 2, 9}}))
          << value;
    }
}

TEST(Userdb, DuplicateUsersAreReportedOnTheLaterLine) {
  // Keys compare URL-unescaped, as Flexisip's do: %61 is 'a'.
  EXPECT_EQ(diagnose("version:1\nalice@d clrtxt:x ;\n%61lice@d clrtxt:y ;\n"),
            (std::vector<Found>{{"SC124", W, 3, 1}}));
  EXPECT_EQ(diagnose("version:1\nb@d clrtxt:x ; b\nb@d clrtxt:y ; %62\n"),
            (std::vector<Found>{{"SC124", W, 3, 1}}));
  const auto found = diagnose("version:1\n"
                              "a@d clrtxt:x ;\n"
                              "a@d clrtxt:x ; other-id\n" // another user-id: another user
                              "a@e clrtxt:x ;\n"          // another domain
                              "a@d clrtxt:y ;\n"          // same as line 2
                              "a@d clrtxt:z ; a\n");      // user-id defaults to the user
  EXPECT_EQ(found, (std::vector<Found>{{"SC124", W, 5, 1}, {"SC124", W, 6, 1}}));
  std::vector<Diagnostic> diagnostics;
  Document::parse("version:1\na@d clrtxt:x ;\na@d clrtxt:y ;\n", diagnostics);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_NE(diagnostics[0].message.find("line 2"), std::string::npos);
}

// Every broken line is reported, each at its own line and column, and the good lines between
// them still parse.
TEST(Userdb, MalformedFileGivesEveryDiagnostic) {
  const std::string content = "version:1\n"
                              "alice@example.org clrtxt:secret ;\n"
                              "bob@example.org clrtxt:secret;\n"
                              "  # indented comment\n"
                              "carol@example.org sha512:abcd ;\n"
                              "# (parenthesis)\n"
                              "dave@example.org MD5:" +
                              md5_hex +
                              " ;\n"
                              "erin@example.org clrtxt:a b ;\n"
                              "alice@example.org md5:" +
                              md5_hex +
                              " ;\n"
                              "frank@example.org clrtxt:x ; id phone more";
  std::vector<Diagnostic> diagnostics;
  const Document document = Document::parse(content, diagnostics);
  std::vector<Found> found;
  for (const Diagnostic& d : diagnostics) {
    found.emplace_back(std::string(d.code), d.severity, d.line, d.column);
    EXPECT_EQ(d.message.find("secret"), std::string::npos) << "a password leaked: " << d.message;
    EXPECT_FALSE(d.message.empty());
  }
  EXPECT_EQ(found, (std::vector<Found>{
                       {"SC109", E, 3, 30},
                       {"SC105", E, 4, 1},
                       {"SC108", E, 5, 19},
                       {"SC106", E, 6, 3},
                       {"SC120", W, 7, 18},
                       {"SC111", E, 7, 18},
                       {"SC108", E, 8, 27},
                       {"SC110", E, 10, 39},
                       {"SC103", E, 10, 43},
                       {"SC124", W, 9, 1},
                   }));
  EXPECT_EQ(document.lines()[1].kind, LineKind::Auth);
  EXPECT_EQ(document.lines()[2].kind, LineKind::Invalid);
  EXPECT_EQ(document.content(), content); // lossless even when broken
}

TEST(Userdb, EditingChangesOnlyThatLine) {
  const std::string content = "version:1\r\n"
                              "# keep me\r\n"
                              "alice@d  clrtxt:old\t; \r\n"
                              "\r\n"
                              "bob@d md5:" +
                              md5_hex + " ;\r\n";
  std::vector<Diagnostic> diagnostics;
  Document document = Document::parse(content, diagnostics);
  ASSERT_TRUE(diagnostics.empty());

  EntrySpec alice{"alice", "d", {{CredentialType::Md5, md5_hex}}, "alice-id", "+331"};
  document.replace_entry(2, alice);
  EXPECT_EQ(document.content(), "version:1\r\n"
                                "# keep me\r\n"
                                "alice@d md5:" +
                                    md5_hex +
                                    " ; alice-id +331\r\n"
                                    "\r\n"
                                    "bob@d md5:" +
                                    md5_hex + " ;\r\n");
  EXPECT_EQ(document.lines()[2].entry.user_id, "alice-id");

  const std::size_t carol =
      document.append_entry({"carol", "d", {{CredentialType::ClearText, "p:w"}}, "", ""});
  EXPECT_EQ(document.lines()[carol].text, "carol@d clrtxt:p:w ;\r\n"); // the file's line end
  document.erase_line(4);
  EXPECT_EQ(document.content(), "version:1\r\n"
                                "# keep me\r\n"
                                "alice@d md5:" +
                                    md5_hex +
                                    " ; alice-id +331\r\n"
                                    "\r\n"
                                    "carol@d clrtxt:p:w ;\r\n");
  std::vector<Diagnostic> reparsed;
  Document::parse(document.content(), reparsed);
  EXPECT_TRUE(reparsed.empty());
}

TEST(Userdb, AppendingAfterALastLineWithoutLineEnd) {
  std::vector<Diagnostic> diagnostics;
  Document document = Document::parse("version:1\nu@d clrtxt:x ;", diagnostics);
  document.append_entry({"v", "d", {{CredentialType::ClearText, "y"}}, "", ""});
  EXPECT_EQ(document.content(), "version:1\nu@d clrtxt:x ;\nv@d clrtxt:y ;\n");
  std::vector<Diagnostic> reparsed;
  Document::parse(document.content(), reparsed);
  EXPECT_TRUE(reparsed.empty());
}

// A word that is not a credential may be half of a password that held a space: never echo it.
TEST(Userdb, UnknownPrefixesAreShownOnlyWhenTheyLookLikeAlgorithms) {
  auto message = [](const std::string& line) {
    std::vector<Diagnostic> diagnostics;
    Document::parse("version:1\n" + line + "\n", diagnostics);
    return diagnostics.at(0).message;
  };
  EXPECT_NE(message("u@d sha512:abc ;").find("'sha512:'"), std::string::npos);
  EXPECT_NE(message("u@d SHA-1:abc ;").find("'SHA-1:'"), std::string::npos);
  EXPECT_EQ(message("u@d clrtxt:pa ss:word ;").find("ss:"), std::string::npos);
  EXPECT_EQ(message("u@d Summer:2024 ;").find("Summer"), std::string::npos);
  EXPECT_EQ(message("u@d hunter2 ;").find("hunter2"), std::string::npos);
}

// Two threads, one result: the same lines visited and the same diagnostics, numbered as a
// single pass numbers them, also when the middle falls among CRLF comment continuations.
TEST(Userdb, ParallelScanMatchesASinglePass) {
  std::string content = "version:1\r\n";
  for (int i = 0; i < 40000; ++i) {
    content += "user" + std::to_string(i) + "@d clrtxt:pw" + std::to_string(i) + " ;\r\n";
    if (i % 997 == 0) content += "bad line " + std::to_string(i) + "\r\n";
    if (i % 1999 == 0) content += "# c\r\n  continued\r\n\tu@d clrtxt:x ;\r\n# end \r\n";
  }
  ASSERT_GT(content.size(), 1u << 20);
  std::vector<Diagnostic> single, parallel;
  std::size_t single_lines = 0;
  std::atomic<std::size_t> parallel_lines = 0;
  scan_lines(content, single, [&](const Line&, std::size_t) { ++single_lines; });
  scan_lines_in_parallel(content, parallel, [&](const Line&) { ++parallel_lines; });
  EXPECT_EQ(single_lines, parallel_lines.load());
  ASSERT_EQ(single.size(), parallel.size());
  ASSERT_GT(single.size(), 60u);
  for (std::size_t i = 0; i < single.size(); ++i) {
    EXPECT_EQ(single[i].line, parallel[i].line) << i;
    EXPECT_EQ(single[i].column, parallel[i].column) << i;
    EXPECT_EQ(single[i].code, parallel[i].code) << i;
  }
}

TEST(Userdb, NewDocumentIsAVersionLine) {
  Document document;
  EXPECT_EQ(document.content(), "version:1\n");
  document.append_entry({"", "example.org", {{CredentialType::ClearText, "x"}}, "", ""});
  EXPECT_EQ(document.content(), "version:1\nexample.org clrtxt:x ;\n");
}

TEST(Userdb, FormattingRefusesWhatFlexisipCannotRead) {
  auto refuses = [](const EntrySpec& spec) {
    try {
      format_auth_line(spec);
    } catch (const Error& error) {
      return error.kind() == ErrorKind::DataError;
    }
    return false;
  };
  EXPECT_TRUE(refuses({"a", "d", {{CredentialType::ClearText, "two words"}}, "", ""}));
  EXPECT_TRUE(refuses({"a", "d", {{CredentialType::ClearText, ""}}, "", ""}));
  EXPECT_TRUE(refuses({"a@b", "d", {{CredentialType::ClearText, "x"}}, "", ""}));
  EXPECT_TRUE(refuses({"a", "", {{CredentialType::ClearText, "x"}}, "", ""}));
  EXPECT_TRUE(refuses({"a", "d", {}, "", ""}));
  EXPECT_TRUE(refuses({"a", "d", {{CredentialType::ClearText, "x"}}, "", "+33"}));
  EXPECT_TRUE(refuses({"a", "d", {{CredentialType::ClearText, "caf\xc3\xa9"}}, "", ""}));
  EXPECT_FALSE(refuses({"a%20b", "d:5060", {{CredentialType::ClearText, "x~y"}}, "i", "p"}));
}

TEST(Userdb, UrlUnescape) {
  EXPECT_EQ(url_unescape("a%40b%20c"), "a@b c");
  EXPECT_EQ(url_unescape("%4a%4A"), "JJ");
  EXPECT_EQ(url_unescape("100%"), "100%");
  EXPECT_EQ(url_unescape("%zz%4"), "%zz%4");
}

TEST(Userdb, EffectiveCredentialsFollowFlexisip) {
  std::vector<Diagnostic> diagnostics;
  const Document document =
      Document::parse("version:1\na@d md5:" + md5_hex + " clrtxt:x clrtxt:y sha256:" + sha256_hex +
                          " ;\n" + "b@d MD5:" + md5_hex + " sha256:" + sha256_hex + " ;\n",
                      diagnostics);
  const auto a = document.lines()[1].entry.effective_credentials();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]->value, "y");
  const auto b = document.lines()[2].entry.effective_credentials();
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0]->type, CredentialType::Sha256);
}

} // namespace

// The token scan takes 16 bytes a step where it can: every byte value, at every position of
// a string long enough for two steps and a tail, must be judged as the alphabet says.
TEST(Userdb, EveryByteIsJudgedByTheTokenAlphabetAtEveryPosition) {
  const auto in_alphabet = [](int byte) {
    return std::isalnum(byte) ||
           std::string_view("-.!%*_+`'~:").find(static_cast<char>(byte)) != std::string_view::npos;
  };
  for (int byte = 0; byte < 256; ++byte) {
    const bool expected = byte < 0x80 && in_alphabet(byte);
    EXPECT_EQ(userdb::is_token_char(static_cast<char>(byte)), expected) << "byte " << byte;
    for (std::size_t pos = 0; pos < 40; ++pos) {
      std::string text(40, 'a');
      text[pos] = static_cast<char>(byte);
      ASSERT_EQ(userdb::is_token(text), expected) << "byte " << byte << " at " << pos;
    }
  }
}

// Lookups by the name an administrator types: two users of one domain stay apart, one user
// spelled two ways (URL-escaped or not, as Flexisip unescapes both) is found on every line,
// and the same name in another domain is another user.
TEST(UserEdit, FindUserComparesUnescapedUsersWithinTheirDomain) {
  std::vector<Diagnostic> diagnostics;
  const Document document = Document::parse("version:1\n"
                                            "alice@d.org clrtxt:a ;\n"
                                            "bob@d.org clrtxt:b ;\n"
                                            "%61lice@d.org clrtxt:c ;\n"
                                            "alice@e.org clrtxt:x ;\n"
                                            "# alice@d.org clrtxt:comment ;\n"
                                            "al%69ce%40home@d.org clrtxt:y ;\n",
                                            diagnostics);
  using Indexes = std::vector<std::size_t>;
  EXPECT_EQ(find_user(document, {"alice", "d.org"}), (Indexes{1, 3}));
  EXPECT_EQ(find_user(document, {"%61lice", "d.org"}), (Indexes{1, 3}));
  EXPECT_EQ(find_user(document, {"%61lic%65", "d.org"}), (Indexes{1, 3}));
  EXPECT_EQ(find_user(document, {"bob", "d.org"}), (Indexes{2}));
  EXPECT_EQ(find_user(document, {"%62ob", "d.org"}), (Indexes{2}));
  EXPECT_EQ(find_user(document, {"alice", "e.org"}), (Indexes{4}));
  EXPECT_EQ(find_user(document, {"alice%40home", "d.org"}), (Indexes{6}));
  EXPECT_EQ(find_user(document, {"carol", "d.org"}), Indexes{});
  EXPECT_EQ(find_user(document, {"alice", "d"}), Indexes{});

  const Entry& alice = document.lines()[1].entry;
  const Entry& escaped_alice = document.lines()[3].entry;
  EXPECT_TRUE(same_user(alice, {"alice", "d.org"}));
  EXPECT_TRUE(same_user(escaped_alice, {"alice", "d.org"}));
  EXPECT_TRUE(same_user(alice, {"%61lice", "d.org"}));
  EXPECT_FALSE(same_user(alice, {"bob", "d.org"}));
  EXPECT_FALSE(same_user(alice, {"alice", "e.org"}));
  EXPECT_FALSE(same_user(alice, {"alic", "d.org"}));
  EXPECT_FALSE(same_user(alice, {"alicee", "d.org"}));
  // Unescaping is not case folding.
  EXPECT_FALSE(same_user(alice, {"Alice", "d.org"}));
  EXPECT_FALSE(same_user(alice, {"%41lice", "d.org"}));
}

TEST(UserEdit, TheDigestUsernameIsTheUnescapedUserIdElseTheUser) {
  std::vector<Diagnostic> diagnostics;
  const Document document = Document::parse("version:1\n"
                                            "%61lice@d.org clrtxt:a ;\n"
                                            "bob@d.org clrtxt:b ; b%6fb-id\n",
                                            diagnostics);
  EXPECT_EQ(auth_user_of(document.lines()[1].entry), "alice");
  EXPECT_EQ(auth_user_of(document.lines()[2].entry), "bob-id");
}

// Flexisip keeps the last line of each (user, user-id): show and check read that line, name
// the earlier ones, and need --auth-user when the user has several accounts.
TEST(UserEdit, FindAccountTakesTheLastLineOfTheAccount) {
  std::vector<Diagnostic> diagnostics;
  const Document document = Document::parse("version:1\n"
                                            "alice@d.org clrtxt:a ;\n"
                                            "bob@d.org clrtxt:b ;\n"
                                            "%61lice@d.org clrtxt:a2 ;\n"
                                            "carol@d.org clrtxt:c ;\n"
                                            "carol@d.org clrtxt:c ; c-desk\n",
                                            diagnostics);
  const auto alice = find_account(document, {"alice", "d.org"}, "");
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->line, 3u);
  EXPECT_EQ(alice->ignored, (std::vector<std::size_t>{1}));
  EXPECT_FALSE(find_account(document, {"dave", "d.org"}, ""));
  EXPECT_FALSE(find_account(document, {"bob", "d.org"}, "other"));
  try {
    find_account(document, {"carol", "d.org"}, "");
    FAIL() << "two accounts of carol, none picked";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::Usage);
  }
  const auto desk = find_account(document, {"carol", "d.org"}, "c-desk");
  ASSERT_TRUE(desk);
  EXPECT_EQ(desk->line, 5u);
  EXPECT_TRUE(desk->ignored.empty());
}

TEST(UserEdit, ClearTextCanBeChallengedWithMd5AndSha256) {
  CredentialPolicy clear;
  clear.clear_text = true;
  clear.hashes.clear();
  EXPECT_EQ(challenge_hashes(clear),
            (std::vector<HashFunction>{HashFunction::Md5, HashFunction::Sha256}));
  CredentialPolicy sha256;
  sha256.hashes = {HashFunction::Sha256};
  EXPECT_EQ(challenge_hashes(sha256), (std::vector<HashFunction>{HashFunction::Sha256}));
}
