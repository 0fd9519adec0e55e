#include "sipcred/registrar.hpp"

#include "sipcred/error.hpp"
#include "sipcred/user_edit.hpp"

namespace sipcred {

UserIndex::UserIndex(const userdb::Document& document) : m_document(document) {
  const auto& lines = document.lines();
  m_by_auth_user.reserve(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i)
    if (lines[i].kind == userdb::LineKind::Auth)
      m_by_auth_user[userdb::auth_user_of(lines[i].entry)] = i; // the last line wins
}

const userdb::Line* UserIndex::find(std::string_view auth_user, std::size_t* line_number) const {
  const auto found = m_by_auth_user.find(std::string(auth_user));
  if (found == m_by_auth_user.end()) return nullptr;
  if (line_number) *line_number = found->second + 1;
  return &m_document.lines()[found->second];
}

std::vector<std::string> clear_text_realm_mismatches(const userdb::Document& document,
                                                     std::string_view realm) {
  std::vector<std::string> found;
  const auto& lines = document.lines();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].kind != userdb::LineKind::Auth || lines[i].entry.domain == realm) continue;
    for (const userdb::CredentialToken* token : lines[i].entry.effective_credentials())
      if (token->type == userdb::CredentialType::ClearText) {
        found.push_back(std::to_string(i + 1) + ": " + lines[i].entry.identity());
        break;
      }
  }
  return found;
}

Registrar::Registrar(AuthSettings settings, const userdb::Document& store)
    : m_settings(std::move(settings)), m_store(store), m_users(store),
      m_nonces(m_settings.nonce_expires), m_opaque(random_nonce(8)) {
  if (m_settings.algorithms.empty())
    throw Error(ErrorKind::Usage, "a registrar needs at least one algorithm");
}

// As Flexisip: the configured algorithms the user has a credential for, in configured order;
// all of them for an unknown user or one with none of them (so that nothing tells an
// unknown user from a known one).
std::vector<Algorithm> Registrar::algorithms_for(std::string_view user) const {
  std::vector<Algorithm> offered;
  if (const userdb::Line* line = m_users.find(user)) {
    bool md5 = false, sha256 = false;
    for (const userdb::CredentialToken* token : line->entry.effective_credentials()) {
      if (token->type == userdb::CredentialType::ClearText) md5 = sha256 = true; // derived
      if (token->type == userdb::CredentialType::Md5) md5 = true;
      if (token->type == userdb::CredentialType::Sha256) sha256 = true;
    }
    for (const Algorithm& algorithm : m_settings.algorithms)
      if ((algorithm.hash == HashFunction::Md5 && md5) ||
          (algorithm.hash == HashFunction::Sha256 && sha256))
        offered.push_back(algorithm);
  }
  return offered.empty() ? m_settings.algorithms : offered;
}

SipMessage Registrar::challenge(const SipMessage& request, std::string_view realm, bool stale,
                                std::string_view user, Clock::time_point now,
                                std::string& offered) {
  const bool proxy = request.method != "REGISTER";
  SipMessage response =
      make_response(request, proxy ? 407 : 401,
                    proxy ? "Proxy Authentication Required" : "Unauthorized", random_nonce(6));
  DigestChallenge c;
  c.realm = std::string(realm);
  c.nonce = m_nonces.issue(now);
  c.opaque = m_opaque;
  c.stale = stale;
  if (!m_settings.disable_qop_auth) c.qop = {"auth"};
  for (const Algorithm& algorithm : algorithms_for(user)) {
    c.algorithm = algorithm_name(algorithm);
    response.add_header(proxy ? "Proxy-Authenticate" : "WWW-Authenticate", format_challenge(c));
    offered += (offered.empty() ? "" : ",") + c.algorithm;
  }
  return response;
}

namespace {

std::string short_status(const SipMessage& response) {
  return std::to_string(response.status) + " " + response.reason;
}

// The 200 OK of an accepted REGISTER: its bindings, each with the expiry granted.
void add_bindings(const SipMessage& request, SipMessage& response) {
  const std::string expires(request.header("Expires").value_or("3600"));
  for (std::string_view contact : request.headers_named("Contact")) {
    if (contact == "*") continue;
    std::string value(contact);
    if (header_parameter(value, "expires").empty()) value += ";expires=" + expires;
    response.add_header("Contact", value);
  }
}

} // namespace

Registrar::Outcome Registrar::handle(const SipMessage& request, Clock::time_point now) {
  Outcome out;
  const std::string from_uri(name_addr_uri(request.header("From").value_or("")));
  const std::string what = request.method + " " + from_uri;
  const std::string tag = random_nonce(6);
  auto respond_with = [&](SipMessage response, const std::string& verdict) {
    out.log = what + ": " + verdict + " -> " + short_status(response);
    out.response = std::move(response);
    return std::move(out);
  };

  // Flexisip never challenges these: an ACK has no response, and CANCEL and BYE belong to
  // dialogs this registrar does not hold.
  if (request.method == "ACK") {
    out.log = what + ": not challenged, no response";
    return out;
  }
  if (request.method == "CANCEL" || request.method == "BYE")
    return respond_with(make_response(request, 481, "Call/Transaction Does Not Exist", tag),
                        "not challenged");

  SipUri from;
  try {
    from = parse_sip_uri(from_uri);
  } catch (const Error& e) {
    return respond_with(make_response(request, 400, "Bad From", tag), e.what());
  }
  const std::string realm = m_settings.realm.empty() ? from.host : m_settings.realm;
  const std::string user = userdb::url_unescape(from.user);
  const bool proxy = request.method != "REGISTER";

  // The credentials for this realm; credentials for other realms belong to other servers.
  std::optional<DigestCredentials> credentials;
  for (std::string_view value :
       request.headers_named(proxy ? "Proxy-Authorization" : "Authorization")) {
    try {
      DigestCredentials c = parse_credentials(value);
      if (c.realm == realm) {
        credentials = std::move(c);
        break;
      }
    } catch (const Error& e) {
      return respond_with(make_response(request, 400, "Bad Authorization", tag),
                          std::string("bad credentials: ") + e.what());
    }
  }
  std::string offered;
  auto rechallenge = [&](bool stale, const std::string& verdict) {
    SipMessage response = challenge(request, realm, stale, user, now, offered);
    return respond_with(std::move(response),
                        verdict + " (challenge " + offered + (stale ? ", stale" : "") + ")");
  };
  if (!credentials) return rechallenge(false, "no credentials");

  const std::string who = what + " [username " + credentials->username + ", " +
                          (credentials->algorithm.empty() ? "MD5" : credentials->algorithm) + "]";
  auto reject = [&](const std::string& reason) {
    if (m_settings.no_403) {
      SipMessage response = challenge(request, realm, false, user, now, offered);
      out.log = who + ": rejected: " + reason + " -> " + short_status(response) + " (no-403)";
      out.response = std::move(response);
      return std::move(out);
    }
    SipMessage response = make_response(request, 403, "Forbidden", tag);
    out.log = who + ": rejected: " + reason + " -> " + short_status(response);
    out.response = std::move(response);
    return std::move(out);
  };
  auto challenge_again = [&](bool stale, const std::string& why) {
    SipMessage response = challenge(request, realm, stale, user, now, offered);
    out.log = who + ": " + why + " -> " + short_status(response) + " (challenge " + offered +
              (stale ? ", stale" : "") + ")";
    out.response = std::move(response);
    return std::move(out);
  };

  // The client's algorithm (absent: MD5) must be one the server offers.
  const std::optional<Algorithm> algorithm = credentials->parsed_algorithm();
  bool allowed = false;
  for (const Algorithm& a : m_settings.algorithms)
    allowed = allowed || (algorithm && *algorithm == a);
  if (!allowed)
    return reject("algorithm " + (credentials->algorithm.empty() ? "MD5" : credentials->algorithm) +
                  " not available");

  switch (
      m_nonces.check(credentials->nonce, credentials->qop.empty() ? "" : credentials->nc, now)) {
  case NonceStore::State::Unknown: return challenge_again(false, "unknown nonce");
  case NonceStore::State::Expired: return challenge_again(true, "nonce expired");
  case NonceStore::State::Replayed:
    return challenge_again(false, "nc " + credentials->nc + " replayed");
  case NonceStore::State::BadNc: return reject("bad nc '" + credentials->nc + "'");
  case NonceStore::State::Fresh: break;
  }

  Verdict verdict;
  std::size_t line_number = 0;
  if (credentials->userhash) // H(user:realm) cannot be indexed before the realm is known
    verdict = verify(*credentials, request.method, request.body, m_store);
  else if (const userdb::Line* line = m_users.find(credentials->username, &line_number))
    verdict = verify_entry(*credentials, request.method, request.body, line->entry, line_number);
  else
    verdict = {false, "unknown user '" + credentials->username + "'", 0};
  if (!verdict.accepted)
    return reject(verdict.reason +
                  (verdict.line ? " (line " + std::to_string(verdict.line) + ")" : ""));

  out.accepted = true;
  SipMessage response = proxy && request.method != "OPTIONS"
                            ? make_response(request, 480, "Temporarily Unavailable", tag)
                            : make_response(request, 200, "OK", tag);
  if (!proxy) add_bindings(request, response);
  out.log =
      who + ": accepted (line " + std::to_string(verdict.line) + ") -> " + short_status(response);
  out.response = std::move(response);
  return out;
}

} // namespace sipcred
