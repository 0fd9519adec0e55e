// Whole exchanges as a flexisip.conf sets them up: read_auth_config, the store it names, a
// Registrar and a RegisterClient, through rehearse_exchange (what `sipcred-sim exchange` runs).

#include "sipcred/config/auth_config.hpp"
#include "sipcred/sip/exchange_rehearsal.hpp"
#include "temp_store.hpp"

#include <gtest/gtest.h>

using namespace sipcred;

namespace {

// Hashes from python3 hashlib: md5("bob:biloxi.com:pw2"), sha256("carol:biloxi.com:pw3"),
// md5("dan:example:pw4").
const char* const users =
    "version:1\n"
    "alice@biloxi.com clrtxt:pw ;\n"
    "bob@biloxi.com md5:1c1d260d91142533087c2791a9195dd4 ;\n"
    "carol@biloxi.com sha256:5a887e1bfccc9f409b9e5a5826e0d9470f7ecf98b97e947ebf1cf2b6a701cc40 ;\n"
    "dan@sip.example.com md5:e0774cd76f2459d0f3d3b52d087aa107 ;\n"
    "erin@other.org clrtxt:pw5 ;\n";

class Rehearse : public ::testing::Test {
protected:
  // The exchange of `identity` with `password`, under [module::Authentication] holding
  // `settings` (lines) and file-path naming the userdb above.
  Rehearsal run(const std::string& settings, const std::string& identity,
                const std::string& password, const std::string& method = "REGISTER") {
    const AuthConfig config = read_auth_config("[module::Authentication]\nenabled=true\n"
                                               "file-path=" +
                                               m_db.path() + "\n" + settings);
    for (const Diagnostic& d : config.diagnostics)
      EXPECT_NE(d.severity, Severity::Error) << d.line << ":" << d.column << ": " << d.message;
    EXPECT_TRUE(config.store);
    std::unique_ptr<Store> store = open_store(*config.store, config.store_options);
    Registrar registrar(config.settings, *store);
    RegisterSettings client;
    client.aor = parse_sip_uri("sip:" + identity);
    client.password = password;
    client.method = method;
    client.local_host = "192.0.2.1";
    client.local_port = 5060;
    RegisterClient phone(client);
    return rehearse_exchange(registrar, phone, Registrar::Clock::now());
  }

  static std::vector<int> statuses(const Rehearsal& r) {
    std::vector<int> out;
    for (const RehearsedMessage& m : r.messages)
      if (!m.from_client) out.push_back(m.message.status);
    return out;
  }

  static std::vector<std::string> offered(const SipMessage& response, const char* header) {
    std::vector<std::string> algorithms;
    for (std::string_view value : response.headers_named(header))
      for (const DigestChallenge& c : parse_challenges(value)) algorithms.push_back(c.algorithm);
    return algorithms;
  }

  // The value of header `name` in the last request of the client that has it.
  static std::string r_header(const Rehearsal& r, const char* name) {
    std::string value;
    for (const RehearsedMessage& m : r.messages)
      if (m.from_client && m.message.header(name)) value = std::string(*m.message.header(name));
    return value;
  }

  test::TempStore m_db{users};
};

const std::string biloxi = "auth-domains=biloxi.com sip.example.com\n";

TEST_F(Rehearse, RightPasswordGetsIn) {
  const Rehearsal r = run(biloxi + "available-algorithms=SHA-256 MD5\n", "alice@biloxi.com", "pw");
  EXPECT_TRUE(r.accepted) << r.reason;
  EXPECT_EQ(statuses(r), (std::vector<int>{401, 200}));
  ASSERT_EQ(r.messages.size(), 4u);
  // Clear text gives both hashes: one challenge per algorithm, in config order.
  EXPECT_EQ(offered(r.messages[1].message, "WWW-Authenticate"),
            (std::vector<std::string>{"SHA-256", "MD5"}));
  EXPECT_TRUE(r.messages[2].message.header("Authorization"));
  EXPECT_NE(r.reason.find("accepted (line 2)"), std::string::npos) << r.reason;
  EXPECT_TRUE(run(biloxi, "bob@biloxi.com", "pw2").accepted);
}

TEST_F(Rehearse, WrongPasswordIs403) {
  const Rehearsal r = run(biloxi, "bob@biloxi.com", "nope");
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(statuses(r), (std::vector<int>{401, 403}));
  EXPECT_NE(r.reason.find("wrong password"), std::string::npos) << r.reason;
}

TEST_F(Rehearse, No403ChallengesAgainAndTheClientGivesUp) {
  const Rehearsal r = run(biloxi + "no-403=true\n", "bob@biloxi.com", "nope");
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(statuses(r), (std::vector<int>{401, 401}));
  EXPECT_NE(r.reason.find("wrong password"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("challenged again"), std::string::npos) << r.reason;
}

TEST_F(Rehearse, AlgorithmFilteringLocksOutAHashTheConfigDoesNotOffer) {
  // carol holds only a SHA-256 hash; with MD5 alone available she is offered MD5 (every
  // configured algorithm, since she has none of them) and cannot answer it.
  const Rehearsal md5_only = run(biloxi + "available-algorithms=MD5\n", "carol@biloxi.com", "pw3");
  EXPECT_FALSE(md5_only.accepted);
  ASSERT_GE(md5_only.messages.size(), 2u);
  EXPECT_EQ(offered(md5_only.messages[1].message, "WWW-Authenticate"),
            std::vector<std::string>{"MD5"});
  EXPECT_NE(md5_only.reason.find("no MD5 hash"), std::string::npos) << md5_only.reason;
  // With SHA-256 available too, only the algorithm she has is offered, and she gets in.
  const Rehearsal both =
      run(biloxi + "available-algorithms=MD5 SHA-256\n", "carol@biloxi.com", "pw3");
  EXPECT_TRUE(both.accepted) << both.reason;
  EXPECT_EQ(offered(both.messages[1].message, "WWW-Authenticate"),
            std::vector<std::string>{"SHA-256"});
}

TEST_F(Rehearse, RealmRegexTakesTheFirstGroup) {
  const std::string regex = biloxi + R"(realm-regex=sip:.*@sip\.(.*)\.com)" + "\n";
  const Rehearsal r = run(regex, "dan@sip.example.com", "pw4");
  EXPECT_TRUE(r.accepted) << r.reason;
  const auto challenge = parse_challenges(*r.messages[1].message.header("WWW-Authenticate"));
  EXPECT_EQ(challenge.at(0).realm, "example");
  // The same through realm=regex:..., and a From the regex does not match is a 500.
  EXPECT_TRUE(
      run(biloxi + R"(realm=regex:sip:.*@sip\.(.*)\.com)" + "\n", "dan@sip.example.com", "pw4")
          .accepted);
  const Rehearsal unmatched = run(regex, "alice@biloxi.com", "pw");
  EXPECT_FALSE(unmatched.accepted);
  EXPECT_EQ(statuses(unmatched), std::vector<int>{500});
}

TEST_F(Rehearse, QopOffAndOn) {
  const Rehearsal with = run(biloxi, "bob@biloxi.com", "pw2");
  EXPECT_NE(r_header(with, "Authorization").find("nc=00000001"), std::string::npos);
  const Rehearsal without = run(biloxi + "disable-qop-auth=true\n", "bob@biloxi.com", "pw2");
  EXPECT_TRUE(without.accepted) << without.reason;
  EXPECT_EQ(r_header(without, "Authorization").find("nc="), std::string::npos);
  EXPECT_EQ(r_header(without, "Authorization").find("qop"), std::string::npos);
}

TEST_F(Rehearse, OtherMethodsGet407FromTheProxy) {
  const Rehearsal r = run(biloxi, "bob@biloxi.com", "pw2", "INVITE");
  EXPECT_TRUE(r.accepted) << r.reason;
  ASSERT_GE(r.messages.size(), 3u);
  EXPECT_EQ(r.messages[1].message.status, 407);
  EXPECT_EQ(offered(r.messages[1].message, "Proxy-Authenticate"), std::vector<std::string>{"MD5"});
  EXPECT_TRUE(r.messages[2].message.header("Proxy-Authorization"));
  EXPECT_FALSE(r.messages[2].message.header("Authorization"));
  EXPECT_FALSE(run(biloxi, "bob@biloxi.com", "nope", "INVITE").accepted);
}

TEST_F(Rehearse, DomainOutsideAuthDomainsIsForbidden) {
  const Rehearsal r = run(biloxi, "erin@other.org", "pw5");
  EXPECT_FALSE(r.accepted);
  ASSERT_EQ(r.messages.size(), 2u); // no challenge at all
  EXPECT_EQ(r.messages[1].message.status, 403);
  EXPECT_EQ(r.messages[1].message.reason, "Domain forbidden");
  // Without auth-domains, Flexisip's default is localhost alone.
  EXPECT_EQ(run("", "alice@biloxi.com", "pw").messages.at(1).message.reason, "Domain forbidden");
  EXPECT_TRUE(run("auth-domains=*\n", "erin@other.org", "pw5").accepted);
}

TEST_F(Rehearse, FileBackendLoadsOnlyDomainsListedExactly) {
  // '*.example.com' lets sip.example.com's requests in, but Flexisip's file backend only
  // loads lines whose domain is listed exactly (or '*'): dan is unknown there.
  const std::string regex = R"(realm-regex=sip:.*@sip\.(.*)\.com)"
                            "\n";
  const Rehearsal r = run(regex + "auth-domains=*.example.com\n", "dan@sip.example.com", "pw4");
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(statuses(r), (std::vector<int>{401, 403}));
  EXPECT_NE(r.reason.find("unknown user"), std::string::npos) << r.reason;
  EXPECT_TRUE(run(regex + "auth-domains=sip.example.com\n", "dan@sip.example.com", "pw4").accepted);
}

TEST_F(Rehearse, ADisabledModuleLetsEveryoneIn) {
  const AuthConfig config =
      read_auth_config("[module::Authentication]\nfile-path=" + m_db.path() + "\n");
  EXPECT_FALSE(config.settings.enabled);
  std::unique_ptr<Store> store = open_store(*config.store, config.store_options);
  Registrar registrar(config.settings, *store);
  RegisterSettings client;
  client.aor = parse_sip_uri("sip:nobody@biloxi.com");
  RegisterClient phone(client);
  const Rehearsal r = rehearse_exchange(registrar, phone, Registrar::Clock::now());
  EXPECT_TRUE(r.accepted);
  EXPECT_EQ(statuses(r), std::vector<int>{200});
}

} // namespace
