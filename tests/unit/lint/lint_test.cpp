#include "sipcred/config/auth_config.hpp"
#include "sipcred/digest/digest.hpp"
#include "sipcred/lint/lint.hpp"
#include "sipcred/userdb/userdb.hpp"
#include "sipcred/util/error.hpp"

#include "lint/rule_table.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <unistd.h>

using namespace sipcred;
using namespace sipcred::lint;

namespace {

std::vector<std::string> codes(const std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diagnostics)
    out.push_back(std::string(d.code) + "@" + std::to_string(d.line));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> config_codes(const std::string& text, ConfigFacts* facts = nullptr) {
  std::vector<Diagnostic> diagnostics;
  const ConfigFacts result = lint_flexisip_config(text, diagnostics);
  if (facts) *facts = result;
  return codes(diagnostics);
}

const std::string good = "[module::Authentication]\nenabled=true\nauth-domains=a.org b.org\n"
                         "available-algorithms=SHA-256 MD5\nfile-path=/etc/flexisip/users\n";

} // namespace

TEST(LintRules, TableIsSortedUniqueAndComplete) {
  std::set<std::string_view> seen;
  std::string_view previous;
  for (const Rule& rule : rules()) {
    EXPECT_TRUE(seen.insert(rule.code).second) << rule.code;
    EXPECT_LT(previous, rule.code);
    previous = rule.code;
    EXPECT_FALSE(rule.title.empty()) << rule.code;
    EXPECT_GT(rule.explanation.size(), 40u) << rule.code;
  }
  EXPECT_EQ(find_rule("sc312")->severity, Severity::Error);
  EXPECT_EQ(find_rule("SC999"), nullptr);
  // The userdb parser's codes are in the table too.
  for (std::string_view code : {"SC101", "SC114", "SC120", "SC126", "SC130"})
    EXPECT_NE(find_rule(code), nullptr) << code;
}

// Findings name a code only; the severity is the table's (a code not in the table does not
// compile: RuleCode's constructor is consteval).
TEST(LintRules, FindingsTakeTheSeverityOfTheirRule) {
  const Diagnostic note = finding("SC130", 3, 4, "m");
  EXPECT_EQ(note.code, "SC130");
  EXPECT_EQ(note.severity, Severity::Note);
  EXPECT_EQ(note.line, 3u);
  EXPECT_EQ(note.column, 4u);
  EXPECT_EQ(finding("SC120", 1, 1, "").severity, Severity::Warning);
  EXPECT_EQ(finding("SC107", 1, 1, "").severity, Severity::Error);
  constexpr RuleCode code = "SC402";
  EXPECT_EQ(code.severity(), Severity::Warning);

  // Every finding of the parsers and checks, whatever its severity, agrees with the table.
  std::vector<Diagnostic> all;
  lint_flexisip_config("[module::Authentication]\r\nenabled=maybe\nenabled=true\nx\n"
                       "available-algorithms=MD5 SHA-1\nrealm-regex=(\n",
                       all);
  lint_userdb("version:1\nMD5:x\nu@d MD5:abc md5:ABCDEF ;\nu@d clrtxt:p md5:0 ;\n"
              "v@d clrtxt:a clrtxt:b ;\n #x\n(\nw@d bad: ;\nlast@d clrtxt:p ;",
              AuthContext{}, 0644, all);
  lint_userdb("version:1\nu@d md5:" + std::string(32, 'A') + " ;\n", AuthContext{}, 0600, all);
  lint_pjsip("[a]\ntype=auth\nmd5_cred=x\nauth_type=md5\npassword_digest=SHA-1:00\n"
             "supported_algorithms_uas=SHA-1\n[b](nope)\nx\n",
             all);
  std::set<Severity> severities;
  for (const Diagnostic& d : all) {
    const Rule* rule = find_rule(d.code);
    ASSERT_NE(rule, nullptr) << d.code;
    EXPECT_EQ(d.severity, rule->severity) << d.code << ": " << d.message;
    severities.insert(d.severity);
  }
  EXPECT_EQ(severities.size(), 3u); // errors, warnings and notes were all checked
}

TEST(LintConfig, AGoodConfigHasNoFindingAndGivesItsContext) {
  ConfigFacts facts;
  EXPECT_TRUE(config_codes(good, &facts).empty());
  EXPECT_TRUE(facts.file_backend);
  EXPECT_EQ(facts.file_path, "/etc/flexisip/users");
  EXPECT_EQ(facts.file_path_line, 5u);
  EXPECT_EQ(facts.file_path_column, 11u);
  EXPECT_EQ(facts.context.auth_domains, (std::vector<std::string>{"a.org", "b.org"}));
  EXPECT_EQ(facts.context.algorithms,
            (std::vector<HashFunction>{HashFunction::Sha256, HashFunction::Md5}));
  EXPECT_FALSE(facts.context.fixed_realm);
}

TEST(LintConfig, TypesOfSettings) {
  EXPECT_EQ(config_codes(good + "disable-qop-auth=TRUE\nnonce-expires=5 min\n"
                                "cache-expire=10min\nsoci-poolsize=1e3\n"),
            (std::vector<std::string>{"SC312@6", "SC313@7", "SC314@9"}));
  for (const char* ok : {"1", "0", "true", "false"})
    EXPECT_TRUE(config_codes(good + "new-auth-on-407=" + ok + "\n").empty()) << ok;
  for (const char* ok : {"3600", "100ms", "2s", "30min", "1h", "7d", "1m", "1y"})
    EXPECT_TRUE(config_codes(good + "nonce-expires=" + std::string(ok) + "\n").empty()) << ok;
}

TEST(LintConfig, RealmRegexAndFixedRealm) {
  ConfigFacts facts;
  EXPECT_TRUE(config_codes(good + "realm=sip.a.org\n", &facts).empty());
  EXPECT_EQ(facts.context.fixed_realm, "sip.a.org");
  EXPECT_TRUE(config_codes(good + "realm=regex:@(.*)\n", &facts).empty());
  EXPECT_FALSE(facts.context.fixed_realm);
  EXPECT_EQ(config_codes(good + "realm=x\nrealm-regex=(a\n"),
            (std::vector<std::string>{"SC317@7", "SC318@7"}));
  // POSIX ERE, not ECMAScript: \d is not an ERE escape, but "a{1,2}" is fine in both.
  EXPECT_EQ(config_codes(good + "tls-client-certificate-required-subject=CN=[a\n"),
            (std::vector<std::string>{"SC318@6"}));
}

// Counts with too many digits overflowed an int inside libstdc++'s regex compiler (UBSan), and
// deep nesting its stack: such patterns are refused before compiling, at the construct.
TEST(LintConfig, RealmRegexBeyondTheLimitsIsRefusedBeforeCompiling) {
  const auto first = [](const std::string& text) {
    std::vector<Diagnostic> diagnostics;
    lint_flexisip_config(text, diagnostics);
    return diagnostics.empty() ? Diagnostic{} : diagnostics.front();
  };
  Diagnostic d = first(good + "realm-regex=sip:\\44444444444444444444\n");
  EXPECT_EQ(d.code, "SC318");
  EXPECT_EQ(d.column, 17u);
  EXPECT_NE(d.message.find("a back-reference of more than 3 digits"), std::string::npos)
      << d.message;
  d = first(good + "realm=regex:@(.{1,2147483648})\n");
  EXPECT_EQ(d.column, 16u);
  EXPECT_NE(d.message.find("a repeat count of more than 5 digits"), std::string::npos) << d.message;
  d = first(good + "realm-regex=" + std::string(11, '(') + std::string(11, ')') + "\n");
  EXPECT_EQ(d.column, 23u);
  EXPECT_NE(d.message.find("groups nested deeper than 10"), std::string::npos) << d.message;
  // Within the limits, and '{' or '(' inside a class or escaped, count for nothing.
  EXPECT_TRUE(config_codes(good + "realm-regex=" + std::string(10, '(') + "@[({]\\(\\{99999999}" +
                           std::string(10, ')') + "\n")
                  .empty());
}

TEST(LintConfig, NumbersTooLargeForTheirTypeAreFindings) {
  EXPECT_EQ(config_codes(good + "nonce-expires=" + std::string(50000, '9') +
                         "\n"
                         "cache-expire=300000000000y\nsoci-poolsize=2147483648\n"
                         "soci-max-queue-size=+2147483647\n"),
            (std::vector<std::string>{"SC313@6", "SC313@7", "SC314@8"}));
  EXPECT_EQ(parse_config_duration("292471208677y"), std::nullopt);
  EXPECT_EQ(parse_config_duration("2y"), std::chrono::years(2));
}

TEST(LintConfig, SociRequest) {
  const std::string soci = "[module::Authentication]\nenabled=true\nauth-domains=a.org\n"
                           "available-algorithms=MD5\ndb-implementation=soci\n"
                           "soci-backend=sqlite3\nsoci-connection-string=db=x.db\n";
  ConfigFacts facts;
  EXPECT_TRUE(
      config_codes(soci + "soci-password-request=select p, 'MD5' from u where n=:id\n", &facts)
          .empty());
  EXPECT_FALSE(facts.file_backend);
  // Quoted text, casts and functions with commas do not count.
  EXPECT_TRUE(config_codes(soci + "soci-password-request=SELECT coalesce(p, ':x'), a::text "
                                  "FROM u WHERE n = :id AND d = :domain AND i = :authid\n")
                  .empty());
  EXPECT_EQ(config_codes(soci + "soci-password-request=select p, a, b from u where n=:name\n"),
            (std::vector<std::string>{"SC335@8", "SC336@8", "SC337@8"}));
}

TEST(LintUserdb, CrossChecksInTheConfigContext) {
  AuthContext context;
  context.from_config = true;
  context.auth_domains = {"a.org"};
  context.algorithms = {HashFunction::Md5};
  context.fixed_realm = "corp";
  const std::string md5 = ha1(HashFunction::Md5, "al%ice", "a.org", "pw");
  const std::string md5_escaped = ha1(HashFunction::Md5, "al@ice", "a.org", "pw");
  const std::string realm_md5 = ha1(HashFunction::Md5, "bob", "corp", "pw");
  std::vector<Diagnostic> diagnostics;
  lint_userdb("version:1\n"
              "al%40ice@a.org clrtxt:pw md5:" +
                  md5 + " ;\n" +                                    // hashed unescaped: wrong
                  "bob@a.org clrtxt:pw md5:" + realm_md5 + " ;\n" + // hashed with the realm: ok
                  "carol@b.org clrtxt:pw ;\ndave@b.org clrtxt:pw ;\n" +
                  "erin@a.org sha256:" + std::string(64, 'a') + " ;\n",
              context, 0640u, diagnostics);
  EXPECT_EQ(codes(diagnostics),
            (std::vector<std::string>{"SC122@2", "SC122@3", "SC401@4", "SC402@2", "SC403@6",
                                      "SC404@2", "SC405@1"}));
  diagnostics.clear();
  lint_userdb("version:1\nal%40ice@a.org clrtxt:pw md5:" + md5_escaped + " ;\n", AuthContext{},
              0600u, diagnostics);
  EXPECT_EQ(codes(diagnostics), (std::vector<std::string>{"SC122@2"}));
}

TEST(LintPjsip, LoadRules) {
  std::vector<Diagnostic> diagnostics;
  lint_pjsip("[a]\ntype=auth\nusername=a\npassword_digest=sha-512-256:" + std::string(64, 'b') +
                 "\nsupported_algorithms_uas=sha-512-256\nsupported_algorithms_uac=sha-512-256\n"
                 "[e]\ntype=endpoint\n[b]\ntype=auth\n",
             diagnostics);
  EXPECT_EQ(codes(diagnostics), (std::vector<std::string>{"SC502@9", "SC503@9"}));
}

TEST(Lint, RedactLineMasksSecretsOnly) {
  EXPECT_EQ(redact_line(FileKind::Userdb, "a@b clrtxt:pw md5:abcd ; id +33\n"),
            "a@b clrtxt:** md5:**** ; id +33\n");
  EXPECT_EQ(redact_line(FileKind::Userdb, "# clrtxt:pw"), "# clrtxt:pw");
  EXPECT_EQ(redact_line(FileKind::Pjsip, " Password = s3cret"), " Password =*******");
  EXPECT_EQ(redact_line(FileKind::Pjsip, "username=alice"), "username=alice");
  EXPECT_EQ(redact_line(FileKind::FlexisipConfig, "soci-connection-string=password=x"),
            "soci-connection-string=**********");
  EXPECT_EQ(redact_line(FileKind::FlexisipConfig, "realm=x"), "realm=x");
}

TEST(Lint, NamedFilesMustExistButTheConfigsUserdbIsAFinding) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("sipcred-lint-unit-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto conf = dir / "flexisip.conf";
  std::ofstream(conf) << good;
  Request request;
  request.config = conf.string();
  const auto findings = lint::lint(request);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].diagnostic.code, "SC331");
  EXPECT_EQ(findings[0].file, conf.string());
  request.pjsip = (dir / "missing.conf").string();
  try {
    lint::lint(request);
    FAIL() << "no error for a missing --pjsip file";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::NoInput);
  }
  std::filesystem::remove_all(dir);
}

TEST(LintUserdb, HashChecksOfALargeFileAreAllMade) {
  // Enough lines for the checks to be shared between threads: the findings are the same.
  std::string content = "version:1\n";
  for (int i = 0; i < 10000; ++i) {
    const std::string user = "u" + std::to_string(i);
    const std::string password = (i == 7 || i == 9000) ? "other" : "pw";
    content +=
        user + "@a.org clrtxt:pw md5:" + ha1(HashFunction::Md5, user, "a.org", password) + " ;\n";
  }
  std::vector<Diagnostic> diagnostics;
  lint_userdb(content, AuthContext{}, std::nullopt, diagnostics);
  std::vector<std::size_t> mismatches;
  for (const Diagnostic& d : diagnostics)
    if (d.code == "SC404") mismatches.push_back(d.line);
  EXPECT_EQ(mismatches, (std::vector<std::size_t>{9, 9002}));
}

TEST(LintConfig, OnlyNearMissesOfTheAuthenticationSectionAreFlagged) {
  // Real Flexisip sections, some with close names, are not this tool's business.
  EXPECT_TRUE(config_codes(good + "[module::Authorization]\n[module::ExternalAuthentication]\n"
                                  "[global]\n[module::Registrar]\n")
                  .empty());
  EXPECT_EQ(config_codes(good + "[module::Authentification]\n[Module::Authenticaton]\n"),
            (std::vector<std::string>{"SC305@6", "SC305@7"}));
}
