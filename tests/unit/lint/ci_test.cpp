// What sipcred-lint's CI options stand on, in the library: subjects, suppression comments,
// rule selection and baselines, on findings of every file kind.

#include "sipcred/lint/baseline.hpp"
#include "sipcred/lint/lint.hpp"
#include "sipcred/lint/rule_selection.hpp"
#include "sipcred/util/error.hpp"

#include "lint/findings.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace sipcred;
using namespace sipcred::lint;

namespace {

constexpr const char* other_md5 = "0123456789abcdef0123456789abcdef";

std::vector<std::string> subjects(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings)
    out.push_back(std::string(f.diagnostic.code) + " " + f.subject);
  return out;
}

Finding named(Finding f, std::string file) {
  f.file = std::move(file);
  return f;
}

} // namespace

TEST(LintSubject, UserdbFindingsNameTheirUserOrDomain) {
  AuthContext context;
  context.from_config = true;
  context.auth_domains = {"a.org"};
  const std::string users = std::string("version:1\n") + "alice@a.org clrtxt:pw md5:" +
                            other_md5 + " ;\n" + "bob@b.org md5:" + other_md5 + " ;\n" +
                            "carol@b.org md5:" + other_md5 + " ;\nbad line\n";
  EXPECT_EQ(subjects(userdb_findings(users, context, 0644)),
            (std::vector<std::string>{"SC122 alice@a.org", "SC108 ", "SC404 alice@a.org",
                                      "SC401 @b.org", "SC405 "}));
}

TEST(LintSubject, ConfigAndPjsipFindingsNameTheirSetting) {
  std::vector<Diagnostic> diagnostics{{"SC312", Severity::Error, 2, 9, "x"},
                                      {"SC305", Severity::Error, 3, 1, "x"},
                                      {"SC301", Severity::Error, 4, 1, "x"}};
  EXPECT_EQ(subjects(ini_findings("[ module::Authentication ]\n  Enabled = yes\n[modul]\nbad\n",
                                  '#', FileKind::FlexisipConfig, diagnostics)),
            (std::vector<std::string>{"SC312 [module::Authentication] Enabled", "SC305 [modul]",
                                      "SC301 "}));
  // No value ever: the key is all a subject holds.
  EXPECT_EQ(subjects(pjsip_findings("[alice]\ntype=auth\nusername=alice\n"
                                    "password_digest => bogus-secret\n")),
            (std::vector<std::string>{"SC504 [alice] password_digest", "SC503 [alice]"}));
}

TEST(LintSuppression, CoversTheNextLineOnlyAndItsCodesOnly) {
  const std::string users = std::string("version:1\n# sipcred-lint: disable=SC404\n") +
                            "alice@a.org clrtxt:pw md5:" + other_md5 + " ;\n" +
                            "bob@a.org clrtxt:pw md5:" + other_md5 + " ;\n";
  EXPECT_EQ(subjects(userdb_findings(users, AuthContext{}, std::nullopt)),
            (std::vector<std::string>{"SC122 alice@a.org", "SC122 bob@a.org",
                                      "SC404 bob@a.org"}));
  // In pjsip.conf, ';' comments; '#' is a directive there, not a comment.
  EXPECT_TRUE(pjsip_findings("[a]\ntype=auth\nusername=a\n; sipcred-lint: disable=SC506\n"
                             "md5_cred=" + std::string(other_md5) + "\n")
                  .empty());
}

TEST(LintSuppression, MalformedCommentsAreFindingsWithTheirColumn) {
  const auto one = [](const std::string& comment) {
    const std::vector<Finding> found =
        ini_findings("[s]\n" + comment + "\nk=v\n", '#', FileKind::FlexisipConfig, {});
    EXPECT_EQ(found.size(), 1u) << comment;
    return found.empty() ? std::string()
                         : std::to_string(found[0].diagnostic.column) + " " +
                               found[0].diagnostic.message.substr(0, 19);
  };
  EXPECT_EQ(one("# sipcred-lint: disable=SC122,SC12"), "31 unknown code 'SC12'");
  EXPECT_EQ(one("# sipcred-lint disable=SC122"), "15 no ':' after sipcre");
  EXPECT_EQ(one("# sipcred-lint: enable=SC122"), "17 unknown sipcred-lin");
  EXPECT_EQ(one("# sipcred-lint: disable="), "25 no code: expected '");
  EXPECT_EQ(one("# sipcred-lint: disable=SC122 x"), "31 unexpected text aft");
  // Ordinary comments are left alone.
  EXPECT_TRUE(ini_findings("# lint with sipcred-lint\n", '#', FileKind::FlexisipConfig, {}).empty());
}

TEST(LintRuleSelection, DefaultsOverridesAndUnknownCodes) {
  RuleSelection selection;
  EXPECT_TRUE(selection.enabled("SC405"));
  EXPECT_FALSE(selection.enabled("SC130")); // off by default in the table
  selection.enable("sc130");
  selection.disable("SC405");
  EXPECT_TRUE(selection.enabled("SC130"));
  EXPECT_FALSE(selection.enabled("SC405"));
  EXPECT_THROW(selection.disable("SC9"), Error);
  std::vector<Finding> findings{{"u", FileKind::Userdb, {"SC405", Severity::Warning, 1, 1, ""}, ""},
                                {"u", FileKind::Userdb, {"SC130", Severity::Note, 2, 1, ""}, ""}};
  selection.apply(findings);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].diagnostic.code, "SC130");
}

TEST(LintBaseline, IdentityIsCodeFileAndSubject) {
  const Finding f{"./deploy/users", FileKind::Userdb,
                  {"SC122", Severity::Warning, 3, 22, "m"}, "alice@a.org"};
  Finding moved = f;
  moved.diagnostic.line = 40;
  moved.diagnostic.message = "another message";
  EXPECT_EQ(fingerprint(f), fingerprint(moved));
  EXPECT_EQ(fingerprint(f), fingerprint(named(f, "deploy/users")));
  EXPECT_NE(fingerprint(f), fingerprint(named(f, "other/users")));
  Finding bob = f;
  bob.subject = "bob@a.org";
  EXPECT_NE(fingerprint(f), fingerprint(bob));
  const std::vector<FindingIdentity> ids = identities({f, moved, bob});
  EXPECT_EQ(ids[0].occurrence, 1u);
  EXPECT_EQ(ids[1].occurrence, 2u);
  EXPECT_EQ(ids[2].occurrence, 1u);
}

TEST(LintBaseline, RoundTripCountsAndFilters) {
  const Finding alice{"users", FileKind::Userdb, {"SC122", Severity::Warning, 3, 1, ""},
                      "alice@a.org"};
  Finding odd = alice;
  odd.file = " we%ird\nname ";
  const Baseline baseline = Baseline::parse(Baseline::of({alice, alice, odd}).text(), "b");
  EXPECT_EQ(baseline.text(), Baseline::of({alice, alice, odd}).text());
  std::vector<Finding> now{alice, odd, alice, alice};
  EXPECT_EQ(baseline.filter(now), 3u);
  ASSERT_EQ(now.size(), 1u); // the third alice is new
  EXPECT_EQ(now[0].file, "users");
}

TEST(LintBaseline, MalformedBaselinesSayWhere) {
  const auto message = [](const std::string& text) {
    try {
      Baseline::parse(text, "b");
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::DataError);
      return std::string(e.what()).substr(0, 6);
    }
    return std::string("parsed");
  };
  const std::string head = "sipcred-lint baseline 1\n";
  EXPECT_EQ(message(""), "b:1:1:");
  EXPECT_EQ(message("# only a comment\n"), "b:1:1:");
  EXPECT_EQ(message(head + "SC122 1 0123456789abcdef users\n"), "parsed");
  EXPECT_EQ(message(head + "SC122 99999999999999999999999 0123456789abcdef users\n"), "b:2:7:");
  EXPECT_EQ(message(head + "SC122 1 0123456789abcdeg users\n"), "b:2:9:");
  EXPECT_EQ(message(head + "SC122 1 0123456789abcdef us%4\n"), "b:2:28");
  EXPECT_EQ(message(head + "SC122\n"), "b:2:1:");
}
