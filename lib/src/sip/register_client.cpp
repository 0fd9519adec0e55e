#include "sipcred/sip/register_client.hpp"

#include "sipcred/sip/digest_header.hpp"
#include "sipcred/sip/exchange.hpp"
#include "sipcred/userdb/userdb.hpp"
#include "sipcred/util/error.hpp"

#include <charconv>

namespace sipcred {

namespace {

std::string host_text(std::string_view host) {
  return host.find(':') == std::string_view::npos ? std::string(host)
                                                  : "[" + std::string(host) + "]";
}

// The CSeq number of a response, 0 when unreadable.
unsigned cseq_number(const SipMessage& message) {
  const std::string_view cseq = message.header("CSeq").value_or("");
  unsigned value = 0;
  std::from_chars(cseq.data(), cseq.data() + cseq.size(), value);
  return value;
}

} // namespace

RegisterClient::RegisterClient(RegisterSettings settings)
    : m_settings(std::move(settings)), m_call_id(random_nonce(12)), m_from_tag(random_nonce(6)) {
  if (m_settings.auth_user.empty())
    m_settings.auth_user = userdb::url_unescape(m_settings.aor.user);
}

// The registrar's domain, as RFC 3261 §10.2 asks, with the port given; another request goes
// to the AOR itself.
std::string RegisterClient::request_uri() const {
  const SipUri& aor = m_settings.aor;
  return aor.scheme + ":" + (m_settings.method == "REGISTER" ? std::string() : aor.user + "@") +
         host_text(aor.host) + (aor.port ? ":" + std::to_string(*aor.port) : std::string());
}

SipMessage RegisterClient::make_request() {
  ++m_cseq;
  m_branch = "z9hG4bK" + random_nonce(10); // a new transaction each time (RFC 3261 §8.1.1.7)
  const SipUri& aor = m_settings.aor;
  const std::string local =
      host_text(m_settings.local_host) + ":" + std::to_string(m_settings.local_port);
  const std::string aor_text = aor.scheme + ":" + aor.user + "@" + host_text(aor.host);
  SipMessage m;
  m.method = m_settings.method;
  m.uri = request_uri();
  m.add_header("Via",
               "SIP/2.0/" + m_settings.transport + " " + local + ";branch=" + m_branch + ";rport");
  m.add_header("Max-Forwards", "70");
  m.add_header("From", "<" + aor_text + ">;tag=" + m_from_tag);
  m.add_header("To", "<" + aor_text + ">");
  m.add_header("Call-ID", m_call_id);
  m.add_header("CSeq", std::to_string(m_cseq) + " " + m_settings.method);
  std::string contact = "<sip:" + aor.user + "@" + local;
  if (m_settings.transport != "UDP") contact += ";transport=tcp";
  m.add_header("Contact", contact + ">");
  if (m_settings.method == "REGISTER") m.add_header("Expires", std::to_string(m_settings.expires));
  m.add_header("User-Agent", m_settings.user_agent);
  if (!m_authorization.empty()) m.add_header(m_authorization_name, m_authorization);
  return m;
}

SipMessage RegisterClient::first_request() {
  m_cseq = 0;
  m_answers = 0;
  m_followed_stale = false;
  m_authorization.clear();
  return make_request();
}

RegisterClient::Next RegisterClient::on_response(const SipMessage& response) {
  Next next;
  // Only the answer to the request in flight counts: same Call-ID, CSeq and branch.
  const std::string_view via = response.header("Via").value_or("");
  if (response.header("Call-ID").value_or("") != m_call_id || cseq_number(response) != m_cseq ||
      header_parameter(via, "branch") != m_branch) {
    next.why = "a response to another request, ignored";
    return next;
  }
  if (response.status < 200) return next;
  if (response.status < 300) {
    next.step = Step::Done;
    return next;
  }
  if (response.status == 401 || response.status == 407) {
    const bool proxy = response.status == 407;
    std::vector<DigestChallenge> challenges;
    for (std::string_view value :
         response.headers_named(proxy ? "Proxy-Authenticate" : "WWW-Authenticate"))
      for (DigestChallenge& c : parse_challenges(value)) challenges.push_back(std::move(c));
    if (challenges.empty())
      throw Error(ErrorKind::DataError, std::to_string(response.status) + " without a Digest " +
                                            (proxy ? "Proxy-Authenticate" : "WWW-Authenticate"));
    const auto chosen = choose_challenge(challenges, m_settings.algorithm);
    if (!chosen)
      throw Error(ErrorKind::DataError,
                  m_settings.algorithm
                      ? "no challenge with algorithm " + algorithm_name(*m_settings.algorithm)
                      : "no challenge with an algorithm this client knows");
    // A second challenge after credentials means they were refused, unless the server only
    // found the nonce stale (RFC 7616 §3.3): then the same password once more.
    if (m_answers > 0) {
      if (!challenges[*chosen].stale || m_followed_stale) {
        next.step = Step::Rejected;
        next.why = "challenged again after credentials";
        return next;
      }
      m_followed_stale = true;
    }
    ClientRequest client;
    client.username = m_settings.auth_user;
    client.password = m_settings.password;
    client.method = m_settings.method;
    client.uri = request_uri();
    client.algorithm = m_settings.algorithm;
    m_authorization_name = proxy ? "Proxy-Authorization" : "Authorization";
    m_authorization = format_credentials(respond({challenges[*chosen]}, client));
    ++m_answers;
    next.step = Step::Send;
    next.request = make_request();
    return next;
  }
  next.step = Step::Rejected;
  return next;
}

} // namespace sipcred
