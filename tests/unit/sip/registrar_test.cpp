#include "sipcred/sip/exchange.hpp"
#include "sipcred/sip/registrar.hpp"
#include "sipcred/util/error.hpp"
#include "temp_store.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace sipcred;
using namespace std::chrono_literals;

namespace {

// Hashes from python3 hashlib: md5("bob:biloxi.com:pw2"), sha256("carol:biloxi.com:pw3").
const char* const users =
    "version:1\n"
    "alice@biloxi.com clrtxt:old ;\n"
    "alice@biloxi.com clrtxt:pw ;\n" // the last line of an account wins
    "bob@biloxi.com md5:1c1d260d91142533087c2791a9195dd4 ;\n"
    "carol@biloxi.com sha256:5a887e1bfccc9f409b9e5a5826e0d9470f7ecf98b97e947ebf1cf2b6a701cc40 ;\n"
    "erin@other.org clrtxt:pw5 ;\n";

const Algorithm md5{HashFunction::Md5, false};
const Algorithm sha256{HashFunction::Sha256, false};

SipMessage request(const std::string& user, const std::string& method = "REGISTER",
                   const std::string& authorization = "",
                   const std::string& domain = "biloxi.com") {
  std::string text = method + " sip:" + domain +
                     " SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK1\r\n"
                     "From: <sip:" +
                     user + "@" + domain +
                     ">;tag=f\r\n"
                     "To: <sip:" +
                     user + "@" + domain +
                     ">\r\n"
                     "Call-ID: c1\r\nCSeq: 2 " +
                     method +
                     "\r\n"
                     "Contact: <sip:" +
                     user + "@127.0.0.1:5999>\r\nExpires: 600\r\n";
  if (!authorization.empty())
    text += (method == "REGISTER" ? "Authorization: " : "Proxy-Authorization: ") + authorization +
            "\r\n";
  return parse_sip_message(text + "\r\n");
}

class RegistrarTest : public ::testing::Test {
protected:
  Store& store() { return m_users.store(); }

  std::vector<DigestChallenge> challenges(const SipMessage& response,
                                          const char* header = "WWW-Authenticate") {
    std::vector<DigestChallenge> all;
    for (std::string_view value : response.headers_named(header))
      for (DigestChallenge& c : parse_challenges(value)) all.push_back(std::move(c));
    return all;
  }

  // Sends a REGISTER, answers its challenge with `password`, and returns the second outcome.
  Registrar::Outcome login(Registrar& registrar, const std::string& user,
                           const std::string& password, Registrar::Clock::time_point now,
                           std::string* authorization = nullptr) {
    const Registrar::Outcome first = registrar.handle(request(user), now);
    EXPECT_EQ(first.response->status, 401) << first.log;
    ClientRequest client;
    client.username = user;
    client.password = password;
    client.method = "REGISTER";
    client.uri = "sip:biloxi.com";
    const std::string answer = format_credentials(respond(challenges(*first.response), client));
    if (authorization) *authorization = answer;
    return registrar.handle(request(user, "REGISTER", answer), now);
  }

  std::vector<std::string> algorithm_names(const std::vector<DigestChallenge>& all) {
    std::vector<std::string> names;
    for (const DigestChallenge& c : all) names.push_back(c.algorithm);
    return names;
  }

  test::TempStore m_users{users};
  Registrar::Clock::time_point m_now{};
};

TEST_F(RegistrarTest, ChallengesPerConfiguredAlgorithmTheUserHas) {
  AuthSettings settings;
  settings.algorithms = {sha256, md5};
  Registrar registrar(settings, store());
  using Names = std::vector<std::string>;
  // Config order, one nonce for all; clear text gives both.
  const auto alice = challenges(*registrar.handle(request("alice"), m_now).response);
  EXPECT_EQ(algorithm_names(alice), (Names{"SHA-256", "MD5"}));
  EXPECT_EQ(alice[0].nonce, alice[1].nonce);
  EXPECT_EQ(alice[0].realm, "biloxi.com"); // no realm set: the From domain
  EXPECT_EQ(alice[0].qop, (std::vector<std::string>{"auth"}));
  EXPECT_FALSE(alice[0].stale);
  EXPECT_FALSE(alice[0].opaque.empty());
  EXPECT_EQ(algorithm_names(challenges(*registrar.handle(request("bob"), m_now).response)),
            Names{"MD5"});
  EXPECT_EQ(algorithm_names(challenges(*registrar.handle(request("carol"), m_now).response)),
            Names{"SHA-256"});
  // An unknown user gets every configured algorithm, as a known one without any would.
  EXPECT_EQ(algorithm_names(challenges(*registrar.handle(request("dave"), m_now).response)),
            (Names{"SHA-256", "MD5"}));
  settings.algorithms = {md5};
  Registrar md5_only(settings, store());
  EXPECT_EQ(algorithm_names(challenges(*md5_only.handle(request("carol"), m_now).response)),
            Names{"MD5"});
  // Two challenges for the same user carry different nonces.
  EXPECT_NE(challenges(*registrar.handle(request("alice"), m_now).response)[0].nonce,
            alice[0].nonce);
}

TEST_F(RegistrarTest, AcceptsTheRightPasswordAndAnswersWithTheBinding) {
  AuthSettings settings;
  settings.algorithms = {sha256, md5};
  Registrar registrar(settings, store());
  for (const char* user : {"alice", "bob", "carol"}) {
    const std::string password = user == std::string("alice") ? "pw"
                                 : user == std::string("bob") ? "pw2"
                                                              : "pw3";
    const Registrar::Outcome ok = login(registrar, user, password, m_now);
    ASSERT_TRUE(ok.response);
    EXPECT_EQ(ok.response->status, 200) << ok.log;
    EXPECT_TRUE(ok.accepted);
    EXPECT_EQ(ok.response->header("Contact").value(),
              "<sip:" + std::string(user) + "@127.0.0.1:5999>;expires=600");
    EXPECT_EQ(ok.response->header("CSeq").value(), "2 REGISTER");
    EXPECT_NE(ok.log.find("accepted"), std::string::npos);
    EXPECT_EQ(ok.log.find(password), std::string::npos) << ok.log;
  }
  // alice's first line holds "old": the last line counts.
  EXPECT_EQ(login(registrar, "alice", "old", m_now).response->status, 403);
}

TEST_F(RegistrarTest, WrongPasswordIs403OrANewChallengeWithNo403) {
  AuthSettings settings;
  Registrar registrar(settings, store());
  const Registrar::Outcome denied = login(registrar, "bob", "nope", m_now);
  EXPECT_EQ(denied.response->status, 403);
  EXPECT_EQ(denied.response->reason, "Forbidden");
  EXPECT_FALSE(denied.accepted);
  EXPECT_NE(denied.log.find("wrong password"), std::string::npos) << denied.log;
  EXPECT_EQ(login(registrar, "dave", "x", m_now).response->status, 403);

  settings.no_403 = true;
  Registrar lenient(settings, store());
  const Registrar::Outcome again = login(lenient, "bob", "nope", m_now);
  EXPECT_EQ(again.response->status, 401);
  EXPECT_EQ(challenges(*again.response).size(), 1u);
  EXPECT_FALSE(challenges(*again.response)[0].stale);
}

TEST_F(RegistrarTest, NonceCountMustGrow) {
  Registrar registrar(AuthSettings{}, store());
  std::string answer;
  ASSERT_EQ(login(registrar, "bob", "pw2", m_now, &answer).response->status, 200);
  // The same credentials again: a replay, answered with a new challenge, never a 200.
  const Registrar::Outcome replay = registrar.handle(request("bob", "REGISTER", answer), m_now);
  ASSERT_EQ(replay.response->status, 401);
  EXPECT_NE(challenges(*replay.response)[0].nonce, parse_credentials(answer).nonce);
  EXPECT_NE(replay.log.find("replayed"), std::string::npos);
  // nc 2 with the same nonce (a client reusing it) is fine, then nc 1 is a replay.
  DigestCredentials c = parse_credentials(answer);
  ClientRequest client;
  client.username = "bob";
  client.password = "pw2";
  client.method = "REGISTER";
  client.uri = "sip:biloxi.com";
  client.nc = "00000002";
  DigestChallenge same;
  same.realm = c.realm;
  same.nonce = c.nonce;
  same.opaque = c.opaque;
  same.qop = {"auth"};
  const std::string second = format_credentials(respond({same}, client));
  EXPECT_EQ(registrar.handle(request("bob", "REGISTER", second), m_now).response->status, 200);
  EXPECT_EQ(registrar.handle(request("bob", "REGISTER", answer), m_now).response->status, 401);
}

TEST_F(RegistrarTest, ExpiredNonceGetsAStaleChallengeAndUnknownAPlainOne) {
  AuthSettings settings;
  settings.nonce_expires = 30s;
  Registrar registrar(settings, store());
  const Registrar::Outcome first = registrar.handle(request("bob"), m_now);
  ClientRequest client;
  client.username = "bob";
  client.password = "pw2";
  client.method = "REGISTER";
  client.uri = "sip:biloxi.com";
  const std::string answer = format_credentials(respond(challenges(*first.response), client));
  const Registrar::Outcome late = registrar.handle(request("bob", "REGISTER", answer), m_now + 31s);
  EXPECT_EQ(late.response->status, 401);
  ASSERT_EQ(challenges(*late.response).size(), 1u);
  EXPECT_TRUE(challenges(*late.response)[0].stale);
  // Still valid within its lifetime.
  EXPECT_EQ(registrar.handle(request("bob", "REGISTER", answer), m_now + 29s).response->status,
            200);

  DigestCredentials forged = parse_credentials(answer);
  forged.nonce = "not-issued-here";
  const Registrar::Outcome unknown =
      registrar.handle(request("bob", "REGISTER", format_credentials(forged)), m_now);
  EXPECT_EQ(unknown.response->status, 401);
  EXPECT_FALSE(challenges(*unknown.response)[0].stale);
}

TEST_F(RegistrarTest, AlgorithmOutsideTheConfiguredOnesIs403) {
  AuthSettings settings;
  settings.algorithms = {sha256};
  Registrar registrar(settings, store());
  const Registrar::Outcome first = registrar.handle(request("bob"), m_now);
  // bob only has MD5, but SHA-256 is the only one configured: he is offered SHA-256...
  auto offered = challenges(*first.response);
  ASSERT_EQ(algorithm_names(offered), std::vector<std::string>{"SHA-256"});
  // ... and a client answering with MD5 anyway is refused.
  offered[0].algorithm = "MD5";
  ClientRequest client;
  client.username = "bob";
  client.password = "pw2";
  client.method = "REGISTER";
  client.uri = "sip:biloxi.com";
  const Registrar::Outcome md5_answer = registrar.handle(
      request("bob", "REGISTER", format_credentials(respond(offered, client))), m_now);
  EXPECT_EQ(md5_answer.response->status, 403);
  EXPECT_NE(md5_answer.log.find("not available"), std::string::npos) << md5_answer.log;
}

TEST_F(RegistrarTest, AckCancelByeAreNeverChallengedOtherRequestsGet407) {
  Registrar registrar(AuthSettings{}, store());
  const Registrar::Outcome ack = registrar.handle(request("bob", "ACK"), m_now);
  EXPECT_FALSE(ack.response);
  for (const char* method : {"BYE", "CANCEL"}) {
    const Registrar::Outcome o = registrar.handle(request("bob", method), m_now);
    EXPECT_EQ(o.response->status, 481) << method;
    EXPECT_TRUE(o.response->headers_named("WWW-Authenticate").empty());
    EXPECT_TRUE(o.response->headers_named("Proxy-Authenticate").empty());
  }
  const Registrar::Outcome invite = registrar.handle(request("bob", "INVITE"), m_now);
  EXPECT_EQ(invite.response->status, 407);
  EXPECT_EQ(challenges(*invite.response, "Proxy-Authenticate").size(), 1u);
  EXPECT_TRUE(invite.response->headers_named("WWW-Authenticate").empty());
}

TEST_F(RegistrarTest, WithoutQopAndWithAConfiguredRealm) {
  AuthSettings settings;
  settings.disable_qop_auth = true;
  settings.realm = "biloxi.com";
  Registrar registrar(settings, store());
  // erin's From domain is other.org, but the configured realm wins.
  const Registrar::Outcome first =
      registrar.handle(request("erin", "REGISTER", "", "other.org"), m_now);
  const auto offered = challenges(*first.response);
  EXPECT_EQ(offered[0].realm, "biloxi.com");
  EXPECT_TRUE(offered[0].qop.empty());
  const Registrar::Outcome bob = login(registrar, "bob", "pw2", m_now);
  EXPECT_EQ(bob.response->status, 200) << bob.log;
  EXPECT_EQ(clear_text_realm_mismatches(store(), "biloxi.com"),
            std::vector<std::string>{"6: erin@other.org"});
}

TEST_F(RegistrarTest, CredentialsForAnotherRealmAreIgnoredAndBadOnesAre400) {
  Registrar registrar(AuthSettings{}, store());
  const Registrar::Outcome other = registrar.handle(
      request("bob", "REGISTER",
              R"(Digest username="bob", realm="elsewhere", nonce="n", uri="sip:x", response="0")"),
      m_now);
  EXPECT_EQ(other.response->status, 401);
  const Registrar::Outcome bad =
      registrar.handle(request("bob", "REGISTER", R"(Digest username="bob)"), m_now);
  EXPECT_EQ(bad.response->status, 400);
}

// std::regex_search recursed per byte of the From URI: one REGISTER with a 30,000-byte host
// (tests/fuzz/corpus/registrar/long_from_host) took serve down with SIGSEGV.
TEST_F(RegistrarTest, RealmRegexIsNotRunOnAnOverlongUri) {
  AuthSettings settings;
  settings.realm_regex = "@(.*)";
  Registrar registrar(settings, store());
  const Registrar::Outcome normal = registrar.handle(request("bob"), m_now);
  ASSERT_EQ(normal.response->status, 401) << normal.log;
  EXPECT_EQ(challenges(*normal.response)[0].realm, "biloxi.com");
  const Registrar::Outcome huge =
      registrar.handle(request("bob", "REGISTER", "", std::string(30000, 'a') + ".org"), m_now);
  EXPECT_EQ(huge.response->status, 500);
  EXPECT_EQ(huge.reason, "realm-regex not run: the URI has 30012 bytes, more than 1024");
}

TEST_F(RegistrarTest, RealmRegexBeyondTheCompileLimitsIsRefused) {
  for (const std::string& pattern :
       {std::string(30000, '(') + std::string(30000, ')'), std::string("\\44444444444444444444"),
        std::string("a{1,99999999999}")}) {
    AuthSettings settings;
    settings.realm_regex = pattern;
    EXPECT_THROW(Registrar(settings, store()), Error) << pattern.substr(0, 20);
  }
}

// Whatever a peer sends that parses as SIP, the registrar answers or drops it without
// crashing: random flips in a REGISTER that carries credentials.
TEST_F(RegistrarTest, TrustedHostsPassUnchallengedOthersAreChallenged) {
  AuthSettings settings;
  settings.trusted_hosts = {"10.0.0.7", "2001:db8::7"};
  Registrar registrar(settings, store());
  for (const char* trusted : {"10.0.0.7", "2001:db8::7"}) {
    const Registrar::Outcome passed = registrar.handle(request("dave"), m_now, trusted);
    EXPECT_TRUE(passed.accepted) << trusted;
    EXPECT_EQ(passed.response->status, 200) << passed.log;
  }
  for (const char* other : {"10.0.0.8", "", "10.0.0.70"})
    EXPECT_EQ(registrar.handle(request("alice"), m_now, other).response->status, 401) << other;
}

TEST_F(RegistrarTest, PPreferredIdentityIsTheUserAuthenticated) {
  AuthSettings settings;
  settings.algorithms = {sha256, md5};
  settings.auth_domains = std::vector<std::string>{"biloxi.com"};
  Registrar registrar(settings, store());
  // From names erin of other.org (outside auth-domains, and holding clear text): the
  // challenge follows the preferred identity, carol, who has a SHA-256 hash only.
  SipMessage preferred = request("erin", "REGISTER", "", "other.org");
  preferred.headers.emplace_back("P-Preferred-Identity", "<sip:carol@biloxi.com>");
  const Registrar::Outcome outcome = registrar.handle(preferred, m_now);
  ASSERT_EQ(outcome.response->status, 401) << outcome.log;
  EXPECT_EQ(algorithm_names(challenges(*outcome.response)), std::vector<std::string>{"SHA-256"});
  EXPECT_EQ(challenges(*outcome.response)[0].realm, "biloxi.com");
  // Without it, the From domain is outside auth-domains.
  EXPECT_EQ(registrar.handle(request("erin", "REGISTER", "", "other.org"), m_now).response->status,
            403);
}

TEST_F(RegistrarTest, GarbageRequestsNeverCrash) {
  AuthSettings settings;
  settings.algorithms = {sha256, md5};
  Registrar registrar(settings, store());
  std::string answer;
  login(registrar, "alice", "pw", m_now, &answer);
  const std::string good = request("alice", "REGISTER", answer).format();
  std::mt19937 random(11);
  static constexpr char flip_chars[] = "\"=,:;@<> \\\x01"
                                       "\xff"
                                       "aZ9";
  int handled = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string data = good;
    for (int flips = static_cast<int>(random() % 6); flips >= 0; --flips)
      data[random() % data.size()] = flip_chars[random() % (sizeof flip_chars - 1)];
    SipMessage parsed;
    try {
      parsed = parse_sip_message(data);
    } catch (const Error&) {
      continue;
    }
    try {
      const Registrar::Outcome outcome = registrar.handle(parsed, m_now);
      ++handled;
      if (outcome.response) (void)outcome.response->format();
    } catch (const Error& e) {
      ADD_FAILURE() << e.what();
    }
  }
  EXPECT_GT(handled, 1000);
}

// Flexisip's file backend keys a user by (user, digest username, domain): the user-id when
// the line has one, else the user; the last line of those three wins; another domain is
// another user.
TEST(FileStoreLookup, ByUserDigestUsernameAndDomain) {
  test::TempStore db("version:1\njohn%40corp@d clrtxt:a ; jid\nmary@d clrtxt:b ;\n"
                     "mary@d clrtxt:c ;\nmary@e clrtxt:e ;\n");
  const auto find = [&](const char* user, const char* domain, const char* auth_user) {
    return db.store().lookup(Account{user, domain, auth_user, "", {}});
  };
  const auto john = find("john@corp", "d", "jid");
  ASSERT_TRUE(john);
  EXPECT_EQ(john->line, 2u);
  EXPECT_FALSE(find("john@corp", "d", "")); // digest username john@corp: not his user-id
  EXPECT_FALSE(find("jid", "d", "jid"));
  const auto mary = find("mary", "d", "");
  ASSERT_TRUE(mary);
  EXPECT_EQ(mary->line, 4u);
  ASSERT_TRUE(mary->clear_text());
  EXPECT_EQ(mary->clear_text()->value, "c");
  const auto other = find("mary", "e", "mary");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->line, 5u);
  EXPECT_FALSE(find("mary", "f", ""));
}

TEST(AuthDomains, AsFlexisipPicksItsAuthModule) {
  const std::vector<std::string> domains{"sip.example.org", "*.corp.net"};
  EXPECT_TRUE(domain_allowed(domains, "sip.example.org"));
  EXPECT_FALSE(domain_allowed(domains, "example.org"));
  EXPECT_TRUE(domain_allowed(domains, "a.corp.net"));
  EXPECT_FALSE(domain_allowed(domains, "corp.net"));
  EXPECT_TRUE(domain_allowed({"*"}, "anything"));
  EXPECT_FALSE(domain_allowed({}, "localhost"));
}

TEST(NonceStoreTest, BoundedAndCheckedNc) {
  NonceStore store(10s, 3);
  const NonceStore::Clock::time_point t{};
  const std::string first = store.issue(t);
  EXPECT_EQ(store.check(first, "00000001", t), NonceStore::State::Fresh);
  EXPECT_EQ(store.check(first, "00000001", t), NonceStore::State::Replayed);
  EXPECT_EQ(store.check(first, "0000000A", t), NonceStore::State::Fresh);
  EXPECT_EQ(store.check(first, "00000009", t), NonceStore::State::Replayed);
  EXPECT_EQ(store.check(first, "1", t), NonceStore::State::BadNc);
  EXPECT_EQ(store.check(first, "", t), NonceStore::State::Fresh); // no qop: not tracked
  EXPECT_EQ(store.check(first, "", t + 11s), NonceStore::State::Expired);
  for (int i = 0; i < 5; ++i) store.issue(t);
  EXPECT_LE(store.size(), 3u);
  EXPECT_EQ(store.check(first, "", t), NonceStore::State::Unknown); // pushed out
}

} // namespace
