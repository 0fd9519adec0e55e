#include "sipcred/sip/registrar.hpp"

#include "util/bounded_regex.hpp"

#include "sipcred/sip/exchange.hpp"
#include "sipcred/userdb/userdb.hpp"
#include "sipcred/util/error.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>

namespace sipcred {

bool domain_allowed(const std::vector<std::string>& auth_domains, std::string_view domain) {
  const auto listed = [&](std::string_view entry) {
    return std::find(auth_domains.begin(), auth_domains.end(), entry) != auth_domains.end();
  };
  if (listed(domain) || listed("*")) return true;
  // Flexisip's own test for an entry such as '*.example.org': each side of the '*' found
  // anywhere in the domain (so it is looser than a suffix match; sipcred-lint says so).
  for (const std::string& entry : auth_domains) {
    const std::size_t star = entry.find('*');
    if (star == std::string::npos) continue;
    if (domain.find(std::string_view(entry).substr(0, star)) != std::string_view::npos &&
        domain.find(std::string_view(entry).substr(star + 1)) != std::string_view::npos)
      return true;
  }
  return false;
}

bool algorithm_available(const AuthSettings& settings, const DigestCredentials& credentials) {
  const std::optional<Algorithm> algorithm = credentials.parsed_algorithm();
  return algorithm && std::find(settings.algorithms.begin(), settings.algorithms.end(),
                                *algorithm) != settings.algorithms.end();
}

std::vector<std::string> clear_text_realm_mismatches(Store& store, std::string_view realm) {
  std::vector<std::string> found;
  store.read([&](Account&& account) {
    if (account.clear_text() && account.domain != realm)
      found.push_back(std::to_string(account.line) + ": " + account.identity());
  });
  return found;
}

Registrar::Registrar(AuthSettings settings, Store& store)
    : m_settings(std::move(settings)), m_store(store), m_nonces(m_settings.nonce_expires),
      m_opaque(random_nonce(8)) {
  if (m_settings.algorithms.empty())
    throw Error(ErrorKind::Usage, "a registrar needs at least one algorithm");
  if (!m_settings.realm_regex.empty()) {
    if (const std::optional<RegexRefusal> refused = refuse_regex(m_settings.realm_regex))
      throw Error(ErrorKind::Usage, "realm-regex is not compiled: " + refused->reason +
                                        " at byte " + std::to_string(refused->offset + 1));
    try {
      m_realm_regex.emplace(m_settings.realm_regex);
    } catch (const std::regex_error& e) {
      throw Error(ErrorKind::Usage,
                  "realm-regex '" + m_settings.realm_regex + "' is not a valid regex: " + e.what());
    }
  }
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

// What follows authentication: a REGISTER is bound (200), an OPTIONS answered (200), any
// other request would be routed to a callee this registrar does not have (480).
SipMessage passed_response(const SipMessage& request, std::string_view tag) {
  if (request.method == "REGISTER") {
    SipMessage response = make_response(request, 200, "OK", tag);
    add_bindings(request, response);
    return response;
  }
  return request.method == "OPTIONS" ? make_response(request, 200, "OK", tag)
                                     : make_response(request, 480, "Temporarily Unavailable", tag);
}

// An IP address in a comparable form (IPv4 and IPv6 texts that name the same address agree);
// empty when `text` is not an address.
std::string binary_ip(std::string_view text) {
  const std::string address(text);
  std::array<unsigned char, 16> bytes{};
  if (::inet_pton(AF_INET, address.c_str(), bytes.data()) == 1)
    return std::string(reinterpret_cast<const char*>(bytes.data()), 4);
  if (::inet_pton(AF_INET6, address.c_str(), bytes.data()) == 1)
    return std::string(reinterpret_cast<const char*>(bytes.data()), 16);
  return {};
}

} // namespace

bool is_ip_address(std::string_view text) { return !binary_ip(text).empty(); }

bool Registrar::trusted(std::string_view source) const {
  const std::string address = binary_ip(source);
  if (address.empty()) return false;
  return std::any_of(m_settings.trusted_hosts.begin(), m_settings.trusted_hosts.end(),
                     [&](const std::string& host) { return binary_ip(host) == address; });
}

std::optional<std::string> Registrar::realm_of(const std::string& user_uri,
                                               const SipUri& uri) const {
  if (!m_realm_regex) return m_settings.realm.empty() ? uri.host : m_settings.realm;
  // std::regex_search recurses once or more per byte: a From URI of some 30,000 bytes, which
  // fits one datagram, overflowed the stack. Longer than this, no realm (as no match).
  if (user_uri.size() > max_regex_subject) return std::nullopt;
  std::smatch match;
  if (!std::regex_search(user_uri, match, *m_realm_regex)) return std::nullopt;
  std::string realm = match.size() > 1 ? match.str(1) : match.str(0);
  if (realm.empty()) return std::nullopt;
  return realm;
}

// The passwords of `user` as Flexisip's backend gives them, or nullopt. With the file backend,
// Flexisip never loaded a line whose domain auth-domains does not list exactly (or with '*').
namespace {
std::optional<Account> find_account(Store& store, const AuthSettings& settings,
                                    const Account& wanted) {
  if (settings.file_backend && settings.auth_domains) {
    const auto& domains = *settings.auth_domains;
    if (std::find(domains.begin(), domains.end(), wanted.domain) == domains.end() &&
        std::find(domains.begin(), domains.end(), "*") == domains.end())
      return std::nullopt;
  }
  return store.lookup(wanted);
}
} // namespace

// As Flexisip: the configured algorithms the user has a credential for, in configured order;
// all of them for an unknown user or one with none of them (so that nothing tells an
// unknown user from a known one).
std::vector<Algorithm> Registrar::algorithms_for(const Account& user) {
  std::vector<Algorithm> offered;
  if (const std::optional<Account> account = find_account(m_store, m_settings, user)) {
    for (const Algorithm& algorithm : m_settings.algorithms)
      if (std::any_of(account->credentials.begin(), account->credentials.end(),
                      [&](const Credential& c) { return c.hash == algorithm.hash; }))
        offered.push_back(algorithm);
  }
  return offered.empty() ? m_settings.algorithms : offered;
}

SipMessage Registrar::challenge(const SipMessage& request, std::string_view realm, bool stale,
                                const Account& user, Clock::time_point now, std::string& offered) {
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

Registrar::Outcome Registrar::handle(const SipMessage& request, Clock::time_point now,
                                     std::string_view source) {
  try {
    return respond(request, now, source);
  } catch (const Error& e) { // Flexisip's AUTH_ERROR: the backend failed, 500
    if (e.kind() != ErrorKind::DataError && e.kind() != ErrorKind::Unavailable) throw;
    Outcome out;
    out.reason = std::string("the store failed: ") + e.what();
    out.response = make_response(request, 500, "Internal error", random_nonce(6));
    out.log = request.method + " " +
              std::string(name_addr_uri(request.header("From").value_or(""))) + ": " + out.reason +
              " -> 500 Internal error";
    return out;
  }
}

Registrar::Outcome Registrar::respond(const SipMessage& request, Clock::time_point now,
                                      std::string_view source) {
  Outcome out;
  // Flexisip authenticates the P-Preferred-Identity when there is one, else the From.
  const std::optional<std::string_view> preferred = request.header("P-Preferred-Identity");
  const std::string user_uri(
      name_addr_uri(preferred ? *preferred : request.header("From").value_or("")));
  const std::string what = request.method + " " + user_uri;
  const std::string tag = random_nonce(6);
  std::string who = what;
  auto finish = [&](SipMessage response, const std::string& reason, const std::string& note = "") {
    out.reason = reason;
    out.log = who + ": " + reason + " -> " + short_status(response) + note;
    out.response = std::move(response);
    return std::move(out);
  };

  // Flexisip never challenges these: an ACK has no response, and CANCEL and BYE belong to
  // dialogs this registrar does not hold.
  if (request.method == "ACK") {
    out.reason = "not challenged";
    out.log = what + ": not challenged, no response";
    return out;
  }
  if (request.method == "CANCEL" || request.method == "BYE")
    return finish(make_response(request, 481, "Call/Transaction Does Not Exist", tag),
                  "not challenged");
  if (!m_settings.enabled || trusted(source)) {
    out.accepted = true;
    return finish(passed_response(request, tag),
                  !m_settings.enabled
                      ? "not challenged: the authentication module is disabled"
                      : "not challenged: " + std::string(source) + " is a trusted host");
  }

  SipUri from;
  try {
    from = parse_sip_uri(user_uri);
  } catch (const Error& e) {
    return finish(make_response(request, 400, "Bad From", tag), e.what());
  }
  if (m_settings.auth_domains && !domain_allowed(*m_settings.auth_domains, from.host))
    return finish(make_response(request, 403, "Domain forbidden", tag),
                  "rejected: domain '" + from.host + "' is not in auth-domains");
  const std::optional<std::string> found_realm = realm_of(user_uri, from);
  if (!found_realm)
    return finish(make_response(request, 500, "Internal error", tag),
                  user_uri.size() > max_regex_subject
                      ? "realm-regex not run: the URI has " + std::to_string(user_uri.size()) +
                            " bytes, more than " + std::to_string(max_regex_subject)
                      : "realm-regex finds no realm in '" + user_uri + "'");
  const std::string& realm = *found_realm;
  const Account user{userdb::url_unescape(from.user), from.host, "", "", {}};
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
      return finish(make_response(request, 400, "Bad Authorization", tag),
                    std::string("bad credentials: ") + e.what());
    }
  }
  std::string offered;
  auto challenge_again = [&](bool stale, const std::string& why) {
    SipMessage response = challenge(request, realm, stale, user, now, offered);
    return finish(std::move(response), why,
                  " (challenge " + offered + (stale ? ", stale" : "") + ")");
  };
  if (!credentials) return challenge_again(false, "no credentials");

  who = what + " [username " + credentials->username + ", " +
        (credentials->algorithm.empty() ? "MD5" : credentials->algorithm) + "]";
  auto reject = [&](const std::string& reason) {
    if (m_settings.no_403) {
      SipMessage response = challenge(request, realm, false, user, now, offered);
      return finish(std::move(response), "rejected: " + reason, " (no-403)");
    }
    return finish(make_response(request, 403, "Forbidden", tag), "rejected: " + reason);
  };

  // As Flexisip: the nonce first, then the user's passwords, then the algorithm, then the
  // response.
  switch (
      m_nonces.check(credentials->nonce, credentials->qop.empty() ? "" : credentials->nc, now)) {
  case NonceStore::State::Unknown: return challenge_again(false, "unknown nonce");
  case NonceStore::State::Expired: return challenge_again(true, "nonce expired");
  case NonceStore::State::Replayed:
    return challenge_again(false, "nc " + credentials->nc + " replayed");
  case NonceStore::State::BadNc: return reject("bad nc '" + credentials->nc + "'");
  case NonceStore::State::Fresh: break;
  }

  Account wanted = user;
  wanted.auth_user = credentials->username;
  const std::optional<Account> account = find_account(m_store, m_settings, wanted);
  if (!account)
    return reject("unknown user '" + credentials->username + "' for " + user.identity());
  if (!algorithm_available(m_settings, *credentials))
    return reject("algorithm " + (credentials->algorithm.empty() ? "MD5" : credentials->algorithm) +
                  " not available");
  const Verdict verdict = verify_account(*credentials, request.method, request.body, *account);
  const std::string where = verdict.line ? " (line " + std::to_string(verdict.line) + ")" : "";
  if (!verdict.accepted) return reject(verdict.reason + where);

  out.accepted = true;
  return finish(passed_response(request, tag), "accepted" + where);
}

} // namespace sipcred
