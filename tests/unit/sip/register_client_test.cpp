#include "sipcred/sip/digest_header.hpp"
#include "sipcred/sip/register_client.hpp"
#include "sipcred/util/error.hpp"

#include <gtest/gtest.h>

using namespace sipcred;

namespace {

RegisterSettings settings() {
  RegisterSettings s;
  s.aor = parse_sip_uri("sip:alice@biloxi.com:5070");
  s.password = "Circle Of Life";
  s.local_host = "127.0.0.1";
  s.local_port = 40000;
  return s;
}

// The answer of a server to `request`: its transaction headers and `extra` headers.
SipMessage answer(const SipMessage& request, int status, const std::string& reason,
                  const std::vector<std::pair<std::string, std::string>>& extra = {}) {
  SipMessage response = make_response(request, status, reason, "srv");
  for (const auto& [name, value] : extra) response.add_header(name, value);
  // Through the wire and back, as the tool sees it.
  return parse_sip_message(response.format());
}

const std::string challenge = R"(Digest realm="biloxi.com", nonce="n1", algorithm=MD5, qop="auth")";
const std::string stale =
    R"(Digest realm="biloxi.com", nonce="n2", stale=TRUE, algorithm=MD5, qop="auth")";

TEST(RegisterClient, FirstRequestHasWhatRfc3261Asks) {
  RegisterClient client(settings());
  const SipMessage r = parse_sip_message(client.first_request().format());
  EXPECT_EQ(r.start_line(), "REGISTER sip:biloxi.com:5070 SIP/2.0");
  EXPECT_TRUE(header_parameter(*r.header("Via"), "branch").starts_with("z9hG4bK"));
  EXPECT_TRUE(r.header("Via")->starts_with("SIP/2.0/UDP 127.0.0.1:40000;"));
  EXPECT_FALSE(header_parameter(*r.header("From"), "tag").empty());
  EXPECT_EQ(name_addr_uri(*r.header("To")), "sip:alice@biloxi.com");
  EXPECT_EQ(r.header("CSeq"), "1 REGISTER");
  EXPECT_EQ(r.header("Max-Forwards"), "70");
  EXPECT_EQ(r.header("Contact"), "<sip:alice@127.0.0.1:40000>");
  EXPECT_EQ(r.header("Expires"), "3600");
  EXPECT_EQ(r.header("Content-Length"), "0");
  EXPECT_FALSE(r.header("Authorization"));
}

TEST(RegisterClient, AnswersAChallengeOnceWithTheNextCSeq) {
  RegisterClient client(settings());
  const SipMessage first = client.first_request();
  const auto next =
      client.on_response(answer(first, 401, "Unauthorized", {{"WWW-Authenticate", challenge}}));
  ASSERT_EQ(next.step, RegisterClient::Step::Send);
  EXPECT_EQ(next.request.header("CSeq"), "2 REGISTER");
  EXPECT_EQ(next.request.header("Call-ID"), first.header("Call-ID"));
  EXPECT_EQ(next.request.header("From"), first.header("From"));
  EXPECT_NE(header_parameter(*next.request.header("Via"), "branch"),
            header_parameter(*first.header("Via"), "branch"));
  const DigestCredentials c = parse_credentials(*next.request.header("Authorization"));
  EXPECT_EQ(c.username, "alice");
  EXPECT_EQ(c.uri, "sip:biloxi.com:5070");
  EXPECT_EQ(c.nonce, "n1");
  EXPECT_EQ(next.request.format().find("Circle"), std::string::npos);
  // A second non-stale challenge: refused.
  const auto again = client.on_response(
      answer(next.request, 401, "Unauthorized", {{"WWW-Authenticate", challenge}}));
  EXPECT_EQ(again.step, RegisterClient::Step::Rejected);
}

TEST(RegisterClient, FollowsStaleOnce) {
  RegisterClient client(settings());
  auto next =
      client.on_response(answer(client.first_request(), 407, "Proxy Authentication Required",
                                {{"Proxy-Authenticate", challenge}}));
  ASSERT_EQ(next.step, RegisterClient::Step::Send);
  EXPECT_TRUE(next.request.header("Proxy-Authorization"));
  next = client.on_response(
      answer(next.request, 407, "Proxy Authentication Required", {{"Proxy-Authenticate", stale}}));
  ASSERT_EQ(next.step, RegisterClient::Step::Send);
  EXPECT_EQ(next.request.header("CSeq"), "3 REGISTER");
  EXPECT_EQ(parse_credentials(*next.request.header("Proxy-Authorization")).nonce, "n2");
  next = client.on_response(
      answer(next.request, 407, "Proxy Authentication Required", {{"Proxy-Authenticate", stale}}));
  EXPECT_EQ(next.step, RegisterClient::Step::Rejected);
}

TEST(RegisterClient, FinalAnswersAndStrays) {
  RegisterClient client(settings());
  const SipMessage first = client.first_request();
  EXPECT_EQ(client.on_response(answer(first, 100, "Trying")).step, RegisterClient::Step::Wait);
  SipMessage stray = answer(first, 200, "OK");
  stray.remove_header("Call-ID");
  stray.add_header("Call-ID", "someone-else");
  EXPECT_EQ(client.on_response(stray).step, RegisterClient::Step::Wait);
  EXPECT_EQ(client.on_response(answer(first, 403, "Forbidden")).step,
            RegisterClient::Step::Rejected);
  EXPECT_EQ(client.on_response(answer(first, 200, "OK")).step, RegisterClient::Step::Done);
  // A challenge no algorithm of which is known, or none at all: malformed for this client.
  EXPECT_THROW(client.on_response(answer(
                   first, 401, "Unauthorized",
                   {{"WWW-Authenticate", R"(Digest realm="r", nonce="n", algorithm=SHA-1)"}})),
               Error);
  EXPECT_THROW(client.on_response(answer(first, 401, "Unauthorized")), Error);
}

} // namespace
