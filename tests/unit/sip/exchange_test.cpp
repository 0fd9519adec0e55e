#include "sipcred/sip/exchange.hpp"
#include "sipcred/util/error.hpp"

#include <gtest/gtest.h>

using namespace sipcred;

namespace {

ClientRequest client(std::string username, std::string password) {
  ClientRequest request;
  request.username = std::move(username);
  request.password = std::move(password);
  request.method = "REGISTER";
  request.uri = "sip:biloxi.com";
  return request;
}

// The vectors of digest_test.cpp (python3 tests/unit/digest/digest_vectors.py), reached through a
// parsed challenge and the client side: the same responses must come out.
TEST(Exchange, RespondMatchesIndependentVectors) {
  struct Case {
    const char* algorithm;
    const char* qop;
    const char* response;
  } cases[] = {
      {"MD5", "", "370d70cace7af67ac98701ce5528a6a7"},
      {"MD5", "auth", "d093b282036953973abf984b7314e035"},
      {"MD5-sess", "auth-int", "5bc2722a19fdab8b012f723dcdd29483"},
      {"SHA-256", "auth", "4e85d71528d57900cbbd8965d0134ef4a8c1ba9c885d90ed934d70f1450cc707"},
      {"SHA-256-sess", "auth", "7082e163b339d3060b3c4a6c5f7fe1ab4144ab2470ddfd13b001a1905c94d834"},
      {"SHA-512-256", "", "560d50bd4800b5c88b5183805799b52818934abdd4d34f74ad6f5aec0ac2be71"},
      {"SHA-512-256", "auth-int",
       "8cfb28d909e9baa7014c11f0815e89324513e1eee341b4c814a396dfe112bbff"},
  };
  for (const Case& c : cases) {
    std::string header = std::string("Digest realm=\"testrealm@host.com\", ") +
                         "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", algorithm=" + c.algorithm;
    if (*c.qop) header += std::string(", qop=\"") + c.qop + "\"";
    ClientRequest request;
    request.username = "Mufasa";
    request.password = "Circle Of Life";
    request.method = "REGISTER";
    request.uri = "sip:biloxi.com";
    request.body = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n";
    request.body_given = std::string_view(c.qop) == "auth-int";
    request.cnonce = "0a4f113b";
    const DigestCredentials answer = respond(parse_challenges(header), request);
    EXPECT_EQ(answer.response, c.response) << c.algorithm << " " << c.qop;
    EXPECT_EQ(answer.qop, c.qop);
    // What goes on the wire parses back to the same credentials.
    EXPECT_EQ(parse_credentials(format_credentials(answer)).response, answer.response);
  }
}

TEST(Exchange, RespondTakesTheTopmostKnownChallenge) {
  const auto challenges =
      parse_challenges(R"(Digest realm="r", nonce="n", algorithm=SHA-1, qop="auth", )"
                       R"(Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth", )"
                       R"(Digest realm="r", nonce="n", algorithm=MD5, qop="auth")");
  ClientRequest request = client("alice", "pw");
  EXPECT_EQ(respond(challenges, request).algorithm, "SHA-256");
  request.algorithm = Algorithm{HashFunction::Md5, false};
  EXPECT_EQ(respond(challenges, request).algorithm, "MD5");
  request.algorithm = Algorithm{HashFunction::Sha512_256, false};
  EXPECT_THROW(respond(challenges, request), Error);
}

class Verify : public ::testing::Test {
protected:
  void SetUp() override {
    std::vector<Diagnostic> diagnostics;
    m_store = userdb::Document::parse("version:1\n"
                                      "alice@biloxi.com clrtxt:pw ;\n"
                                      "bob@biloxi.com md5:" +
                                          ha1(HashFunction::Md5, "bob", "biloxi.com", "pw2") +
                                          " ;\n"
                                          "carol@biloxi.com clrtxt:pw3 ; carol-id\n",
                                      diagnostics);
    ASSERT_TRUE(diagnostics.empty());
  }

  Verdict answer_and_verify(const std::string& challenge, const ClientRequest& request) {
    return verify(respond(parse_challenges(challenge), request), "REGISTER", request.body, m_store);
  }

  userdb::Document m_store;
};

TEST_F(Verify, RespondAndVerifyAgree) {
  for (const char* algorithm : {"MD5", "SHA-256", "SHA-512-256", "MD5-sess", "SHA-256-sess"})
    for (const char* qop : {"", "auth", "auth-int"}) {
      if (std::string_view(algorithm).ends_with("-sess") && !*qop) continue;
      std::string challenge = std::string(R"(Digest realm="biloxi.com", nonce="xyz", )") +
                              "algorithm=" + algorithm +
                              (*qop ? std::string(", qop=\"") + qop + "\"" : "");
      ClientRequest request = client("alice", "pw");
      request.body = "body";
      request.body_given = true;
      const Verdict verdict = answer_and_verify(challenge, request);
      EXPECT_TRUE(verdict.accepted) << algorithm << " " << qop << ": " << verdict.reason;
      EXPECT_EQ(verdict.line, 2u);
      request.password = "wrong";
      EXPECT_FALSE(answer_and_verify(challenge, request).accepted) << algorithm << " " << qop;
    }
}

TEST_F(Verify, ReasonsAnAdministratorActsOn) {
  const std::string md5 = R"(Digest realm="biloxi.com", nonce="n", qop="auth")";
  const std::string sha256 =
      R"(Digest realm="biloxi.com", nonce="n", algorithm=SHA-256, qop="auth")";
  EXPECT_TRUE(answer_and_verify(md5, client("bob", "pw2")).accepted);
  EXPECT_NE(answer_and_verify(sha256, client("bob", "pw2")).reason.find("no SHA-256 hash"),
            std::string::npos);
  EXPECT_NE(answer_and_verify(md5, client("bob", "nope")).reason.find("wrong password"),
            std::string::npos);
  EXPECT_NE(answer_and_verify(md5, client("dave", "x")).reason.find("unknown user"),
            std::string::npos);
  EXPECT_NE(
      answer_and_verify(R"(Digest realm="other", nonce="n", qop="auth")", client("alice", "pw"))
          .reason.find("realm mismatch"),
      std::string::npos);
  // The digest username of carol is her user-id; Flexisip hashes her clear text with the user
  // ("carol"), so a client that hashes its username "carol-id" is refused, as by Flexisip.
  EXPECT_FALSE(answer_and_verify(md5, client("carol-id", "pw3")).accepted);
}

TEST_F(Verify, Userhash) {
  ClientRequest request = client("alice", "pw");
  request.userhash = true;
  const Verdict verdict =
      answer_and_verify(R"(Digest realm="biloxi.com", nonce="n", algorithm=SHA-256, qop="auth", )"
                        R"(userhash=true)",
                        request);
  EXPECT_TRUE(verdict.accepted) << verdict.reason;
}

} // namespace
