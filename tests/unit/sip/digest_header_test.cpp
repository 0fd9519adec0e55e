#include "sipcred/sip/digest_header.hpp"
#include "sipcred/util/error.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace sipcred;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::DataError);
    return error.what();
  }
  ADD_FAILURE() << "no error";
  return {};
}

TEST(DigestHeader, ChallengesAsRealStacksSendThem) {
  // Asterisk: no spaces after commas.
  auto c = parse_challenges(
      R"(Digest realm="asterisk",nonce="1700000000/8f7c",opaque="5c2a1b",algorithm=MD5,qop="auth")");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].realm, "asterisk");
  EXPECT_EQ(c[0].nonce, "1700000000/8f7c");
  EXPECT_EQ(c[0].opaque, "5c2a1b");
  EXPECT_EQ(c[0].qop, std::vector<std::string>{"auth"});
  EXPECT_EQ(c[0].parsed_algorithm(), (Algorithm{HashFunction::Md5, false}));
  // Any case of scheme and names, bare tokens, a qop list, stale in capitals.
  c = parse_challenges(
      R"(digest REALM=sip.example.org, Nonce=abc, Algorithm=sha-256, QOP="auth, auth-int", STALE=TRUE)");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].realm, "sip.example.org");
  EXPECT_EQ(c[0].parsed_algorithm(), (Algorithm{HashFunction::Sha256, false}));
  EXPECT_EQ(c[0].qop, (std::vector<std::string>{"auth", "auth-int"}));
  EXPECT_TRUE(c[0].stale);
  // No algorithm means MD5; an unknown one is not an error, just not usable.
  EXPECT_EQ(parse_challenges(R"(Digest realm="r", nonce="n")")[0].parsed_algorithm(),
            (Algorithm{HashFunction::Md5, false}));
  EXPECT_FALSE(
      parse_challenges(R"(Digest realm="r", nonce="n", algorithm=SHA-1)")[0].parsed_algorithm());
}

TEST(DigestHeader, SeveralChallengesInOneValueKeepTheirOrder) {
  const auto c = parse_challenges(R"(Digest realm="a", nonce="1", algorithm=SHA-256, qop="auth", )"
                                  R"(Digest realm="a", nonce="1", algorithm=MD5, qop="auth")");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].algorithm, "SHA-256");
  EXPECT_EQ(c[1].algorithm, "MD5");
  // Other schemes are skipped, token68 included.
  const auto d = parse_challenges(R"(Basic realm="x", Bearer abc==, Digest realm="y", nonce="z")");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].realm, "y");
}

TEST(DigestHeader, QuotedStringsAreUnescaped) {
  const auto c = parse_challenges(R"(Digest realm="a \"b\" \\c, d", nonce="n")");
  EXPECT_EQ(c.at(0).realm, R"(a "b" \c, d)");
  // And escaped again when formatted, so that the value survives a round trip.
  EXPECT_EQ(parse_challenges(format_challenge(c[0])).at(0).realm, c[0].realm);
}

TEST(DigestHeader, MalformedValuesNameTheParameter) {
  EXPECT_NE(error_of([] { parse_challenges(R"(Digest realm="r")"); }).find("'nonce': missing"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_challenges(R"(Digest nonce="n", realm="r)");
            }).find("'realm': the quoted string is not closed"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_challenges(R"(Digest realm="a", realm="b", nonce=n)");
            }).find("'realm': given twice"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_challenges(R"(Digest realm="a" nonce="n")");
            }).find("'realm': expected ','"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_credentials(R"(Digest username="u", realm="r", nonce="n", )"
                                R"(uri="sip:d", response="0", qop=auth, nc=00000001)");
            }).find("'cnonce': missing"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_credentials(R"(Digest username="u", username*=UTF-8''u, )"
                                R"(realm="r", nonce="n", uri="x", response="0")");
            }).find("'username*'"),
            std::string::npos);
}

TEST(DigestHeader, Credentials) {
  const auto c = parse_credentials(
      R"(Digest username="alice", realm="sip.example.org", nonce="abc", uri="sip:sip.example.org", )"
      R"(response="6629fae49393a05397450978507c4ef1", algorithm=MD5, cnonce="0a4f113b", )"
      R"(opaque="op", qop=auth, nc=00000001)");
  EXPECT_EQ(c.username, "alice");
  EXPECT_EQ(c.uri, "sip:sip.example.org");
  EXPECT_EQ(c.qop, "auth");
  EXPECT_EQ(c.nc, "00000001");
  EXPECT_EQ(c.cnonce, "0a4f113b");
  EXPECT_EQ(c.opaque, "op");
  // Formatting gives the RFC's quoting (nc, qop and algorithm bare), and parses back.
  const std::string text = format_credentials(c);
  EXPECT_EQ(text, R"(Digest username="alice", realm="sip.example.org", nonce="abc", )"
                  R"(uri="sip:sip.example.org", response="6629fae49393a05397450978507c4ef1", )"
                  R"(algorithm=MD5, cnonce="0a4f113b", opaque="op", qop=auth, nc=00000001)");
  const auto again = parse_credentials(text);
  EXPECT_EQ(again.response, c.response);
  EXPECT_EQ(again.nc, c.nc);
}

// RFC 7616 §3.9.2: a non-ASCII user goes as username*.
TEST(DigestHeader, ExtendedUsername) {
  DigestCredentials c;
  c.username = "J\xc3\xa4s\xc3\xb8n Doe";
  c.realm = "api@example.org";
  c.nonce = "n";
  c.uri = "/doe.json";
  c.response = "0";
  const std::string text = format_credentials(c);
  EXPECT_NE(text.find("username*=UTF-8''J%C3%A4s%C3%B8n%20Doe"), std::string::npos) << text;
  const auto parsed = parse_credentials(text);
  EXPECT_EQ(parsed.username, c.username);
  EXPECT_TRUE(parsed.username_extended);
}

TEST(DigestHeader, ChallengeFormatFollowsFlexisip) {
  DigestChallenge c;
  c.realm = "sip.example.org";
  c.nonce = "N";
  c.opaque = "O";
  c.stale = true;
  c.algorithm = "SHA-256";
  c.qop = {"auth"};
  EXPECT_EQ(format_challenge(c), R"(Digest realm="sip.example.org", nonce="N", opaque="O", )"
                                 R"(stale=true, algorithm=SHA-256, qop="auth")");
}

// algorithm, qop and nc were written verbatim: values parsed from a hostile header (quoted
// there) formatted into a header with parameters of their own, or one that did not parse.
TEST(DigestHeader, FormattedValuesParseBackTheSameAndAddNoParameter) {
  const auto c = parse_credentials(
      R"(Digest username="bob", realm="r", nonce="n", uri="sip:r", response="0", )"
      R"(algorithm="MD5, opaque=forged", qop="auth, x=1", cnonce="c", nc="00000001, y=2")");
  const auto again = parse_credentials(format_credentials(c));
  EXPECT_EQ(again.algorithm, "MD5, opaque=forged");
  EXPECT_EQ(again.opaque, "");
  EXPECT_EQ(again.qop, "auth, x=1");
  EXPECT_EQ(again.nc, "00000001, y=2");

  DigestChallenge challenge;
  challenge.realm = "r";
  challenge.nonce = "n";
  challenge.algorithm = "SHA-256 stale=true";
  const auto challenges = parse_challenges(format_challenge(challenge));
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].algorithm, challenge.algorithm);
  EXPECT_FALSE(challenges[0].stale);
  // A qop option is read back split on ',' and trimmed: one that is not a token is refused.
  challenge.qop = {"auth,auth-int"};
  EXPECT_THROW(format_challenge(challenge), Error);
  challenge.qop = {"auth", "auth-int"};
  EXPECT_EQ(parse_challenges(format_challenge(challenge))[0].qop, challenge.qop);
  // A CR or LF would end the header line and start another.
  challenge.realm = "r\r\nContact: <sip:evil>";
  EXPECT_THROW(format_challenge(challenge), Error);
  DigestCredentials control = c;
  control.username = "bob\r\nX: y"; // a name goes as username*, percent-encoded
  EXPECT_EQ(parse_credentials(format_credentials(control)).username, control.username);
  control.nonce = "n\n";
  EXPECT_THROW(format_credentials(control), Error);
}

// Garbage gets a sipcred::Error or a result, never a crash or another exception.
TEST(DigestHeader, GarbageNeverCrashes) {
  std::mt19937 random(42);
  const std::string alphabet = "Digest realm=\"\\, \t=nonce\"abc";
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    const int length = static_cast<int>(random() % 40);
    for (int j = 0; j < length; ++j)
      text += random() % 4 ? alphabet[random() % alphabet.size()] : static_cast<char>(random());
    try {
      parse_challenges(text);
    } catch (const Error&) {
    }
    try {
      parse_credentials(text);
    } catch (const Error&) {
    }
  }
}

} // namespace
