// What an administrator's edits rest on (user_edit.hpp): naming a user, the credentials of a
// password and the policies Flexisip could use, finding a user's lines, checking a password.
// Expected hashes come from python3's hashlib, as each comment says.

#include "sipcred/userdb/user_edit.hpp"
#include "sipcred/util/error.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace sipcred::userdb {
namespace {

ErrorKind kind_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& error) {
    return error.kind();
  }
  ADD_FAILURE() << "no error";
  return ErrorKind::Internal;
}

TEST(UserEdit, ParseIdentity) {
  const Identity alice = parse_identity("alice@sip.example.org");
  EXPECT_EQ(alice.user, "alice");
  EXPECT_EQ(alice.domain, "sip.example.org");
  EXPECT_EQ(alice.text(), "alice@sip.example.org");
  // The user stays as written, escapes included.
  const Identity escaped = parse_identity("a%40b@sip.example.org");
  EXPECT_EQ(escaped.user, "a%40b");
  // A bare domain: the account of the domain itself.
  const Identity domain = parse_identity("sip.example.org");
  EXPECT_EQ(domain.user, "");
  EXPECT_EQ(domain.domain, "sip.example.org");
  EXPECT_EQ(domain.text(), "sip.example.org");
  // The domain keeps everything after the first '@'; a port is a token.
  EXPECT_EQ(parse_identity("bob@sip.example.org:5060").domain, "sip.example.org:5060");
}

TEST(UserEdit, ParseIdentityRefusesWhatIsNotAToken) {
  for (const char* text : {"@sip.example.org", "alice@", "", "al ice@d.org", "alice@d.org;x",
                           "alice@b@d.org", "al\nice@d.org", "alice@d\x01.org"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(kind_of([&] { parse_identity(text); }), ErrorKind::DataError);
  }
}

// python3 -c "import hashlib; s=b'alice:sip.example.org:s3cret-pw';
//   print(hashlib.md5(s).hexdigest(), hashlib.sha256(s).hexdigest())"
constexpr const char* alice_md5 = "3cb551b95b873504b952a696e1047ac3";
constexpr const char* alice_sha256 =
    "ffb38cd8330f13a88c783f44f7b9770e3670fb9b8290fe785f1a34647e7e1012";

TEST(UserEdit, MakeCredentialsHashesUserDomainAndPassword) {
  const Identity alice = parse_identity("alice@sip.example.org");
  const Credentials made = make_credentials(alice, "s3cret-pw", CredentialPolicy{}, "");
  EXPECT_EQ(made, (Credentials{{CredentialType::Md5, alice_md5},
                               {CredentialType::Sha256, alice_sha256}}));

  CredentialPolicy sha256_only;
  sha256_only.hashes = {HashFunction::Sha256};
  EXPECT_EQ(make_credentials(alice, "s3cret-pw", sha256_only, ""),
            (Credentials{{CredentialType::Sha256, alice_sha256}}));

  // python3 -c "import hashlib; print(hashlib.md5(b'alice:other.realm:s3cret-pw').hexdigest())"
  CredentialPolicy realm;
  realm.hashes = {HashFunction::Md5};
  realm.realm = "other.realm";
  EXPECT_EQ(make_credentials(alice, "s3cret-pw", realm, ""),
            (Credentials{{CredentialType::Md5, "9be245a4b766511a6b23d2ff9030bc9a"}}));

  CredentialPolicy clear;
  clear.clear_text = true;
  EXPECT_EQ(make_credentials(alice, "s3cret-pw", clear, ""),
            (Credentials{{CredentialType::ClearText, "s3cret-pw"}}));
}

// A1 hashes the digest username a client sends, URL-unescaped: the user-id when there is one.
TEST(UserEdit, MakeCredentialsHashesTheUnescapedDigestUsername) {
  CredentialPolicy md5;
  md5.hashes = {HashFunction::Md5};
  // python3 -c "import hashlib; print(hashlib.md5(b'a:b:sip.example.org:s3cret-pw').hexdigest())"
  EXPECT_EQ(make_credentials(parse_identity("a%3Ab@sip.example.org"), "s3cret-pw", md5, ""),
            (Credentials{{CredentialType::Md5, "a2bb69fefec396a1b1e9b298901b7efd"}}));
  // python3 -c "import hashlib;
  // print(hashlib.md5(b'desk@x:sip.example.org:s3cret-pw').hexdigest())"
  EXPECT_EQ(make_credentials(parse_identity("alice@sip.example.org"), "s3cret-pw", md5, "desk%40x"),
            (Credentials{{CredentialType::Md5, "f4e63027781004bee67bfcb5b964631e"}}));
}

TEST(UserEdit, MakeCredentialsRefusesAPasswordAUserdbCannotHold) {
  const Identity alice = parse_identity("alice@sip.example.org");
  for (const char* password : {"", "with space", "semi;colon", "new\nline", "quote\""}) {
    SCOPED_TRACE(password);
    try {
      make_credentials(alice, password, CredentialPolicy{}, "");
      ADD_FAILURE() << "accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), ErrorKind::DataError);
      if (*password) {
        EXPECT_EQ(std::string(error.what()).find(password), std::string::npos);
      }
    }
  }
}

TEST(UserEdit, ClearTextCanMatchOnlyWhenTheDigestUsernameIsTheUser) {
  EXPECT_TRUE(clear_text_can_match("alice", ""));
  EXPECT_TRUE(clear_text_can_match("alice", "alice"));
  EXPECT_TRUE(clear_text_can_match("alice", "%61lice")); // the same name, escaped
  EXPECT_TRUE(clear_text_can_match("a%3Ab", "a:b"));
  EXPECT_FALSE(clear_text_can_match("alice", "alice-desk"));
  EXPECT_FALSE(clear_text_can_match("alice", "Alice"));
}

TEST(UserEdit, CheckPolicyRefusesWhatFlexisipCouldNotUse) {
  const Identity alice = parse_identity("alice@sip.example.org");
  CredentialPolicy clear;
  clear.clear_text = true;
  EXPECT_NO_THROW(check_policy(alice, clear, ""));
  EXPECT_NO_THROW(check_policy(alice, clear, "%61lice"));
  clear.realm = "sip.example.org"; // the domain itself is what Flexisip uses
  EXPECT_NO_THROW(check_policy(alice, clear, ""));
  // Flexisip hashes clear text with the user and the domain.
  EXPECT_EQ(kind_of([&] { check_policy(alice, clear, "alice-desk"); }), ErrorKind::Usage);
  clear.realm = "other.realm";
  EXPECT_EQ(kind_of([&] { check_policy(alice, clear, ""); }), ErrorKind::Usage);
  EXPECT_EQ(kind_of([&] { make_credentials(alice, "s3cret-pw", clear, ""); }), ErrorKind::Usage);

  CredentialPolicy none;
  none.hashes.clear();
  EXPECT_EQ(kind_of([&] { check_policy(alice, none, ""); }), ErrorKind::Usage);
  CredentialPolicy sha512;
  sha512.hashes = {HashFunction::Sha512_256}; // no userdb prefix for it
  EXPECT_EQ(kind_of([&] { check_policy(alice, sha512, ""); }), ErrorKind::Usage);
  // Hashes of a user-id are fine: they are of the name the client sends.
  EXPECT_NO_THROW(check_policy(alice, CredentialPolicy{}, "alice-desk"));
}

// A userdb whose lines the tests below look at.
class Users : public testing::Test {
protected:
  void SetUp() override {
    std::vector<Diagnostic> diagnostics;
    // python3 -c "import hashlib; s=b'alice:sip.example.org:s3cret-pw';
    //   print(hashlib.md5(s).hexdigest(), hashlib.sha256(s).hexdigest())"
    m_document =
        Document::parse("version:1\n"
                        "alice@sip.example.org md5:3CB551B95B873504B952A696E1047AC3 ;\n"
                        "bob@sip.example.org clrtxt:bob-pw ;\n"
                        "%61lice@sip.example.org clrtxt:old md5:00000000000000000000000000000000 "
                        "clrtxt:s3cret-pw ;\n"
                        "alice@other.example.net clrtxt:s3cret-pw ;\n"
                        "carol@sip.example.org md5:f4e63027781004bee67bfcb5b964631e sha256:" +
                            std::string(alice_sha256) + " ;desk%40x\n",
                        diagnostics);
    for (const auto& d : diagnostics) {
      EXPECT_NE(d.severity, Severity::Error) << d.code << " " << d.message;
    }
  }
  const Entry& entry(std::size_t index) const { return m_document.lines().at(index).entry; }
  Document m_document;
};

TEST_F(Users, FindUserComparesUnescapedUserAndDomain) {
  EXPECT_EQ(find_user(m_document, parse_identity("alice@sip.example.org")),
            (std::vector<std::size_t>{1, 3}));
  EXPECT_EQ(find_user(m_document, parse_identity("%61lice@sip.example.org")),
            (std::vector<std::size_t>{1, 3}));
  EXPECT_EQ(find_user(m_document, parse_identity("alice@other.example.net")),
            (std::vector<std::size_t>{4}));
  EXPECT_TRUE(find_user(m_document, parse_identity("Alice@sip.example.org")).empty());
  EXPECT_TRUE(find_user(m_document, parse_identity("alice@SIP.example.org")).empty());
  EXPECT_TRUE(same_user(entry(3), parse_identity("alice@sip.example.org")));
  EXPECT_FALSE(same_user(entry(2), parse_identity("alice@sip.example.org")));
}

TEST_F(Users, AuthUserOfIsTheUnescapedUserIdElseTheUser) {
  EXPECT_EQ(auth_user_of(entry(1)), "alice");
  EXPECT_EQ(auth_user_of(entry(3)), "alice");
  EXPECT_EQ(auth_user_of(entry(5)), "desk@x");
}

TEST_F(Users, PolicyOfIsWhatFlexisipUses) {
  const CredentialPolicy alice = policy_of(entry(1));
  EXPECT_FALSE(alice.clear_text);
  EXPECT_EQ(alice.hashes, std::vector<HashFunction>{HashFunction::Md5});
  // The last clrtxt replaces the list.
  const CredentialPolicy escaped = policy_of(entry(3));
  EXPECT_TRUE(escaped.clear_text);
  EXPECT_TRUE(escaped.hashes.empty());
  const CredentialPolicy carol = policy_of(entry(5));
  EXPECT_FALSE(carol.clear_text);
  EXPECT_EQ(carol.hashes, (std::vector<HashFunction>{HashFunction::Md5, HashFunction::Sha256}));
}

TEST_F(Users, CheckPasswordAsAClientAnswers) {
  auto matches = [](const std::vector<CredentialCheck>& checks) {
    std::vector<bool> out;
    for (const auto& check : checks) out.push_back(check.matches);
    return out;
  };
  // A stored hash in uppercase matches: Flexisip lower-cases hashes on load.
  EXPECT_EQ(matches(check_password(entry(1), "s3cret-pw", "")), std::vector<bool>{true});
  EXPECT_EQ(matches(check_password(entry(1), "wrong", "")), std::vector<bool>{false});
  // The hash is of the domain unless a realm is given.
  EXPECT_EQ(matches(check_password(entry(1), "s3cret-pw", "other.realm")),
            std::vector<bool>{false});
  EXPECT_EQ(matches(check_password(entry(2), "bob-pw", "")), std::vector<bool>{true});
  // Only the last clrtxt counts.
  const auto escaped = check_password(entry(3), "s3cret-pw", "");
  ASSERT_EQ(escaped.size(), 1u);
  EXPECT_TRUE(escaped[0].matches);
  EXPECT_EQ(escaped[0].credential->value, "s3cret-pw");
  EXPECT_EQ(matches(check_password(entry(3), "old", "")), std::vector<bool>{false});
  // carol's hashes are of her user-id desk@x: the MD5 matches, the SHA-256 (alice's) does not.
  EXPECT_EQ(matches(check_password(entry(5), "s3cret-pw", "")), (std::vector<bool>{true, false}));
}

TEST(UserEdit, ClearTextOfAnotherUserIdNeverMatches) {
  std::vector<Diagnostic> diagnostics;
  const Document document =
      Document::parse("version:1\nalice@sip.example.org clrtxt:s3cret-pw ;desk\n", diagnostics);
  ASSERT_EQ(document.lines().size(), 2u);
  const auto checks = check_password(document.lines()[1].entry, "s3cret-pw", "");
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_FALSE(checks[0].matches);
}

} // namespace
} // namespace sipcred::userdb
